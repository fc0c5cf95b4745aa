import type { Bus, Message } from '../types.ts';

/**
 * A layer is a plain wrapper over a Bus with the same contract; it keeps its own counters.
 * Subclasses override only the operations they change.
 */
export abstract class Layer implements Bus {
  abstract readonly name: string;
  constructor(protected readonly inner: Bus) {}
  register(agent: string): void {
    this.inner.register(agent);
  }
  send(from: string, to: string, payload: unknown): Message {
    return this.inner.send(from, to, payload);
  }
  receive(agent: string): Message | null {
    return this.inner.receive(agent);
  }
  depth(agent: string): number {
    return this.inner.depth(agent);
  }
  close(): void {
    this.inner.close();
  }
  /** What this layer did so far, for tests and records. */
  abstract counters(): Record<string, number>;
}
