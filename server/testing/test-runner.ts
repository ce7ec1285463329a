// A processor test harness in the spirit of nifi-mock's TestRunner: configure, enqueue, run, and
// assert what was transferred. It drives the real engine (ProcessorNode, ProcessSession, queues).
import type { ProcessorDefinition } from '../sdk/definition.ts';
import { validatePropertyValue, resolveConfig, descriptorByName } from '../sdk/validate-config.ts';
import { ProcessorNode, DEFAULT_SETTINGS, type NodeEnvironment, type ProcessorSettings } from '../engine/processor-node.ts';
import { MemoryQueue } from '../engine/queue/memory-queue.ts';
import { FlowFile, updateAttributes, EMPTY_ATTRIBUTES } from '../engine/flowfile.ts';
import { MemoryClaim } from '../engine/content/claim.ts';
import { TieredContentStore, type ContentStore } from '../engine/content/store.ts';
import { silentLogger, type Logger } from '../engine/logger.ts';
import type { Bulletin } from '../engine/bulletins.ts';
import type { BulletinLevel } from '../sdk/context.ts';

export class InvalidPropertyError extends Error {}

/** A transferred FlowFile with convenient accessors. */
export class MockFlowFile {
  constructor(readonly flowFile: FlowFile) {}
  get id(): string { return this.flowFile.id; }
  get size(): number { return this.flowFile.size; }
  get attributes(): Record<string, string> { return this.flowFile.attributes(); }
  attribute(name: string): string | undefined { return this.flowFile.getAttribute(name); }
  content(): Buffer { return this.flowFile.content(); }
  text(encoding: BufferEncoding = 'utf8'): string { return this.content().toString(encoding); }
  assertAttributeEquals(name: string, expected: string | undefined): void {
    const actual = this.attribute(name);
    if (actual !== expected) throw new Error(`attribute "${name}": expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  assertContentEquals(expected: string | Buffer): void {
    const actual = typeof expected === 'string' ? this.text() : this.content();
    if (typeof expected === 'string' ? actual !== expected : !this.content().equals(expected)) {
      throw new Error(`content: expected ${JSON.stringify(String(expected))}, got ${JSON.stringify(this.text())}`);
    }
  }
}

export interface TestRunnerOptions {
  settings?: Partial<ProcessorSettings>;
  contentStore?: ContentStore;
  logger?: Logger;
  services?: Record<string, unknown>;
}

export class TestRunner {
  private readonly configured: Record<string, string> = {};
  private readonly input = new MemoryQueue('input', { backPressure: { objectThreshold: Number.MAX_SAFE_INTEGER, dataSizeThreshold: 0 } });
  private readonly outputs = new Map<string, MemoryQueue>();
  private readonly transferred = new Map<string, MockFlowFile[]>();
  private readonly order: { relationship: string; flowFile: MockFlowFile }[] = [];
  readonly bulletins: Bulletin[] = [];
  private node: ProcessorNode | null = null;
  private readonly contentStore: ContentStore;
  private settings: ProcessorSettings;
  private connected: Set<string> | null = null;
  private draining = false;

  constructor(readonly definition: ProcessorDefinition, private readonly options: TestRunnerOptions = {}) {
    this.contentStore = options.contentStore ?? new TieredContentStore(undefined);
    this.settings = { ...DEFAULT_SETTINGS, penaltyMs: 0, yieldMs: 0, bulletinLevel: 'DEBUG', ...options.settings };
  }

  /** Sets a property; throws InvalidPropertyError with the validation message when the value is invalid. */
  setProperty(name: string, value: string): this {
    const problems = validatePropertyValue(this.definition, name, value);
    if (problems.length) throw new InvalidPropertyError(`"${name}" ${problems.join('; ')}`);
    const desc = descriptorByName(this.definition, name);
    this.configured[desc ? desc.name : name] = value;
    this.node = null;
    return this;
  }

  removeProperty(name: string): this {
    delete this.configured[descriptorByName(this.definition, name)?.name ?? name];
    this.node = null;
    return this;
  }

  /** Only these relationships are treated as connected (others auto-terminated); default: all connected. */
  setConnected(relationships: readonly string[]): this {
    this.connected = new Set(relationships);
    this.node = null;
    return this;
  }

  /** Every problem with the current configuration (empty when valid). */
  validate(): string[] {
    return resolveConfig(this.definition, this.configured).problems.map((p) => (p.property ? `"${p.property}" ${p.message}` : p.message));
  }

  assertValid(): void {
    const problems = this.validate();
    if (problems.length) throw new InvalidPropertyError(problems.join('; '));
  }

  enqueue(content: string | Buffer = '', attributes: Record<string, string> = {}): FlowFile {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    const ff = FlowFile.create(updateAttributes(EMPTY_ATTRIBUTES, attributes), null, new MemoryClaim(buf));
    this.input.add(ff);
    return ff;
  }

  get queueSize(): number { return this.input.count(); }

  private ensureNode(): ProcessorNode {
    if (this.node) return this.node;
    this.assertValid();
    const runner = this;
    const env: NodeEnvironment = {
      flowId: 'test',
      contentStore: this.contentStore,
      logger: this.options.logger ?? silentLogger,
      provenance: null,
      bulletin: (node, level: BulletinLevel, message) => {
        runner.bulletins.push({ id: runner.bulletins.length + 1, time: Date.now(), flowId: 'test', processorId: node.id, processorName: node.name, level, message });
      },
      wake: () => {},
      requestWake: () => {},
      controllerService: (id) => {
        const s = this.options.services?.[id];
        if (s === undefined) throw new Error(`controller service "${id}" is not available in this test`);
        return s;
      },
      get draining() { return runner.draining; },
    };
    const node = new ProcessorNode('under-test', this.definition.type, this.definition, { ...this.configured }, this.settings, [], env);
    const outgoing = new Map<string, MemoryQueue[]>();
    const autoTerminate: string[] = [];
    for (const rel of node.relationships()) {
      if (this.connected && !this.connected.has(rel.name)) { autoTerminate.push(rel.name); continue; }
      let q = this.outputs.get(rel.name);
      if (!q) {
        q = new MemoryQueue(rel.name, { backPressure: { objectThreshold: Number.MAX_SAFE_INTEGER, dataSizeThreshold: 0 } });
        this.outputs.set(rel.name, q);
      }
      outgoing.set(rel.name, [q]);
    }
    for (const r of autoTerminate) node.autoTerminated.add(r);
    node.connect(this.definition.inputRequirement === 'forbidden' ? [] : [this.input], outgoing);
    if (!node.isValid) throw new InvalidPropertyError(node.validationErrors.join('; '));
    this.node = node;
    return node;
  }

  /** Triggers the processor `iterations` times (between onScheduled and, unless told otherwise, onStopped). */
  async run(iterations = 1, options: { stopOnFinish?: boolean } = {}): Promise<void> {
    const node = this.ensureNode();
    if (node.state !== 'RUNNING') await node.start();
    for (let i = 0; i < iterations; i++) await this.triggerOnce(node);
    if (options.stopOnFinish !== false) await node.stop();
    this.collect();
  }

  /** Triggers until the input queue is empty and held work is flushed (at most `maxTriggers`). */
  async runUntilIdle(options: { maxTriggers?: number } = {}): Promise<void> {
    const node = this.ensureNode();
    if (node.state !== 'RUNNING') await node.start();
    const max = options.maxTriggers ?? 1_000_000;
    for (let i = 0; i < max; i++) {
      const inBefore = this.input.count();
      const heldBefore = node.held.size;
      const outBefore = this.outputCount();
      this.draining = inBefore === 0 && heldBefore > 0;
      await this.triggerOnce(node);
      const empty = this.input.count() === 0 && node.held.size === 0;
      if (empty && this.definition.inputRequirement !== 'forbidden') break;
      const progressed = this.outputCount() !== outBefore || this.input.count() !== inBefore || node.held.size !== heldBefore;
      if (!progressed && !(this.input.count() === 0 && node.held.size > 0 && !this.draining)) break;
    }
    this.draining = false;
    await node.stop();
    this.collect();
  }

  private outputCount(): number {
    let n = 0;
    for (const q of this.outputs.values()) n += q.count();
    return n;
  }

  private async triggerOnce(node: ProcessorNode): Promise<void> {
    node.trigger(Date.now());
    while (node.activeTasks > 0) await new Promise((r) => setImmediate(r));
  }

  private collect(): void {
    for (const [rel, q] of this.outputs) {
      const out: FlowFile[] = [];
      q.poll(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, out);
      const list = this.transferred.get(rel) ?? [];
      for (const ff of out) {
        const m = new MockFlowFile(ff);
        list.push(m);
        this.order.push({ relationship: rel, flowFile: m });
      }
      this.transferred.set(rel, list);
    }
  }

  flowFilesFor(relationship: string): MockFlowFile[] {
    return this.transferred.get(relationship) ?? [];
  }

  relationships(): string[] {
    return this.ensureNode().relationships().map((r) => r.name);
  }

  assertTransferCount(relationship: string, expected: number): void {
    const actual = this.flowFilesFor(relationship).length;
    if (actual !== expected) throw new Error(`expected ${expected} FlowFile(s) on "${relationship}", got ${actual}`);
  }

  assertAllTransferred(relationship: string, expected?: number): void {
    for (const [rel, list] of this.transferred) {
      if (rel !== relationship && list.length > 0) throw new Error(`expected everything on "${relationship}", but ${list.length} went to "${rel}"`);
    }
    if (expected !== undefined) this.assertTransferCount(relationship, expected);
  }

  clearTransferState(): void {
    this.transferred.clear();
    this.order.length = 0;
  }
}
