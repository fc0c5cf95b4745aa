/**
 * Coordinated omission caught: a bus that stalls once for 200 ms (the fault driver's stall) hides
 * in the closed loop's latency percentiles, and shows in the open loop's latency from the intended
 * send time. One worker runs both agents, so while it stalls nobody sends: every message due in
 * those 200 ms goes out late, at once, and only its intended time remembers the wait.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeHistograms } from '../../lib/measure/histogram.ts';
import type { CellResult } from '../../lib/run/cell.ts';
import type { Operation } from '../../lib/core/words.ts';
import { cells, type Cells } from './cells.ts';

/** Nearest-rank quantile of every worker's samples of one operation, in ms. */
function quantileMs(res: CellResult, op: Operation, q: number): number {
  const all = Float64Array.from(res.parts[0]!.samples.get(op)!.flatMap((s) => Array.from(s.values))).sort();
  return all[Math.ceil(q * all.length) - 1]! / 1e6;
}

/** Messages of one operation slower than `ms`, over every worker's samples. */
function countAbove(res: CellResult, op: Operation, ms: number): number {
  return res.parts[0]!.samples.get(op)!.reduce((n, s) => n + Array.from(s.values).filter((ns) => ns > ms * 1e6).length, 0);
}

describe('a bus that stalls once for 200 ms', () => {
  let c: Cells;
  before(async () => (c = await cells(1, 'fault', { 'fault-plan': 'stall@100' })));
  after(() => c.close());

  test('closed loop: the stall is one slow call; delivery p99 stays far below it', async () => {
    // 200 rounds at 2 agents: 400 messages. The 100th send stalls.
    const res = await c.run({}, { scale: 2, iterations: 200 });
    assert.equal(res.parts[0]!.integrity.lost, 0);
    const sendMax = quantileMs(res, 'message_send', 1);
    assert.ok(sendMax >= 200, `the stall happened: slowest send ${sendMax} ms`);
    // At most the message that waited in an inbox during the stall is slow: fewer than 1 % of 400.
    const p99 = quantileMs(res, 'delivery', 0.99);
    assert.ok(p99 < 100, `closed-loop delivery p99 ${p99} ms`);
  });

  test('open loop: delivery from the intended send time shows the stall at p99; from the actual send only the few messages in flight do', async () => {
    // 100 messages/s per agent for 1.5 s at 2 agents: 300 messages, one every 5 ms; the 100th
    // send (about 0.5 s in) stalls, so about 40 messages fall due during the stall and go out up
    // to 200 ms late. The 3 slowest of 300 (the p99) are those due early in the stall: ~190 ms.
    // From the actual send, only the messages already in an inbox when the stall began wait it
    // out: one per agent on a quiet machine, a few more when the machine is busy.
    const res = await c.run({ rate: '100', duration: '1500ms' }, { scale: 2 });
    const part = res.parts[0]!;
    assert.equal(part.integrity.lost, 0);
    const intended = summarizeHistograms(part.histograms!.get('delivery_intended')!);
    assert.equal(intended.n, 300);
    assert.ok(intended.p99 / 1e6 >= 150, `open-loop delivery_intended p99 ${intended.p99 / 1e6} ms`);
    // p95 above 100 ms: at least 15 of the 300 waited that long from their intended send time.
    assert.ok(intended.p95 / 1e6 >= 100, `open-loop delivery_intended p95 ${intended.p95 / 1e6} ms`);
    const slowActual = countAbove(res, 'delivery', 100);
    assert.ok(slowActual <= 6, `${slowActual} messages above 100 ms from the actual send`);
    const late = part.lagNs!.flatMap((l) => Array.from(l)).filter((x) => x > 1e6).length;
    assert.ok(late >= 20, `${late} sends late by more than 1 ms`);
  });
});
