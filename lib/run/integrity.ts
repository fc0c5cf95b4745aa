/**
 * Counts every message of a cell: each sender's messages are seq 0…sent−1; every (sender, seq)
 * received during the workload or found by the drain is ticked off once. lost = sent − seen;
 * a second sighting is a duplicate; a pair that no agent sent is unknown. A send whose call
 * failed (`failedSends`, shell driver) that never turns up is not lost but failed: the library said so.
 */
export interface IntegrityCounts {
  sent: number;
  received: number;
  drained: number;
  lost: number;
  duplicated: number;
  unknown: number;
}

export function countIntegrity(sentPerAgent: readonly number[], received: readonly Uint32Array[], drained: readonly Uint32Array[], failedSends: readonly Uint32Array[] = []): IntegrityCounts {
  const seen = sentPerAgent.map((n) => new Uint8Array(n));
  const c: IntegrityCounts = { sent: sentPerAgent.reduce((a, b) => a + b, 0), received: 0, drained: 0, lost: 0, duplicated: 0, unknown: 0 };
  const tick = (pairs: Uint32Array, field: 'received' | 'drained') => {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const marks = seen[pairs[i]!];
      const seq = pairs[i + 1]!;
      if (marks === undefined || seq >= marks.length) c.unknown++;
      else if (marks[seq]! > 0) c.duplicated++;
      else {
        marks[seq] = 1;
        c[field]++;
      }
    }
  };
  for (const r of received) tick(r, 'received');
  for (const d of drained) tick(d, 'drained');
  let failedUnseen = 0;
  for (const f of failedSends) {
    for (let i = 0; i + 1 < f.length; i += 2) {
      const marks = seen[f[i]!];
      if (marks !== undefined && f[i + 1]! < marks.length && marks[f[i + 1]!] === 0) failedUnseen++;
    }
  }
  c.lost = c.sent - c.received - c.drained - failedUnseen;
  return c;
}
