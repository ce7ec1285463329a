// GenerateFlowFile: creates FlowFiles with random or custom content, for testing and load.
import { randomBytes } from 'node:crypto';
import { defineProcessor } from '../../server/sdk/definition.ts';
import { Validators, toBufferEncoding } from '../../server/sdk/validators.ts';
import type { ContentClaim } from '../../server/engine/content/claim.ts';

interface State { shared: ContentClaim | null; attributes: Record<string, string> }

export const GenerateFlowFile = defineProcessor<State>({
  type: 'GenerateFlowFile',
  description: 'Creates FlowFiles with random data or custom content. Useful for load testing, configuration and simulation.',
  tags: ['test', 'random', 'generate', 'load'],
  inputRequirement: 'forbidden',
  primaryNodeOnly: true,
  properties: [
    { name: 'File Size', description: 'The size of the file that will be used', required: true, defaultValue: '0B', validator: Validators.dataSize() },
    { name: 'Batch Size', description: 'The number of FlowFiles to be transferred in each invocation', required: true, defaultValue: '1', validator: Validators.integer({ min: 1 }) },
    { name: 'Data Format', description: 'Specifies whether the data should be Text or Binary', required: true, defaultValue: 'Text', allowableValues: ['Binary', 'Text'] },
    { name: 'Unique FlowFiles', description: 'If true, each FlowFile that is generated will be unique. If false, a random value will be generated and all FlowFiles will get the same content but this offers much higher throughput', required: true, defaultValue: 'false', validator: Validators.boolean, allowableValues: ['true', 'false'] },
    { name: 'Custom Text', description: 'If Data Format is text and if Unique FlowFiles is false, then this custom text will be used as content of the generated FlowFiles and the File Size will be ignored. Expression Language is evaluated once per trigger.', expressionLanguage: 'environment' },
    { name: 'Character Set', description: 'Specifies the character set to use when writing the bytes of Custom Text to a flow file.', required: true, defaultValue: 'UTF-8', validator: Validators.characterSet },
    { name: 'Mime Type', description: 'Specifies the value to set for the "mime.type" attribute.' },
  ],
  relationships: [{ name: 'success', description: 'All generated FlowFiles are routed to success' }],
  dynamicProperties: { name: 'Generated FlowFile attribute name', value: 'Generated FlowFile attribute value', description: 'Specifies an attribute on generated FlowFiles defined by the Dynamic Property\'s key and value.', expressionLanguage: 'environment' },
  writesAttributes: [{ name: 'mime.type', description: 'Sets the MIME type of the output if the \'Mime Type\' property is set' }],
  initialState: () => ({ shared: null, attributes: {} }),
  onScheduled(ctx) {
    const attrs: Record<string, string> = {};
    const mime = ctx.property('Mime Type').value;
    if (mime) attrs['mime.type'] = mime;
    ctx.state.attributes = attrs;
  },
  onTrigger(ctx, session) {
    const batch = ctx.property('Batch Size').asInteger() ?? 1;
    const unique = ctx.property('Unique FlowFiles').asBoolean();
    const text = ctx.property('Data Format').value === 'Text';
    const custom = ctx.property('Custom Text');
    const size = ctx.property('File Size').asDataSize() ?? 0;
    const attrs = { ...ctx.state.attributes };
    for (const [name, value] of ctx.dynamicProperties) attrs[name] = value.evaluate() ?? '';

    const makeContent = (): ContentClaim => {
      if (text && custom.isSet) return ctx.contentStore.create(Buffer.from(custom.evaluate() ?? '', toBufferEncoding(ctx.property('Character Set').value ?? 'UTF-8')));
      if (size === 0) return ctx.contentStore.create(Buffer.alloc(0));
      const bytes = randomBytes(size);
      if (text) for (let i = 0; i < bytes.length; i++) bytes[i] = 32 + (bytes[i] % 95);
      return ctx.contentStore.create(bytes);
    };
    const customIsDynamic = text && custom.isSet && custom.isExpression;
    let shared = unique || customIsDynamic ? null : (ctx.state.shared ??= makeContent());
    if (customIsDynamic && !unique) shared = makeContent();
    const out = [];
    const sharedOptions = shared ? { content: shared } : null;
    for (let i = 0; i < batch; i++) out.push(session.create(attrs, sharedOptions ?? { content: makeContent() }));
    session.transfer(out, 'success');
  },
});
