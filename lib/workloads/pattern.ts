/**
 * A pattern says who sends to whom. Each sending agent numbers its messages 0, 1, 2, … (its
 * sequence numbers, part of every message's key); the pattern names the recipient of each, and
 * how many of them one round of the closed loop holds. The open loop sends the same sequence,
 * one message per scheduled arrival. Integrity needs nothing more: a message is (sender, seq),
 * sent once, and counted received, drained or lost by the orchestrator.
 */
export interface Pattern {
  readonly name: string;
  /** The fewest agents the pattern makes sense with. */
  readonly minAgents: number;
  /** Messages agent `from` sends per closed-loop round at scale n (0: it only receives). */
  perRound(from: number, n: number): number;
  /** The recipient of agent `from`'s message number `seq` at scale n. */
  to(from: number, seq: number, n: number): number;
}
