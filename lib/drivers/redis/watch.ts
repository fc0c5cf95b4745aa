/**
 * `--wait watch` on Redis: one blocking XREAD (the server's own wait for new stream entries) per
 * config client, on a connection of its own, over every watched inbox. It reads entries without
 * taking them (no consumer group): each reply only says which inboxes got mail, and the ids move
 * past what it saw, so an entry is announced once. The receive itself stays the driver's.
 */
import type { Conn } from './connect.ts';

export class InboxWatcher {
  /** Per watched inbox: the last entry id announced, and whom to tell. */
  private readonly inboxes = new Map<string, { id: string; onMail: () => void }>();
  private conn: Conn | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly base: Conn) {}

  /** Watch `key` from its first entry on (mail already there is announced at once); returns the stop. */
  add(key: string, onMail: () => void): () => void {
    this.inboxes.set(key, { id: '0-0', onMail });
    if (!this.started) {
      this.started = true;
      // Every slot of the worker is added in the same turn: the first XREAD covers them all.
      setImmediate(() => void this.loop());
    }
    return () => {
      this.inboxes.delete(key);
      if (this.inboxes.size === 0) this.close();
    };
  }

  private async loop(): Promise<void> {
    try {
      const conn = this.base.duplicate();
      conn.on('error', () => undefined);
      this.conn = conn;
      await conn.connect();
      while (!this.closed && this.inboxes.size > 0) {
        const keys = [...this.inboxes.keys()];
        const reply = await conn.sendCommand(['XREAD', 'COUNT', '100', 'BLOCK', '0', 'STREAMS', ...keys, ...keys.map((k) => this.inboxes.get(k)!.id)]);
        for (const [key, entries] of streamsOf(reply)) {
          const w = this.inboxes.get(key);
          const last = entries.at(-1);
          if (!w || !last) continue;
          w.id = last[0];
          w.onMail();
        }
      }
    } catch {
      // closed under a pending XREAD (the end of the cell), or the server went away: the receivers
      // are then woken by their deadlines only
    }
  }

  close(): void {
    this.closed = true;
    try {
      this.conn?.destroy();
    } catch {
      // never connected
    }
  }
}

/** An XREAD reply as [stream, entries] pairs (RESP3: a map by stream name; RESP2: [[name, entries]]; null: nothing). */
function streamsOf(reply: unknown): [string, [string, unknown][]][] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) return reply as [string, [string, unknown][]][];
  if (reply instanceof Map) return [...reply.entries()] as [string, [string, unknown][]][];
  return Object.entries(reply as Record<string, [string, unknown][]>);
}
