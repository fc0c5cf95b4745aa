import { existsSync, watch } from 'node:fs';
import { agentId, agentIndices } from '../../core/agents.ts';
import { SendFailed, type Body, type ConfigClient, type DrainResult, type DriverClient, type Receipt } from '../contract.ts';
import type { CallErrors } from '../../core/words.ts';
import { TmpfsBus } from './bus.ts';
import { calibrateTmpfs } from './calibrate.ts';
import { ShutdownLayer } from './layers/shutdown.ts';
import { buildStack, type Stack } from './layers/stack.ts';
import type { Bus } from './types.ts';

export const client: DriverClient = {
  calibrate: async ({ dir, effort }) => calibrateTmpfs(dir, Math.round(20_000 * effort)),
  async open({ dir, config, scale, local, layer }) {
    const base = new TmpfsBus(dir);
    const stack = buildStack(config, base, base.paths, layer);
    return new TmpfsClient(stack, base, local.map(agentId), Array.from({ length: scale }, (_, i) => agentId(i)));
  },
};

/**
 * One config's stack of layers over its own bus directory, in the worker's process. Every call is
 * synchronous (sync fs: an fs/promises hop costs more than the operation measured), so the harness
 * times it without an await; agents of one worker take turns.
 */
class TmpfsClient implements ConfigClient {
  readonly sync = true;
  readonly concurrent = false;
  private readonly bus: Bus;
  readonly healthQuery?: () => void;
  private stale: string[] | null = null;
  private readonly enospc = new Map<string, CallErrors>();

  constructor(private readonly stack: Stack, private readonly base: TmpfsBus, private readonly ids: readonly string[], private readonly names: readonly string[]) {
    this.bus = stack.bus;
    for (const id of ids) this.bus.register(id);
    const health = stack.health;
    if (health)
      this.healthQuery = () => {
        const r = health.query();
        this.stale = r.stale;
      };
  }

  send(slot: number, to: number, body: Body): void {
    try {
      this.bus.send(this.ids[slot]!, this.names[to]!, body);
    } catch (e) {
      throw this.full('send', e) ? new SendFailed('no space left on the bus\'s filesystem (ENOSPC)') : e;
    }
  }

  receive(slot: number): Receipt | null {
    try {
      return this.bus.receive(this.ids[slot]!);
    } catch (e) {
      // A layer's write after the message was taken (a metrics line): the message is gone, counted lost.
      if (this.full('receive', e)) return null;
      throw e;
    }
  }

  /**
   * An inotify watch on the agent's inbox: a message renamed into it wakes the receiver. The
   * receiver's own unlink of a message it took is an event too (fs.watch says 'rename' for both):
   * only a name still in the inbox is mail, one `stat` instead of a wake-up and an empty listing.
   * A message already taken when its event comes needs no wake-up either.
   */
  watch(slot: number, onMail: () => void): () => void {
    const inbox = this.base.paths.inbox(this.ids[slot]!);
    const w = watch(inbox, { persistent: false }, (_event, name) => {
      if (name === null || existsSync(`${inbox}/${name}`)) onMail();
    });
    w.on('error', () => undefined); // the cell's directory removed under it at the end
    return () => w.close();
  }

  /** ENOSPC (a full tmpfs) fails the call, not the cell: counted per operation, reported as failed calls. */
  private full(operation: string, e: unknown): boolean {
    if ((e as NodeJS.ErrnoException | null)?.code !== 'ENOSPC') return false;
    const c = this.enospc.get(operation);
    if (c) c.count++;
    else this.enospc.set(operation, { operation, status: 28, count: 1, stderr: `ENOSPC: no space left on device (${operation})` });
    return true;
  }

  calls(): CallErrors[] {
    return [...this.enospc.values()].map((c) => ({ ...c }));
  }

  staleAgents(): number[] | null {
    return this.stale && agentIndices(this.stale);
  }

  requestShutdown(): void {
    ShutdownLayer.request(this.base.paths);
  }

  drain(slot: number, coordinated: boolean): DrainResult {
    const id = this.ids[slot]!;
    const got: Receipt[] = [];
    if (coordinated && this.stack.shutdown) {
      this.stack.shutdown.drainAndStop(id, (m) => got.push(m));
      return { got, stopped: true };
    }
    for (let m = this.receive(slot); m !== null; m = this.receive(slot)) got.push(m);
    return { got, stopped: null };
  }

  close(): void {
    this.bus.close();
  }
}
