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
  /** Agent id and inbox key of each agent index, built once: string building per call costs more than an array lookup. */
  readonly names: readonly string[];
  readonly inboxes: readonly string[];
  constructor(
    readonly keys: Keys,
    /** Connection of each local slot. */
    readonly conns: readonly Conn[],
    /** Agent index of each local slot. */
    readonly local: readonly number[],
    scale: number,
    /** --fault restart-server: a receive that finds its group gone makes it again (receive-script.ts). */
    private readonly regroup = false,
  ) {
    this.names = Array.from({ length: scale }, (_, i) => agentId(i));
    this.inboxes = Array.from({ length: scale }, (_, i) => keys.inbox(i));
  }

  /**
   * XADD of the message as one JSON field; the entry id is Redis's, the order is the stream's.
   * The command is issued before the first await, so a layer that issues its own command right
   * after calling this shares the same socket write (pipelining).
   */
  async send(slot: number, to: number, body: Body): Promise<void> {
    const text = JSON.stringify({ from: this.names[this.local[slot]!], to: this.names[to], sent_at_ns: process.hrtime.bigint().toString(), payload: body });
    try {
      await this.conns[slot]!.sendCommand(['XADD', this.inboxes[to]!, '*', 'm', text]);
    } catch (e) {
      throw new SendFailed(`XADD to ${this.names[to]}: ${(e as Error).message}`);
    }
  }

  async receive(slot: number): Promise<Delivered | null> {
    const agent = this.local[slot]!;
    const r = await receiveRaw(this.conns[slot]!, this.inboxes[agent]!, GROUP, this.names[agent]!, this.regroup);
    if (r === null) return null;
    const m = JSON.parse(r[1]) as { from: string; to: string; sent_at_ns: string; payload: unknown };
    return { id: r[0], from: m.from, to: m.to, sent_at_ns: m.sent_at_ns, payload: m.payload };
  }
}
