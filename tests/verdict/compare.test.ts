import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, NOISE_FACTOR, regressions, welch } from '../../lib/verdict/compare.ts';
import { differences } from '../../lib/verdict/fingerprint.ts';
import type { RunRecord } from '../../lib/records/schema.ts';
import { tQuantile } from '../../lib/stats/student.ts';
import { fixtureRecords } from './fixture.ts';

test('welch: difference, standard error and Welch–Satterthwaite df, by hand', () => {
  // x = 1,2,3 (mean 2, var 1); y = 2,4,6,8 (mean 5, var 20/3)
  const w = welch([1, 2, 3], [2, 4, 6, 8]);
  const vx = 1 / 3;
  const vy = 20 / 3 / 4;
  assert.ok(Math.abs(w.diff - 3) < 1e-12);
  assert.ok(Math.abs(w.se - Math.sqrt(vx + vy)) < 1e-12);
  assert.ok(Math.abs(w.df - (vx + vy) ** 2 / (vx ** 2 / 2 + vy ** 2 / 3)) < 1e-12);
});

test('A/A: a file compared with itself has no significant change anywhere', () => {
  const r = fixtureRecords();
  const c = compareRuns(r, r);
  assert.ok(c.tested > 0);
  assert.equal(c.tested, c.cells.length);
  for (const x of c.cells) {
    assert.equal(x.verdict, 'no significant change');
    assert.ok(Math.abs(x.change_pct!) < 1e-9);
  }
  // Two different files of the same build: the layer's runs move within their own spread.
  const again = fixtureRecords({ metricsPerRun: [0.55, 0.42, 0.6, 0.47, 0.5] });
  const m = compareRuns(r, again).cells.filter((x) => x.config === 'metrics');
  assert.ok(m.length > 0 && m.every((x) => x.change_pct !== 0 && x.verdict === 'no significant change'), JSON.stringify(m.map((x) => [x.change_pct, x.verdict])));
});

test('a layer made 20 % slower is "slower" with an interval covering 20 %, and only that layer', () => {
  const old = fixtureRecords({ metricsPerRun: [0.4, 0.6, 0.5, 0.45, 0.55] });
  const slow = fixtureRecords({ metricsPerRun: [20.4, 20.7, 20.5, 20.3, 20.6] });
  const c = compareRuns(old, slow);
  const metrics = c.cells.filter((x) => x.config === 'metrics');
  assert.equal(metrics.length, 4);
  for (const x of metrics) {
    assert.equal(x.method, 'relative_to_baseline');
    assert.equal(x.verdict, 'slower');
    // (1.205 / 1.005) − 1 ≈ 19.9 %
    assert.ok(x.ci_low_pct! < 19.9 && x.ci_high_pct! > 19.9, `${x.ci_low_pct} … ${x.ci_high_pct}`);
  }
  for (const x of c.cells.filter((y) => y.config !== 'metrics')) assert.equal(x.verdict, 'no significant change', `${x.config} ${x.operation}`);
  assert.equal(regressions(c, 5).length, 4);
  assert.equal(regressions(c, 25).length, 0);
});

test('the baseline is compared on its raw per-run medians; intervals are Bonferroni-simultaneous', () => {
  const old = fixtureRecords();
  const faster = fixtureRecords({ basePerRun: [0.016, 0.0161, 0.0159, 0.0162, 0.016] });
  const c = compareRuns(old, faster);
  const b = c.cells.find((x) => x.config === 'baseline' && x.agents === 10 && x.operation === 'message_send')!;
  assert.equal(b.method, 'raw');
  assert.equal(b.verdict, 'faster');
  // By hand: Welch on the logs, quantile 1 − 0.05 / (2 m).
  const x = old.flatMap((r) => (r.type === 'statistics' && r.test_name === 'baseline' && r.agent_count === 10 && r.operation === 'message_send' ? r.per_run_p50_ms! : [])).map(Math.log);
  const y = [0.016, 0.0161, 0.0159, 0.0162, 0.016].map(Math.log);
  const w = welch(x, y);
  w.se *= NOISE_FACTOR;
  const q = tQuantile(1 - 0.05 / (2 * c.tested), w.df);
  assert.ok(Math.abs(b.ci_low_pct! - (Math.exp(w.diff - q * w.se) - 1) * 100) < 1e-9);
  assert.ok(Math.abs(b.change_pct! - (Math.exp(w.diff) - 1) * 100) < 1e-9);
});

