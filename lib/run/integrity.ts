/**
 * Counts every message of a cell. Each sender's messages are its rounds k that the bus accepted
 * (`sent`: per agent, per round, 1 sent, 2 the send's call failed, 0 not sent); every (sender, k)
 * received during the workload or found by the drain is ticked off once. lost = sent − seen; a
 * second sighting is a duplicate; a pair that no agent sent is unknown. A send whose call failed
 * that never turns up is not lost but failed: the library said so.
 */
export interface IntegrityCounts {
  sent: number;
  received: number;
  drained: number;
  lost: number;
  duplicated: number;
  unknown: number;
  /** Sends whose call failed (counted in `sent`; not lost when they never turn up). */
  failedSends: number;
}

export function countIntegrity(sent: readonly (Uint8Array | undefined)[], received: readonly Uint32Array[], drained: readonly Uint32Array[]): IntegrityCounts {
  const seen = sent.map((s) => new Uint8Array(s?.length ?? 0));
  const c: IntegrityCounts = { sent: 0, received: 0, drained: 0, lost: 0, duplicated: 0, unknown: 0, failedSends: 0 };
  for (const s of sent) {
    for (const x of s ?? []) {
      if (x !== 0) c.sent++;
      if (x === 2) c.failedSends++;
    }
  }
  const tick = (pairs: Uint32Array, field: 'received' | 'drained') => {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const agent = pairs[i]!;
      const k = pairs[i + 1]!;
      const marks = sent[agent];
      if (marks === undefined || k >= marks.length || marks[k] === 0) c.unknown++;
      else if (seen[agent]![k]! > 0) c.duplicated++;
      else {
        seen[agent]![k] = 1;
        c[field]++;
      }
    }
  };
  for (const r of received) tick(r, 'received');
  for (const d of drained) tick(d, 'drained');
  let failedUnseen = 0;
  sent.forEach((s, agent) =>
    s?.forEach((x, k) => {
      if (x === 2 && seen[agent]![k] === 0) failedUnseen++;
    }),
  );
  c.lost = c.sent - c.received - c.drained - failedUnseen;
  return c;
}
