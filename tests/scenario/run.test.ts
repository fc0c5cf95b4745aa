// busbench run FILE: every shipped scenario validates, a tiny one really runs (with a flag
// overriding the file), and every kind of bad file is exit 2 naming the file and the key, with
// nothing written and nothing left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busbench, newTag, parseJsonl, ROOT, taggedPids } from '../helpers/cli.ts';
import { UsageError } from '../../lib/core/errors.ts';
import { parseScenario } from '../../lib/cli/scenario/load.ts';
import { planScenario } from '../../lib/cli/scenario/plan.ts';

const SHIPPED = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json'));

test('every scenario in scenarios/ validates (--dry-run) and lists its steps as command lines', async () => {
  assert.ok(SHIPPED.length >= 4, `scenarios/: ${SHIPPED.join(', ')}`);
  await Promise.all(
    SHIPPED.map(async (f) => {
      const r = await busbench(['run', join('scenarios', f), '--dry-run']);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
      const steps = JSON.parse(readFileSync(join(ROOT, 'scenarios', f), 'utf8')).steps?.length ?? 1;
      assert.match(r.stdout, new RegExp(`^scenarios/${f.replace('.', '\\.')}: ${steps} steps?, valid`));
      assert.equal(r.stdout.split('\n').filter((l) => / busbench (overhead|capacity|soak) /.test(l)).length, steps, r.stdout);
    }),
  );
});

test('the flags on the command line override the file in every step', async () => {
  const r = await busbench(['run', 'scenarios/burst.json', '--dry-run', '--scales', '3', '--payload-bytes', '7']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.includes('busbench overhead'));
  assert.equal(lines.length, 2);
  for (const l of lines) {
    assert.match(l, / --scales=3 /);
    assert.doesNotMatch(l, /--scales=100/);
    assert.match(l, / --payload-bytes=7 /);
    assert.doesNotMatch(l, /--payload-bytes=(256|65536)/);
  }
});