test('cells with fewer than 2 runs are not tested; files with nothing in common give no cells', () => {
  const one = fixtureRecords().map((r) => (r.type === 'statistics' ? { ...r, per_run_p50_ms: [r.p50_ms] } : r.type === 'overhead' ? { ...r, per_run_pct: [r.overhead_pct] } : r));
  const c = compareRuns(one, one);
  assert.equal(c.tested, 0);
  assert.ok(c.cells.every((x) => x.verdict === 'not enough runs'));
  assert.equal(compareRuns(fixtureRecords({ scales: [1] }), fixtureRecords({ scales: [10] })).cells.length, 0);
});

test('fingerprint: machine, build and settings differences are told apart', () => {
  const a = fixtureRecords()[0] as RunRecord;
  const b = { ...a, git_sha: 'b'.repeat(40), host: { ...a.host, cpu_model: 'Other CPU' }, config: { ...a.config, runs: 10 } };
  const d = differences(a, b);
  assert.deepEqual(d.machine.map((x) => x.field), ['cpu_model']);
  assert.deepEqual(d.build.map((x) => x.field), ['git_sha']);
  assert.deepEqual(d.settings.map((x) => x.field), ['runs']);
  assert.deepEqual(differences(a, a), { machine: [], build: [], settings: [] });
});

test('layersOnly: only cells relative to the bare bus are compared (the baseline is left out)', () => {
  const old = fixtureRecords();
  const drift = fixtureRecords({ basePerRun: [0.03, 0.0302, 0.0299, 0.0301, 0.03] }); // the machine got 50 % slower
  const all = compareRuns(old, drift);
  assert.ok(all.cells.some((x) => x.config === 'baseline' && x.verdict === 'slower'));
  const layers = compareRuns(old, drift, { layersOnly: true });
  assert.ok(layers.cells.length > 0);
  assert.ok(layers.cells.every((x) => x.method === 'relative_to_baseline' && x.verdict === 'no significant change'));
  assert.equal(layers.tested, layers.cells.length);
});

test('the noise factor widens every interval; a change the runs alone would call is not called at 2×', () => {
  const old = fixtureRecords({ metricsPerRun: [0.4, 0.6, 0.5, 0.45, 0.55] });
  const slightly = fixtureRecords({ metricsPerRun: [0.65, 0.85, 0.75, 0.7, 0.8] }); // +0.25 % relative to the bus
  const plain = compareRuns(old, slightly, { noiseFactor: 1 });
  const wide = compareRuns(old, slightly);
  assert.equal(wide.noise_factor, NOISE_FACTOR);
  const pick = (c: ReturnType<typeof compareRuns>) => c.cells.filter((x) => x.config === 'metrics' && x.operation === 'message_send');
  for (const [a, b] of pick(plain).map((x, i) => [x, pick(wide)[i]!] as const)) {
    assert.equal(a.verdict, 'slower', 'significant on the runs alone');
    assert.equal(b.verdict, 'no significant change', `not at ${NOISE_FACTOR}×`);
    assert.ok(Math.abs(a.change_pct! - b.change_pct!) < 1e-12, 'the estimate does not change');
    // Half-widths on the log scale scale with the factor (same df).
    const half = (x: typeof a) => (Math.log(1 + x.ci_high_pct! / 100) - Math.log(1 + x.ci_low_pct! / 100)) / 2;
    assert.ok(Math.abs(half(b) / half(a) - NOISE_FACTOR) < 1e-9);
  }
});

test('interleaved runs: delivery is left out of the comparison, and the comparison says why', () => {
  // The fixture's receive statistics, copied as delivery: a raw-compared operation.
  const withDelivery = () => fixtureRecords().flatMap((x) => (x.type === 'statistics' && x.operation === 'message_receive' ? [x, { ...x, operation: 'delivery' as const }] : [x]));
  const r = withDelivery().map((x) => (x.type === 'run' ? { ...x, interleaved: true } : x));
  const c = compareRuns(r, r);
  assert.ok(c.cells.length > 0);
  assert.ok(c.cells.every((x) => x.operation !== 'delivery'));
  assert.deepEqual(c.skipped.map((s) => s.operation), ['delivery']);
  assert.ok(compareRuns(withDelivery(), withDelivery()).cells.some((x) => x.operation === 'delivery'), 'compared with cells per config');
});
