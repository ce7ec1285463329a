// LogAttribute: logs a FlowFile's attributes (and optionally its payload) and passes it on.
import { defineProcessor } from '../../server/sdk/definition.ts';
import { Validators, toBufferEncoding } from '../../server/sdk/validators.ts';

const splitList = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

export const LogAttribute = defineProcessor({
  type: 'LogAttribute',
  description: 'Emits attributes of the FlowFile at the specified log level',
  tags: ['attributes', 'logging'],
  inputRequirement: 'required',
  properties: [
    { name: 'Log Level', description: 'The Log Level to use when logging the Attributes', required: true, defaultValue: 'info', allowableValues: ['trace', 'debug', 'info', 'warn', 'error'] },
    { name: 'Log Payload', description: 'If true, the FlowFile\'s payload will be logged, in addition to its attributes; otherwise, just the Attributes will be logged.', required: true, defaultValue: 'false', allowableValues: ['true', 'false'] },
    { name: 'Attributes to Log', description: 'A comma-separated list of Attributes to Log. If not specified, all attributes will be logged.' },
    { name: 'Attributes to Ignore', description: 'A comma-separated list of Attributes to ignore. If not specified, no attributes will be ignored.' },
    { name: 'Log FlowFile Properties', description: 'Specifies whether or not to log FlowFile "properties", such as Entry Date, Lineage Start Date, and content size', required: true, defaultValue: 'true', allowableValues: ['true', 'false'] },
    { name: 'Output Format', description: 'Specifies the format to use for logging FlowFile attributes', required: true, defaultValue: 'Line per Attribute', allowableValues: ['Line per Attribute', 'Single Line'] },
    { name: 'Log prefix', description: 'Log prefix appended to the log lines. It helps to distinguish the output of multiple LogAttribute processors.', expressionLanguage: 'flowfile' },
    { name: 'Character Set', description: 'The name of the CharacterSet to use', required: true, defaultValue: 'UTF-8', validator: Validators.characterSet },
  ],
  relationships: [{ name: 'success', description: 'All FlowFiles are routed to this relationship' }],
  onTrigger(ctx, session) {
    const flowFiles = session.get(1000);
    const level = ctx.property('Log Level').value ?? 'info';
    const only = splitList(ctx.property('Attributes to Log').value);
    const ignore = new Set(splitList(ctx.property('Attributes to Ignore').value));
    const payload = ctx.property('Log Payload').asBoolean();
    const props = ctx.property('Log FlowFile Properties').asBoolean();
    const single = ctx.property('Output Format').value === 'Single Line';
    const log = level === 'error' ? ctx.logger.error : level === 'warn' ? ctx.logger.warn : level === 'info' ? ctx.logger.info : ctx.logger.debug;
    for (const ff of flowFiles) {
      const all = ff.attributes();
      const names = (only.length ? only : Object.keys(all).sort()).filter((n) => !ignore.has(n));
      const entries = names.map((n) => [n, all[n] ?? ''] as const);
      const prefix = ctx.property('Log prefix').evaluate(ff) ?? '';
      let text: string;
      if (single) text = `${prefix}[${entries.map(([k, v]) => `${k}=${v}`).join(', ')}]`;
      else {
        const lines = [`${prefix}${'-'.repeat(50)}`];
        if (props) lines.push(`FlowFile Properties`, `Key: 'entryDate'\n\tValue: '${new Date(ff.entryDate).toString()}'`, `Key: 'lineageStartDate'\n\tValue: '${new Date(ff.lineage.startDate).toString()}'`, `Key: 'fileSize'\n\tValue: '${ff.size}'`);
        lines.push('FlowFile Attribute Map Content');
        for (const [k, v] of entries) lines.push(`Key: '${k}'\n\tValue: '${v}'`);
        text = lines.join('\n');
      }
      if (payload) text += `\n${session.read(ff).toString(toBufferEncoding(ctx.property('Character Set').value ?? 'UTF-8'))}`;
      log.call(ctx.logger, { flowFile: ff.id }, text);
    }
    session.transfer(flowFiles, 'success');
  },
});
