import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { checkAgentId, type Bus, type Message } from './types.ts';
import { layout, type Layout } from './layout.ts';

/**
 * The reference tmpfs bus. One inbox directory per agent; send writes the JSON message to a temp
 * name outside the inbox and renames it in (atomic: a receiver never sees half a message);
 * receive takes the oldest file, reads it and removes it.
 *
 * File names start with the zero-padded CLOCK_MONOTONIC send time, so a sorted listing is send
 * order across all senders on the machine. A listing is kept per agent and consumed before the
 * next `readdir`, so a receive costs one read + one unlink plus its share of one listing.
 * Sync fs calls on purpose: fs/promises adds a thread-pool hop per call (~40 µs here), larger than
 * the operation being measured. Concurrency comes from agents in several processes.
 */
export class TmpfsBus implements Bus {
  readonly paths: Layout;
  /** Distinguishes this instance's ids from any other's (other process, or a restart). */
  private readonly nonce = randomBytes(6).toString('hex');
  private readonly seqs = new Map<string, number>();
  private readonly pending = new Map<string, string[]>();
  /** Inbox paths by agent, built once: path.join on every call costs more than a Map lookup. */
  private readonly inboxes = new Map<string, string>();

  constructor(root: string) {
    this.paths = layout(root);
    mkdirSync(this.paths.tmp, { recursive: true });
  }

  register(agent: string): void {
    mkdirSync(this.paths.inbox(checkAgentId(agent)), { recursive: true });
  }

  send(from: string, to: string, payload: unknown): Message {
    // A sender is validated the first time it sends; `to` by inboxOf before it enters a path.
    const seq = this.seqs.get(from) ?? (checkAgentId(from), 0);
    const inbox = this.inboxOf(to);
    this.seqs.set(from, seq + 1);
    const now = process.hrtime.bigint().toString();
    const id = `${from}.${this.nonce}.${seq}`;
    const msg: Message = { id, from, to, seq, sent_at_ns: now, payload };
    const tmp = `${this.paths.tmp}/${id}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(msg));
    } catch (e) {
      // A full filesystem (ENOSPC) leaves the file created but short: no half message stays behind.
      rmSync(tmp, { force: true });
      throw e;
    }
    try {
      renameSync(tmp, `${inbox}/${now.padStart(20, '0')}-${id}.json`);
    } catch (e) {
      unlinkSync(tmp);
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`unknown agent ${JSON.stringify(to)}: it has no inbox (register it first)`);
      throw e;
    }
    return msg;
  }

  receive(agent: string): Message | null {
    let names = this.pending.get(agent);
    for (;;) {
      if (names === undefined || names.length === 0) {
        names = this.list(agent);
        this.pending.set(agent, names);
        if (names.length === 0) return null;
      }
      const path = `${this.inboxOf(agent)}/${names.shift()!}`;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        // Taken by someone else since we listed it (a coordinator's drain): not ours, go on.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      unlinkSync(path);
      return JSON.parse(text) as Message;
    }
  }

  depth(agent: string): number {
    return readdirSync(this.inboxOf(agent)).length;
  }

  close(): void {
    this.pending.clear();
  }

  private list(agent: string): string[] {
    return readdirSync(this.inboxOf(agent)).filter((n) => n.endsWith('.json')).sort();
  }

  /** The agent's inbox path; ids are validated before they become part of a path. */
  private inboxOf(agent: string): string {
    let p = this.inboxes.get(agent);
    if (p === undefined) {
      p = this.paths.inbox(checkAgentId(agent));
      this.inboxes.set(agent, p);
    }
    return p;
  }
}
