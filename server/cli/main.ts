// The sluice command line.
import { Command } from 'commander';
import { CliError, collect } from './load.ts';
import { runCommand } from './commands/run.ts';
import { validateCommand, processorsCommand } from './commands/info.ts';
import { testProcessorCommand } from './commands/test-processor.ts';

const program = new Command();
program.name('sluice').description('Sluice: a NiFi-style dataflow engine').showHelpAfterError();

const exit = (code: number) => { process.exitCode = code; };

program.command('run')
  .description('Run a flow headless')
  .argument('<flow>', 'flow definition (JSON, format v1)')
  .option('--param <name=value>', 'override a flow parameter (repeatable)', collect, [])
  .option('--until-idle', 'exit once every source is exhausted and every queue is empty')
  .option('--redis <url>', 'submit the flow to the cluster at this Redis URL and work on it with the workers')
  .action(async (flow: string, opts) => exit(await runCommand(flow, opts)));

program.command('validate')
  .description('Validate flow definitions and report every problem')
  .argument('<flows...>', 'flow definition files')
  .action((files: string[]) => exit(validateCommand(files)));

program.command('processors')
  .description('List every processor type with its definition')
  .option('--json', 'print the full definitions as JSON')
  .action((opts) => exit(processorsCommand(opts)));

program.command('test-processor')
  .description('Run one processor on input files and print its transfers as JSON')
  .argument('<type>', 'processor type, e.g. SplitText')
  .option('--property <Name=Value>', 'set a property; split at the first "=" (repeatable)', collect, [])
  .option('--attribute <name=value>', 'an attribute for every input FlowFile (repeatable)', collect, [])
  .option('--input <file>', 'enqueue one FlowFile with this file\'s bytes (repeatable)', collect, [])
  .action(async (type: string, opts) => exit(await testProcessorCommand(type, opts)));
program.addCommand((await import('./commands/serve.ts')).serveCommand());
program.addCommand((await import('./commands/worker.ts')).workerCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CliError) {
    process.stderr.write(`sluice: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`sluice: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
}
