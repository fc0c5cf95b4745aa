import type { Pattern } from './pattern.ts';

/** Fan-in: every agent but the coordinator (agent 0) sends to the coordinator, which only receives. */
export const fanIn: Pattern = {
  name: 'fan-in',
  minAgents: 2,
  perRound: (i) => (i === 0 ? 0 : 1),
  to: () => 0,
};
