// busbench ab: bad input exits 2 naming the flag, before anything is created or started; the
// option-string splitter and the verdict/gate rules, by hand-made cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { busbench, newTag, ROOT, taggedPids } from '../helpers/cli.ts';
import { diskDir, shmDir } from '../helpers/tmpfs.ts';
import { parseAbFlags, resolveAb, splitWords } from '../../lib/ab/flags.ts';
import { UsageError } from '../../lib/core/errors.ts';
import { abRecords, gateOf, verdictOf } from '../../lib/ab/verdict.ts';
import type { Aggregator } from '../../lib/run/aggregate.ts';
import { overheadFromRuns } from '../../lib/stats/overhead.ts';
import { holm } from '../../lib/stats/student.ts';
import { exampleRepo } from './repo.ts';

const base = shmDir('busbench-ab-input-');
const out = join(diskDir('busbench-ab-out-'), 'r.jsonl');
const repo = exampleRepo(diskDir('busbench-ab-repo-'), 'printf "%s" "$id" >/dev/null');
const shell = ['--driver', 'shell', '--driver-config', repo.config];
// A commit of the empty tree, reachable by its id only (no branch, the checkout unchanged).
const empty = repo.git('commit-tree', repo.git('hash-object', '-t', 'tree', '/dev/null'), '-m', 'nothing');

