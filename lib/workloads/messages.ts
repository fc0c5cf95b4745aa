/** Rotation, the closed loop's historical pattern, lives with the other patterns in lib/workloads/. */
export { peerOf } from './rotation.ts';

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
