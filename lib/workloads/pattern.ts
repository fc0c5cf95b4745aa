/**
 * A pattern says who sends to whom. Each sending agent numbers its messages 0, 1, 2, … (its
 * sequence numbers, part of every message's key); the pattern names the recipient of each, and
 * how many of them one round holds (the closed loop's round, the open loop's scheduled arrival).
 * Integrity needs nothing more: a message is (sender, seq), sent once, and counted received,
 * drained or lost by the orchestrator from the senders' per-recipient counts.
 */
import type { CellState, Part } from './state.ts';

export interface Pattern {
  readonly name: string;
  /** The fewest agents the pattern makes sense with. */
  readonly minAgents: number;
  /** Messages agent `from` sends per round at scale n (0: it only receives). */
  perRound(from: number, n: number): number;
  /** The recipient of agent `from`'s message number `seq` at scale n. */
  to(from: number, seq: number, n: number): number;
  /**
   * A pattern whose messages are answered (request-reply). Every message sent counts one answer
   * its sender is to receive (so the senders' counts tell each agent all it is to receive), and
   * `onTake` sees every message an agent takes: a request to answer, or an answer to time.
   * Answers are numbered from CellState.replyBase up.
   */
  readonly answers?: {
    onTake(cur: CellState, p: Part, slot: number, from: number, seq: number, endNs: bigint): void | Promise<void>;
  };
}
