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

/** Records what reaches it (by uuid) in `CollectSink.seen`, then drops it. */
export const collected = new Map<string, number>();
export const CollectSink = defineProcessor({
  type: 'CollectSink',
  description: 'test: counts arrivals by uuid',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [],
  relationships: [{ name: 'success', description: 'everything' }],
  onTrigger(_ctx, session) {
    const batch = session.get(500);
    for (const ff of batch) collected.set(ff.id, (collected.get(ff.id) ?? 0) + 1);
    session.transfer(batch, 'success');
  },
});

/** Creates `Count` FlowFiles, each with an ack handle whose outcome lands in `ackOutcomes`. */
export const ackOutcomes: { label: string; ok: boolean; reason?: string }[] = [];
export const AckedSource = defineProcessor<{ made: number }>({
  type: 'AckedSource',
  description: 'test: source with acks',
  tags: ['test'],
  inputRequirement: 'forbidden',
  properties: [{ name: 'Count', description: 'how many', defaultValue: '1' }],
  relationships: [{ name: 'success', description: 'everything' }],
  initialState: () => ({ made: 0 }),
  onTrigger(ctx, session) {
    const count = Number(ctx.property('Count').value);
    if (ctx.state.made >= count) { ctx.setExhausted(true); ctx.yield(); return; }
    const label = `ff-${ctx.state.made++}`;
    const ack = ctx.createAck((o) => ackOutcomes.push({ label, ok: o.ok, reason: o.ok ? undefined : o.reason }), label);
    session.transfer(session.create({ label }, { ack, content: ctx.contentStore.create('a\nb\nc') }), 'success');
  },
});

/** Makes one child per line (sharing the parent's bytes) and sends the parent to "original". */
export const LineSplitter = defineProcessor({
  type: 'LineSplitter',
  description: 'test: one child per line',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [],
  relationships: [{ name: 'splits', description: 'children' }, { name: 'original', description: 'parent' }],
  onTrigger(_ctx, session) {
    const ff = session.getOne();
    if (!ff) return;
    const text = session.readText(ff);
    let pos = 0;
    for (const line of text.split('\n')) {
      session.transfer(session.createChild(ff, pos, Buffer.byteLength(line)), 'splits');
      pos += Buffer.byteLength(line) + 1;
    }
    session.transfer(ff, 'original');
  },
});

export function fullTestRegistry(): ProcessorRegistry {
  return new ProcessorRegistry([...processorDefinitions, ThrowEveryThird, SlowPassThrough, PassThrough, CollectSink, AckedSource, LineSplitter]);
}
