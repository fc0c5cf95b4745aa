import type { Pattern } from './pattern.ts';

/** Ring: agent i always sends to agent i + 1 (the last to the first); each agent has one peer each way. */
export const ring: Pattern = {
  name: 'ring',
  minAgents: 2,
  perRound: () => 1,
  to: (i, _seq, n) => (i + 1) % n,
};
