import type { Pattern } from './pattern.ts';
import { peerOf } from './rotation.ts';

/**
 * Broadcast: every agent sends one message to every other agent per round (N − 1 messages; its
 * message seq goes to the (seq mod (N − 1))-th peer after it), so every agent receives N − 1.
 */
export const broadcast: Pattern = {
  name: 'broadcast',
  minAgents: 2,
  perRound: (_i, n) => n - 1,
  to: peerOf,
};
