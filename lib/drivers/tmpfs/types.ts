/**
 * The bus contract every driver implements. Small on purpose: the harness owns the clock, so a
 * driver only does the work; layers wrap a Bus and expose the same contract.
 */
export interface Message {
  /** Unique across senders, bus instances and processes. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Per-sender sequence number, from 0, in send order. */
  readonly seq: number;
  /** CLOCK_MONOTONIC nanoseconds at send, as a decimal string (comparable across processes). */
  readonly sent_at_ns: string;
  readonly payload: unknown;
}

export interface Bus {
  /** Create the agent's inbox (idempotent). */
  register(agent: string): void;
  /** Deliver one message into `to`'s inbox; returns what was sent. */
  send(from: string, to: string, payload: unknown): Message;
  /** Take the oldest message from `agent`'s inbox, or null when it is empty. */
  receive(agent: string): Message | null;
  /** Messages waiting in `agent`'s inbox. */
  depth(agent: string): number;
  /** Release descriptors; the directory stays. */
  close(): void;
}

const AGENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class InvalidAgentId extends Error {
  constructor(id: string) {
    super(`invalid agent id ${JSON.stringify(id)}: use 1 to 64 letters, digits, '_' or '-'`);
    this.name = 'InvalidAgentId';
  }
}

export function checkAgentId(id: string): string {
  if (!AGENT_ID.test(id)) throw new InvalidAgentId(id);
  return id;
}
