// Transactional producers for PublishKafka. A kafkajs producer runs one transaction at a time, so
// each concurrent trigger borrows its own producer from this pool. Transactional ids are stable
// (base + slot number): a restarted flow fences the producers of its previous run.
import type { Producer } from 'kafkajs';
import type { KafkaConnection } from './connection-service.ts';

export class TransactionalProducerPool {
  private readonly free: { producer: Producer; slot: number }[] = [];
  private readonly busy = new Map<Producer, number>();
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private closed = false;

  constructor(private readonly connection: KafkaConnection, readonly transactionalIdBase: string) {}

  async acquire(): Promise<Producer> {
    if (this.closed) throw new Error('the producer pool is closed');
    const f = this.free.pop();
    if (f) {
      this.busy.set(f.producer, f.slot);
      return f.producer;
    }
    const slot = this.freeSlots.pop() ?? this.nextSlot++;
    try {
      const producer = await this.connection.producer({
        transactionalId: `${this.transactionalIdBase}-${slot}`,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
      });
      this.busy.set(producer, slot);
      return producer;
    } catch (e) {
      this.freeSlots.push(slot);
      throw e;
    }
  }

  /** Returns a producer; an unhealthy one (failed commit or abort) is disconnected and replaced later. */
  release(producer: Producer, healthy: boolean): void {
    const slot = this.busy.get(producer);
    if (slot === undefined) return;
    this.busy.delete(producer);
    if (healthy && !this.closed) {
      this.free.push({ producer, slot });
      return;
    }
    this.freeSlots.push(slot);
    void this.connection.releaseProducer(producer);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.free.map((f) => f.producer), ...this.busy.keys()];
    this.free.length = 0;
    this.busy.clear();
    await Promise.all(all.map((p) => this.connection.releaseProducer(p)));
  }
}
