import type { Pattern } from './pattern.ts';

/**
 * Rotation (the closed loop's historical workload): at scale N, agent i's k-th message goes to
 * agent (i + 1 + k mod (N-1)) mod N, so every agent talks to every peer in turn and, because each
 * round is a permutation, every agent receives exactly as many messages as it sends. At N = 1 the
 * agent messages itself.
 */
export function peerOf(i: number, k: number, n: number): number {
  if (n === 1) return 0;
  return (i + 1 + (k % (n - 1))) % n;
}

export const rotation: Pattern = {
  name: 'rotation',
  minAgents: 1,
  perRound: () => 1,
  to: peerOf,
};
