// Child process for the acknowledgement kill test: GetFile -> SlowPassThrough -> PutFile until idle.
import { FlowRuntime } from '../../server/engine/flow-runtime.ts';
import { validateFlow } from '../../server/flow/validate.ts';
import { fullTestRegistry } from './processors.ts';

const [input, output] = process.argv.slice(2);
const registry = fullTestRegistry();
const { flow, problems } = validateFlow({
  formatVersion: 1, name: 'ack-kill',
  processors: [
    { id: 'get', type: 'GetFile', properties: { 'Input Directory': input, 'Batch Size': '4' }, scheduling: { yieldDuration: '10 ms' } },
    { id: 'slow', type: 'SlowPassThrough', properties: { Delay: '15', 'Batch Size': '2' } },
    { id: 'put', type: 'PutFile', properties: { Directory: output, 'Conflict Resolution Strategy': 'replace' }, autoTerminate: ['success', 'failure'] },
  ],
  connections: [
    { id: 'c1', source: 'get', relationships: ['success'], destination: 'slow' },
    { id: 'c2', source: 'slow', relationships: ['success'], destination: 'put' },
  ],
}, registry);
if (!flow) throw new Error(JSON.stringify(problems));
const rt = new FlowRuntime('ack', flow, { registry });
await rt.start();
process.stdout.write('started\n');
await rt.untilIdle();
await rt.close();
process.stdout.write('idle\n');