test('a tiny scenario really runs: its keys reach the run, a flag overrides one, the thresholds are judged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-scn-'));
  try {
    const out = join(dir, 'smoke.jsonl');
    const r = await busbench(['run', 'scenarios/smoke.json', '--iterations', '3', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const recs = parseJsonl(readFileSync(out, 'utf8'));
    const run = recs.find((x) => x.type === 'run') as { config: Record<string, unknown>; configs: string[] };
    assert.deepEqual(run.config.scales, [1, 2]);
    assert.equal(run.config.iterations, 3);
    assert.deepEqual(run.configs, ['baseline', 'metrics']);
    // 3 messages per agent and config, one run, no warm-up: 3 at 1 agent, 6 at 2 agents.
    const integrity = recs.filter((x) => x.type === 'integrity') as { test_name: string; agent_count: number; sent: number; lost: number }[];
    assert.equal(integrity.length, 4);
    for (const i of integrity) assert.equal(i.sent, 3 * i.agent_count, JSON.stringify(i));
    const th = recs.filter((x) => x.type === 'threshold') as { expression: string; passed: boolean }[];
    assert.deepEqual(th.map((t) => [t.expression, t.passed]), [['integrity.lost == 0', true]]);
    assert.ok(existsSync(join(dir, 'smoke.html')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const BAD: { name: string; body: unknown; cli?: string[]; want: RegExp[] }[] = [
  { name: 'an unknown key', body: { scales: [1], sacles: [2] }, want: [/"sacles": unknown key/] },
  { name: 'a key of another command', body: { scales: [1], predict: [10] }, want: [/"predict": unknown key for the overhead command/] },
  { name: 'a wrong type', body: { runs: { n: 2 } }, want: [/"runs": expected a string, a number or a list of them .*got an object/] },
  { name: 'a switch given a string', body: { raw: 'yes' }, want: [/"raw": expected true or false, got the string "yes"/] },
  { name: 'a bad value', body: { scales: [1, 0] }, want: [/"scales": 0 agents is too few/] },
  { name: 'a bad threshold', body: { threshold: ['integrity.lots == 0'] }, want: [/"threshold" "integrity.lots == 0": unknown integrity counter/] },
  { name: 'a threshold on a scale not measured', body: { scales: [1], threshold: 'integrity@5.lost == 0' }, want: [/"threshold" "integrity@5.lost == 0": 5 agents is not measured/] },
  { name: 'an unknown command', body: { command: 'overheat' }, want: [/"command": unknown command "overheat"/] },
  { name: 'a bad step', body: { steps: [{ name: 'a', iterations: -1 }, 'b'] }, want: [/steps\[0\] "iterations": "-1" is not a whole number/, /steps\[1\]: a step is an object/] },
  { name: 'two steps of one name', body: { steps: [{ name: 'a' }, { name: 'a' }] }, want: [/two steps are named "a"/] },
  { name: 'the same option twice', body: { 'payload-bytes': 10, payloadBytes: 20 }, want: [/"payloadBytes": sets "payload-bytes" again/] },
  { name: 'not an object', body: [1, 2], want: [/a scenario is a JSON object/] },
  { name: 'a flag no step takes', body: { scales: [1] }, cli: ['--predict', '10'], want: [/--predict: unknown flag for this scenario's steps/] },
];

/** The problems planning a scenario value gives (as `busbench run` would report them), or [] when it is valid. */
function problemsOf(body: unknown, file: string, cli: Record<string, unknown> = {}): string[] {
  try {
    planScenario(parseScenario(body, file), cli, {});
    return [];
  } catch (e) {
    if (e instanceof UsageError) return [...e.problems];
    throw e;
  }
}

test('every kind of problem in a scenario names the file and the key, all at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-scn-'));
  try {
    for (const [i, c] of BAD.entries()) {
      const file = `bad${i}.json`;
      const out = join(dir, `out${i}.jsonl`);
      const body = Array.isArray(c.body) ? c.body : { ...(c.body as object), out };
      let problems: string[];
      try {
        problems = problemsOf(body, file, Object.fromEntries(Array.from({ length: (c.cli ?? []).length / 2 }, (_, k) => [c.cli![2 * k]!.slice(2), c.cli![2 * k + 1]!])));
      } catch (e) {
        problems = e instanceof UsageError ? [...e.problems] : [String(e)];
      }
      assert.ok(problems.length > 0, `${c.name}: no problem found`);
      for (const w of c.want) assert.ok(problems.some((p) => w.test(p)), `${c.name}: ${w} not in\n${problems.join('\n')}`);
      if (c.cli === undefined) for (const p of problems) assert.ok(p.includes(file), `${c.name}: the problem does not name the file: ${p}`);
      assert.equal(existsSync(out), false, `${c.name}: ${out} was written`);
    }
    // Several problems of one file come together.
    assert.equal(problemsOf({ sacles: [1], runs: true, scales: [0] }, 'x.json').length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('busbench run: a bad file exits 2 before anything runs, nothing written or left running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-scn-'));
  try {
    const out = join(dir, 'out.jsonl');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ scales: [1], iterations: 'many', out }));
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{"scales": [1,');
    const tag = newTag();
    const [r, broken, missing] = await Promise.all([busbench(['run', bad], { tag }), busbench(['run', notJson]), busbench(['run', join(dir, 'nope.json')])]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad\.json: "iterations": "many" is not a whole number/);
    assert.equal(existsSync(out), false);
    assert.deepEqual(taggedPids(tag), []);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.json: not valid JSON/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot read it \(no such file\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every option of the spec tables is a scenario key, by its flag name and by its option key', async () => {
  const { SPECS } = await import('../../lib/config/options.ts');
  const { CAPACITY_SPECS } = await import('../../lib/capacity/flags.ts');
  const { DRIVERS } = await import('../../lib/drivers/registry.ts');
  const { STEP_COMMANDS } = await import('../../lib/cli/scenario/commands.ts');
  const { keyIndex } = await import('../../lib/cli/scenario/keys.ts');
  const overhead = keyIndex(STEP_COMMANDS.overhead!.keys());
  const capacity = keyIndex(STEP_COMMANDS.capacity!.keys());
  for (const s of SPECS) {
    assert.equal(overhead.get(s.flag.slice(2))?.name, s.flag.slice(2));
    assert.equal(overhead.get(s.key)?.name, s.flag.slice(2));
  }
  for (const d of DRIVERS) for (const f of d.flags) assert.equal(overhead.get(f.flag.slice(2))?.name, f.flag.slice(2));
  for (const s of CAPACITY_SPECS) {
    assert.equal(capacity.get(s.flag.slice(2))?.name, s.flag.slice(2));
    // budget-p95 → budgetP95, as a script writes it (and the option key budgetP95Ms).
    assert.equal(capacity.get(s.flag.slice(2).replace(/-(.)/g, (_, c: string) => c.toUpperCase()))?.name, s.flag.slice(2));
    assert.equal(capacity.get(s.key)?.name, s.flag.slice(2));
    assert.equal(overhead.get(s.flag.slice(2)), undefined);
  }
});
