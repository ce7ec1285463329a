// Processors that exist only for engine tests.
import { defineProcessor } from '../../server/sdk/definition.ts';
import { ProcessorRegistry } from '../../server/sdk/registry.ts';
import { processorDefinitions } from '../../processors/index.ts';

/** Passes FlowFiles through; throws on every third trigger (after taking its inputs). */
export const ThrowEveryThird = defineProcessor<{ n: number }>({
  type: 'ThrowEveryThird',
  description: 'test: fails every third trigger',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [{ name: 'Batch Size', description: 'per trigger', defaultValue: '7' }],
  relationships: [{ name: 'success', description: 'everything' }],
  initialState: () => ({ n: 0 }),
  onTrigger(ctx, session) {
    const batch = session.get(Number(ctx.property('Batch Size').value));
    session.transfer(batch, 'success');
    if (++ctx.state.n % 3 === 0) throw new Error(`planted failure on trigger ${ctx.state.n}`);
  },
});

/** Passes FlowFiles through, taking `Delay` ms (asynchronously) per trigger. */
export const SlowPassThrough = defineProcessor({
  type: 'SlowPassThrough',
  description: 'test: slow async pass-through',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [
    { name: 'Delay', description: 'ms per trigger', defaultValue: '5' },
    { name: 'Batch Size', description: 'per trigger', defaultValue: '1' },
  ],
  relationships: [{ name: 'success', description: 'everything' }],
  async onTrigger(ctx, session) {
    const batch = session.get(Number(ctx.property('Batch Size').value));
    await new Promise((r) => setTimeout(r, Number(ctx.property('Delay').value)));
    session.transfer(batch, 'success');
  },
});

/** Pass-through in batches, synchronous: the engine's hot path. */
export const PassThrough = defineProcessor({
  type: 'PassThrough',
  description: 'test: pass-through',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [{ name: 'Batch Size', description: 'per trigger', defaultValue: '1000' }],
  relationships: [{ name: 'success', description: 'everything' }],
  onTrigger(ctx, session) {
    session.transfer(session.get(ctx.property('Batch Size').asInteger() ?? 1000), 'success');
  },
});

export function testRegistry(): ProcessorRegistry {
  return new ProcessorRegistry([...processorDefinitions, ThrowEveryThird, SlowPassThrough, PassThrough]);
}
