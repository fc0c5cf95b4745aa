/**
 * The bare bus of one config for the agents of one worker: an inbox stream per agent, one
 * connection per local agent (agents are separate processes in real systems, each with its own
 * socket, so one agent's round trip never queues behind another's on a shared connection).
 */
import { agentId } from '../../core/agents.ts';
import { SendFailed, type Body, type Receipt } from '../contract.ts';
import type { Conn } from './connect.ts';
import { GROUP, type Keys } from './keys.ts';
import { receiveRaw } from './receive-script.ts';

/** A received message, with its stream entry id (for the metrics layer). */
export interface Delivered extends Receipt {
  readonly id: string;
  readonly to: string;
  readonly sent_at_ns: string;
}

/** What every layer wraps: the bare operations, addressed by local slot and agent index. */
export interface Ops {
  send(slot: number, to: number, body: Body): Promise<void>;
  receive(slot: number): Promise<Delivered | null>;
}

export class BareBus implements Ops {
  private readonly names: string[];
  private readonly inboxes: string[];
  constructor(
    readonly keys: Keys,
    /** Connection of each local slot. */
    readonly conns: readonly Conn[],
    /** Agent index of each local slot. */
    readonly local: readonly number[],
    scale: number,
  ) {
    // Names built once: string building per call costs more than an array lookup.
    this.names = Array.from({ length: scale }, (_, i) => agentId(i));
    this.inboxes = Array.from({ length: scale }, (_, i) => keys.inbox(i));
  }

  /** XADD of the message as one JSON field; the entry id is Redis's, the order is the stream's. */
  send(slot: number, to: number, body: Body): Promise<void> {
    const from = this.names[this.local[slot]!]!;
    const text = JSON.stringify({ from, to: this.names[to], sent_at_ns: process.hrtime.bigint().toString(), payload: body });
    // The command is queued synchronously (before any await), so a layer that issues its own
    // command right after this call shares the same socket write (pipelining).
    return this.conns[slot]!.sendCommand(['XADD', this.inboxes[to]!, '*', 'm', text]).then(
      () => undefined,
      (e: unknown) => {
        throw new SendFailed(`XADD to ${this.names[to]}: ${(e as Error).message}`);
      },
    );
  }

  async receive(slot: number): Promise<Delivered | null> {
    const agent = this.local[slot]!;
    const r = await receiveRaw(this.conns[slot]!, this.inboxes[agent]!, GROUP, this.names[agent]!);
    if (r === null) return null;
    const m = JSON.parse(r[1]) as { from: string; to: string; sent_at_ns: string; payload: unknown };
    return { id: r[0], from: m.from, to: m.to, sent_at_ns: m.sent_at_ns, payload: m.payload };
  }
}
