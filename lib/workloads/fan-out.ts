import type { Pattern } from './pattern.ts';

/**
 * Fan-out: the coordinator (agent 0) sends one message to every other agent per round (its
 * message seq goes to agent 1 + seq mod (N − 1)); the others only receive.
 */
export const fanOut: Pattern = {
  name: 'fan-out',
  minAgents: 2,
  perRound: (i, n) => (i === 0 ? n - 1 : 0),
  to: (_i, seq, n) => 1 + (seq % (n - 1)),
};
