/**
 * The workload: at scale N, agent i's k-th message goes to agent (i + 1 + k mod (N-1)) mod N, so
 * every agent talks to every peer in turn and, because each round is a permutation, every agent
 * receives exactly as many messages as it sends. At N = 1 the agent messages itself.
 */
export function peerOf(i: number, k: number, n: number): number {
  if (n === 1) return 0;
  return (i + 1 + (k % (n - 1))) % n;
}

/** Agent indices a worker runs: agent i lives on worker i mod W. */
export function agentsOfWorker(worker: number, workers: number, n: number): number[] {
  const out: number[] = [];
  for (let i = worker; i < n; i += workers) out.push(i);
  return out;
}

/** A payload of about `bytes` bytes once serialised. */
export function makePayload(bytes: number): { data: string } {
  return { data: 'x'.repeat(Math.max(0, bytes - 11)) };
}

/**
 * One number naming a message within a config's cell: sender index and sequence number
 * (sender · 2^20 + seq; exact in a double for up to 10000 agents and 1,000,000 messages each).
 * Every config runs the same workload, so the same key is the same message in each of them.
 */
export function messageKey(sender: number, seq: number): number {
  return sender * 1_048_576 + seq;
}