const cases: { name: string; args: string[]; says: RegExp[] }[] = [
  { name: 'identical variants without --aa', args: [], says: [/--a\/--b: the two variants are identical/, /--aa/] },
  { name: 'identical variants: the same layer option on both sides', args: ['--a', '--health-interval-ms 5', '--b', '--health-interval-ms 5'], says: [/identical/] },
  { name: 'an invalid variant option', args: ['--b', '--health-interval-ms fast'], says: [/--b '--health-interval-ms fast': --health-interval-ms: "fast" is not a number/] },
  { name: 'an unknown flag in a variant', args: ['--a', '--bogus-flag 1'], says: [/--a '--bogus-flag 1': --bogus-flag: unknown flag/] },
  { name: 'a driver flag of a driver not chosen, in a variant', args: ['--b', '--nats-url nats://127.0.0.1:4222'], says: [/--b '--nats-url nats:\/\/127.0.0.1:4222': --nats-url: only used with --driver nats/] },
  { name: 'variants that differ in scales', args: ['--b', '--scales 3'], says: [/--scales: differs between the variants \(A \[1\], B \[3\]\).*incomparable/] },
  { name: 'variants that differ in iterations', args: ['--a', '--iterations 50'], says: [/--iterations: differs between the variants/] },
  { name: 'a setting of the whole run inside a variant', args: ['--b', '--out /tmp/x.jsonl'], says: [/--b '--out \/tmp\/x.jsonl': --out is a setting of the whole run/] },
  { name: 'an unclosed quote', args: ['--b', "--health-interval-ms '5"], says: [/--b: .* has an unclosed '/] },
  { name: '--b-delay-us with a driver that cannot take it', args: ['--driver', 'redis', '--b-delay-us', '5'], says: [/--b-delay-us: not available with --driver redis/] },
  { name: '--b-delay-us not a number', args: ['--b-delay-us', 'lots'], says: [/--b-delay-us: "lots" is not a number/] },
  { name: '--b-delay-us in fractions of a µs with the shell driver', args: [...shell, '--b-delay-us', '0.4'], says: [/--b-delay-us: 0\.4 µs with --driver shell, whose busy-wait counts whole µs; give a whole number, e\.g\. --b-delay-us 1/] },
  { name: '--fail-on-regression not a percentage', args: ['--aa', '--fail-on-regression', 'two'], says: [/--fail-on-regression: "two" is not a percentage/] },
  { name: '--separate-cells', args: ['--aa', '--separate-cells'], says: [/--separate-cells: ab measures A and B taking turns/] },
  { name: 'a revision that does not exist', args: [...shell, '--a-rev', 'no-such-branch', '--b-rev', 'HEAD'], says: [/--a-rev: no commit "no-such-branch" in the repository at /] },
  { name: 'two revisions naming the same commit, without --aa', args: [...shell, '--a-rev', 'HEAD', '--b-rev', repo.changed], says: [/identical \(same options, library and revision\)/] },
  { name: 'a revision without the driver config', args: [...shell, '--a-rev', empty, '--b-rev', 'HEAD'], says: [/--a-rev: revision "[0-9a-f]{40}" \([0-9a-f]{12}\) has no busbench.json/] },
  { name: 'revisions with a driver other than shell', args: ['--a-rev', 'HEAD'], says: [/--a-rev: revisions are of a bash library: use it with --driver shell alone/] },
];

// Every case through the options pipeline in this process (fast); three of them also as a user
// runs them (below), for the exit code, the message and the absence of any damage.
for (const c of cases) {
  test(`bad input: ${c.name}`, () => {
    let problems: readonly string[] = [];
    try {
      resolveAb({ flags: parseAbFlags(['--scales', '1', '--base-dir', base, '--out', out, ...c.args]), env: {}, cores: 2 });
    } catch (e) {
      assert.ok(e instanceof UsageError, `not a usage error: ${String(e)}`);
      problems = e.problems;
    }
    assert.ok(problems.length > 0, 'accepted');
    for (const re of c.says) assert.ok(problems.some((p) => re.test(p)), `no problem matches ${re}:\n${problems.join('\n')}`);
  });
}

test('exit 2 from the command, nothing created, nothing left running', async () => {
  const chosen = cases.filter((c) => /identical variants without|invalid variant option|revision that does not exist/.test(c.name));
  assert.equal(chosen.length, 3);
  await Promise.all(
    chosen.map(async (c) => {
      const tag = newTag();
      const r = await busbench(['ab', '--scales', '1', '--base-dir', base, '--out', out, ...c.args], { tag });
      assert.equal(r.code, 2, `${c.name}: exit ${r.code}\n${r.stderr}`);
      for (const re of c.says) assert.match(r.stderr, re);
      assert.match(r.stderr, /Run 'busbench ab --help' for the flags/);
      assert.deepEqual(taggedPids(tag), [], 'nothing left running');
    }),
  );
  assert.deepEqual(readdirSync(base), [], 'nothing created in the base directory');
  assert.equal(existsSync(out), false, 'no results file');
});

test('the repository whose revisions were looked up is untouched', () => {
  assert.equal(repo.git('status', '--porcelain'), '');
  assert.equal(repo.git('worktree', 'list').split('\n').length, 1);
  assert.equal(repo.git('rev-parse', 'HEAD'), repo.changed);
});

test('variant option strings are split like shell words, quotes kept literal', () => {
  assert.deepEqual(splitWords('--health-interval-ms 100', '--b'), ['--health-interval-ms', '100']);
  assert.deepEqual(splitWords(`  --driver-config '/a b/c.json'   --op-timeout "5" `, '--b'), ['--driver-config', '/a b/c.json', '--op-timeout', '5']);
  assert.deepEqual(splitWords(String.raw`--x a\ b "q\"uote" ''`, '--a'), ['--x', 'a b', 'q"uote', '']);
  assert.deepEqual(splitWords('', '--a'), []);
  assert.throws(() => splitWords('--x "open', '--a'), /--a: .*unclosed "/);
});

test('verdicts: the interval against the bound, else the Holm-adjusted p against 0.05', () => {
  // An estimate inside its interval; p: the adjusted p-value (null: no interval).
  const ci = (lo: number | null, hi: number | null) => ({ ci_low_pct: lo, ci_high_pct: hi, overhead_pct: lo === null || hi === null ? 0 : (lo + hi) / 2 });
  assert.equal(verdictOf(ci(0.5, 3), null, 0.01), 'slower');
  assert.equal(verdictOf(ci(-3, -0.1), null, 0.01), 'faster');
  assert.equal(verdictOf(ci(-1, 1), null, 0.9), 'no significant change');
  // The cell's own interval excludes 0, but over the run's cells the call does not hold.
  assert.equal(verdictOf(ci(0.1, 1.5), null, 0.12), 'no significant change');
  assert.equal(verdictOf(ci(null, null), null, null), 'inconclusive');
  // --fail-on-regression 2%
  assert.equal(verdictOf(ci(2.1, 5), 2, 0.001), 'slower'); // entirely above: a regression
  assert.equal(verdictOf(ci(2.1, 5), 2, 0.2), 'slower'); // a regression is read from the interval alone
  assert.equal(verdictOf(ci(1, 3), 2, 0.01), 'inconclusive'); // straddles the bound
  assert.equal(verdictOf(ci(-1, 2), 2, 0.5), 'inconclusive'); // reaches it
  assert.equal(verdictOf(ci(0.5, 1.9), 2, 0.01), 'slower'); // slower, but surely by less than 2 %
  assert.equal(verdictOf(ci(0.5, 1.9), 2, 0.08), 'no significant change');
  assert.equal(verdictOf(ci(-1, 1.9), 2, 0.7), 'no significant change');
  assert.equal(verdictOf(ci(-4, -1), 2, 0.01), 'faster');
  assert.equal(verdictOf(ci(null, null), 2, null), 'inconclusive');
});

test("Holm's adjustment, by hand (Holm 1979's step-down)", () => {
  // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → monotone: 0.02, 0.03, 0.06, 0.06.
  const adj = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((want, i) => assert.ok(Math.abs(adj[i]! - want) < 1e-12, `${i}: ${adj[i]} vs ${want}`));
  assert.deepEqual(holm([0.5, 0.6]), [1, 1]); // 0.5 × 2 = 1; 0.6 × 1 kept at 1 (monotone)
  assert.deepEqual(holm([]), []);
});

test('the gate: 99 for any regression, else 98 for any inconclusive cell, else none (exit 0)', () => {
  const cell = (lo: number | null, hi: number | null, bound: number | null) => ({ test_name: 'baseline' as const, agent_count: 10, operation: 'message_send' as const, ci_low_pct: lo, ci_high_pct: hi, fail_on_regression_pct: bound, verdict: verdictOf({ ci_low_pct: lo, ci_high_pct: hi, overhead_pct: lo === null || hi === null ? 0 : (lo + hi) / 2 }, bound, lo === null ? null : lo > 0 || (hi as number) < 0 ? 0.01 : 0.5) });
  assert.equal(gateOf([cell(3, 9, null)], null), null, 'no bound: no gate');
  assert.equal(gateOf([cell(-1, 1, 2), cell(2.5, 4, 2), cell(1, 3, 2)], 2)?.exitCode, 99);
  assert.match(gateOf([cell(2.5, 4, 2)], 2)!.reason, /regression beyond 2%: baseline @ 10 send/);
  assert.equal(gateOf([cell(-1, 1, 2), cell(1, 3, 2)], 2)?.exitCode, 98);
  assert.equal(gateOf([cell(-1, 1, 2), cell(null, null, 2)], 2)?.exitCode, 98);
  assert.equal(gateOf([], 2)?.exitCode, 98, 'nothing compared is not a pass');
  assert.equal(gateOf([cell(-1, 1, 2), cell(0.2, 1.5, 2)], 2), null);
});

test('thresholds read ab records: ab(CONFIG)[@N].OP.p50, and the bounds of its interval', async () => {
  const { parseThreshold } = await import('../../lib/verdict/syntax.ts');
  const { evaluateThreshold } = await import('../../lib/verdict/evaluate.ts');
  const rec = (agents: number, lo: number, hi: number) => ({ schema: 1, timestamp: '', driver: 'tmpfs', type: 'ab', test_name: 'baseline', agent_count: agents, operation: 'message_send', statistic: 'p50', a_p50_ms: 0.02, b_p50_ms: 0.0201, change_pct: (lo + hi) / 2, ci_low_pct: lo, ci_high_pct: hi, change_us: 0.1, runs_n: 5, per_run_pct: [], fail_on_regression_pct: null, verdict: 'no significant change', method: 'paired_t_matched_log_ratio' }) as never;
  const records = [rec(1, -3, 2.5), rec(10, -0.5, 1.9)];
  const judge = (text: string) => evaluateThreshold(parseThreshold(text), records);
  assert.equal(judge('upper(ab(baseline)@10.message_send.p50) < 2%').passed, true);
  const all = judge('upper(ab(baseline).message_send.p50) < 2%');
  assert.equal(all.passed, false);
  assert.equal(all.worst, 2.5);
  assert.equal(judge('ab(baseline)@10.message_send.p50 < 1%').passed, true); // estimate 0.7 %
  assert.equal(judge('lower(ab(baseline)@1.message_send.p50) > -2%').passed, false); // -3 %
  assert.equal(judge('ab(noop).message_send.p50 < 1%').passed, false, 'nothing measured is not a pass');
  assert.throws(() => parseThreshold('ab(baseline).delivery.p50 < 1%'), /unknown operation for an A\/B change "delivery"/);
  assert.throws(() => parseThreshold('upper(ab(baseline).message_send.p50) < 2us'), /a bound of the interval in %/);
});

test('two driver configs given only per variant: the run resolves, each variant with its own library', () => {
  const example = join(ROOT, 'lib/drivers/shell/example/busbench.json');
  const r = resolveAb({ flags: parseAbFlags(['--driver', 'shell', '--scales', '1', '--base-dir', base, '--out', out, '--a', `--driver-config ${example}`, '--b', `--driver-config '${repo.config}'`]), env: {}, cores: 2 });
  const file = (i: 0 | 1) => (r.variants[i].options.driverSettings.shell as { config: { file: string } }).config.file;
  assert.deepEqual([file(0), file(1)], [example, repo.config]);
});

test('ab runs 10 statistical runs unless told otherwise', () => {
  assert.equal(resolveAb({ flags: { _: [], aa: true, scales: '1' }, env: {}, cores: 2 }).options.runs, 10);
  assert.equal(resolveAb({ flags: { _: [], aa: true, scales: '1', runs: '4' }, env: {}, cores: 2 }).options.runs, 4);
});

test("a run's verdicts are read from Holm-adjusted p-values over all its cells, not from each cell's own", () => {
  // Three cells whose intervals all lie above 0 (each called slower on its own): raw p 0.01, 0.03, 0.04.
  // By hand: sorted × 3, × 2, × 1 = 0.03, 0.06, 0.04 → monotone 0.03, 0.06, 0.06: only the first holds.
  const cell = (config: 'baseline' | 'noop' | 'metrics', p: number) => ({
    config,
    scale: 10,
    op: 'message_send' as const,
    estimate: { overhead_pct: 1, ci_low_pct: 0.2, ci_high_pct: 1.8, significant: true, p_value: p, runs_n: 10, per_run_pct: [] },
    p50Ns: 20_200,
    againstP50Ns: 20_000,
  });
  const agg = { versus: () => [cell('baseline', 0.01), cell('noop', 0.03), cell('metrics', 0.04)] } as unknown as Aggregator;
  const recs = abRecords(agg, null);
  assert.deepEqual(
    recs.map((r) => [r.test_name, r.p_value, r.p_adjusted, r.family_size, r.verdict]),
    [
      ['baseline', 0.01, 0.03, 3, 'slower'],
      ['noop', 0.03, 0.06, 3, 'no significant change'],
      ['metrics', 0.04, 0.06, 3, 'no significant change'],
    ],
  );
});

test('the paired t test p-value of the per-run figures, against the t table', () => {
  // Three runs, mean m and spread ±δ: t = m / (δ / √3). With t = 4.303, Student's 0.975 quantile at
  // 2 degrees of freedom (any printed table), the two-sided p is 0.05.
  const delta = 0.01;
  const m = (4.303 * delta) / Math.sqrt(3);
  const e = overheadFromRuns([m - delta, m, m + delta]);
  assert.ok(Math.abs(e.p_value! - 0.05) < 1e-4, `p ${e.p_value}`);
  assert.equal(overheadFromRuns([0.01]).p_value, null, 'one run: no test');
});
