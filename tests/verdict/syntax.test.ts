import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseThreshold, ThresholdSyntaxError } from '../../lib/verdict/syntax.ts';

test('the documented examples parse to the subjects they name', () => {
  const a = parseThreshold('overhead(full_integration).message_send.p50 < 1%');
  assert.deepEqual(a.subject, { kind: 'overhead', bound: 'estimate', config: 'full_integration', agents: null, operation: 'message_send' });
  assert.deepEqual([a.comparator, a.limit, a.unit], ['<', 1, '%']);

  const b = parseThreshold('overhead(metrics)@100.message_send.p50 < 0.5%');
  assert.equal(b.subject.agents, 100);
  assert.equal(b.limit, 0.5);

  const c = parseThreshold('baseline@10.message_send.p95 < 200us');
  assert.deepEqual(c.subject, { kind: 'latency', config: 'baseline', agents: 10, operation: 'message_send', stat: 'p95' });
  assert.deepEqual([c.limit, c.unit], [200, 'us']);

  const d = parseThreshold('integrity.lost == 0');
  assert.deepEqual(d.subject, { kind: 'integrity', agents: null, counter: 'lost' });
  assert.deepEqual([d.comparator, d.limit, d.unit], ['==', 0, 'count']);

  const e = parseThreshold('upper(overhead(full_integration)@10.message_receive.p50) <= 1%');
  assert.equal(e.subject.kind === 'overhead' && e.subject.bound, 'upper');
  assert.equal(e.comparator, '<=');
});

test('time units convert to microseconds; spaces are free; JSON is the text', () => {
  assert.equal(parseThreshold('baseline.message_send.p50<2ms').limit, 2000);
  assert.equal(parseThreshold('baseline.message_send.p50 < 0.5 s').limit, 500_000);
  assert.equal(parseThreshold('baseline.message_send.p50 < 30µs').limit, 30);
  assert.equal(parseThreshold('overhead(metrics).message_send.p50 < 5us').unit, 'us');
  assert.equal(parseThreshold('resolution@10.message_send < 1%').subject.kind, 'resolution');
  assert.equal(parseThreshold('lower(overhead(noop).delivery.p50) > -1%').limit, -1);
  assert.equal(JSON.stringify({ t: parseThreshold('integrity.lost == 0') }), '{"t":"integrity.lost == 0"}');
});

/** The error, and the text its caret underlines. */
function bad(text: string): { why: string; under: string } {
  try {
    parseThreshold(text);
  } catch (e) {
    assert.ok(e instanceof ThresholdSyntaxError);
    return { why: e.why, under: text.slice(e.span.start, e.span.end) };
  }
  assert.fail(`"${text}" parsed`);
}

test('bad expressions point at the bad part and say how to fix it', () => {
  let r = bad('overhead(metrcs)@100.message_send.p50 < 0.5%');
  assert.equal(r.under, 'metrcs');
  assert.match(r.why, /unknown layer "metrcs"; choose from noop, metrics/);

  r = bad('overhead(metrics).message_send.p95 < 1%');
  assert.equal(r.under, 'p95');
  assert.match(r.why, /only "\.p50"/);

  r = bad('baseline@10.message_sent.p95 < 200us');
  assert.equal(r.under, 'message_sent');

  r = bad('baseline.message_send.p95 < 200');
  assert.match(r.why, /time unit/);

  r = bad('integrity.lost == 0%');
  assert.equal(r.under, '%');

  r = bad('upper(overhead(metrics).message_send.p50 < 1%');
  assert.equal(r.under, '<');
  assert.match(r.why, /"\)" to close upper/);

  r = bad('overhead(metrics)@0.message_send.p50 < 1%');
  assert.equal(r.under, '0');

  r = bad('integrity.lost = 0');
  assert.equal(r.under, '=');

  assert.match(bad('').why, /empty threshold/);
  assert.match(bad('p(95) < 200').why, /unknown subject "p"/);
  assert.match(bad('integrity.lost == 0 && x').why, /unexpected character "&"/);
  assert.match(bad('baseline.message_send.p50 < 1ms < 2ms').why, /one comparison per --threshold/);
  assert.match(bad('upper(overhead(metrics).message_send.p50) < 5us').why, /in %/);
});

test('describe() puts a caret line under the bad part', () => {
  try {
    parseThreshold('overhead(metrcs).message_send.p50 < 1%');
    assert.fail('parsed');
  } catch (e) {
    assert.ok(e instanceof ThresholdSyntaxError);
    const lines = e.describe().split('\n');
    assert.match(lines[0]!, /^--threshold "overhead\(metrcs\)/);
    assert.equal(lines[2]!.indexOf('^'), lines[1]!.indexOf('metrcs'));
    assert.equal(lines[2]!.trim(), '^^^^^^');
  }
});
