import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bus, Message } from '../types.ts';
import type { Layout } from '../layout.ts';
import { Layer } from './wrapper.ts';
import { ShuttingDown } from '../../layers.ts';

/** The refusal every driver's shutdown layer throws (lib/drivers/layers.ts), under the reference bus's name. */
export { ShuttingDown as ShutdownError };

/**
 * shutdown: every operation first checks the shared shutdown flag (one stat). Once it is set,
 * sends are refused (ShutdownError) while receives go on, so inboxes can drain. The coordinated
 * shutdown: the coordinator raises the flag (`request`), each agent drains its inbox to empty and
 * marks itself stopped (`drainAndStop`), and the coordinator waits until every agent is stopped
 * (`stoppedAgents`). Nothing in flight is lost: a drained message is handed to the caller.
 */
export class ShutdownLayer extends Layer {
  readonly name = 'shutdown';
  private checks = 0;
  private refused = 0;
  private drained = 0;
  constructor(inner: Bus, private readonly paths: Layout) {
    super(inner);
  }
  override send(from: string, to: string, payload: unknown): Message {
    if (this.shuttingDown()) {
      this.refused++;
      throw new ShuttingDown(from);
    }
    return this.inner.send(from, to, payload);
  }
  override receive(agent: string): Message | null {
    this.shuttingDown();
    return this.inner.receive(agent);
  }
  counters(): Record<string, number> {
    return { checks: this.checks, refused: this.refused, drained: this.drained };
  }

  shuttingDown(): boolean {
    this.checks++;
    return existsSync(this.paths.shutdownFlag);
  }

  /** The coordinator's step one: raise the flag (atomically, via a temp name). */
  static request(paths: Layout, reason = 'coordinated shutdown'): void {
    const tmp = join(paths.tmp, `shutdown.${process.pid}.tmp`);
    mkdirSync(paths.tmp, { recursive: true });
    writeFileSync(tmp, JSON.stringify({ reason, pid: process.pid, at_ns: process.hrtime.bigint().toString() }));
    renameSync(tmp, paths.shutdownFlag);
  }

  /** An agent's part: take everything left in its inbox, then mark it stopped. */
  drainAndStop(agent: string, onMessage: (m: Message) => void): number {
    let n = 0;
    for (let m = this.inner.receive(agent); m !== null; m = this.inner.receive(agent)) {
      onMessage(m);
      n++;
    }
    this.drained += n;
    mkdirSync(this.paths.stoppedDir, { recursive: true });
    writeFileSync(join(this.paths.stoppedDir, agent), '');
    return n;
  }

  /** The coordinator's check that every agent has stopped. */
  static stoppedAgents(paths: Layout): string[] {
    return existsSync(paths.stoppedDir) ? readdirSync(paths.stoppedDir) : [];
  }
}
