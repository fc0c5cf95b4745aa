/**
 * The runner's failure paths, driven by the fault driver (the reference bus with faults injected
 * on the Nth send or receive of the worker running agent 0): real worker processes, real tmpfs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOptions } from '../../lib/config/options.ts';
import { runOverhead } from '../../lib/run/runner.ts';
import type { BenchRecord, ErrorRecord, IntegrityRecord, SummaryRecord } from '../../lib/records/schema.ts';
import { shmDir } from '../helpers/tmpfs.ts';

/** Live worker processes whose parent is this test process (workers left behind would be). */
function children(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Field 4 of /proc/PID/stat (after the parenthesised name) is the parent's pid.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      // The TypeScript loader's own helper process is a child too; busbench's workers run worker.ts.
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').match(/agents\/worker\.[jt]s/)) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

async function runFaults(plan: string, extra: Record<string, unknown> = {}) {
  const base = shmDir();
  const flags = { _: [], driver: 'fault', 'fault-plan': plan, scales: '2', runs: '1', iterations: '6', warmup: '0', layers: 'noop', workers: '2', out: join(base, 'out.jsonl'), 'base-dir': base, ...extra };
  const { options } = resolveOptions({ flags, env: {}, cores: 2, randomSeed: () => 3 });
  const warnings: string[] = [];
  const t0 = performance.now();
  const outcome = await runOverhead(options, { progress: () => undefined, warn: (w) => warnings.push(w), interrupted: new Promise(() => undefined) });
  const of = <T extends BenchRecord['type']>(type: T) => outcome.records.filter((r) => r.type === type) as Extract<BenchRecord, { type: T }>[];
  return { outcome, of, warnings, seconds: (performance.now() - t0) / 1000, base };
}

test('a dropped message is lost, a doubled one duplicated, a rejected one neither; the cell ends without waiting out the receive timeout', async () => {
  // One interleaved cell at 2 agents: baseline drops its 2nd send; noop doubles its 3rd and has its 4th rejected.
  // --cell-timeout 120 (× 2 configs): without the senders' counts, agents would wait 120 s for mail
  // that never comes; the whole run, startup included, takes seconds (under a minute on a loaded machine).
  const r = await runFaults('drop@2:baseline,dup@3:noop,reject@4:noop', { 'cell-timeout': '120' });
  const integ = (config: string) => r.of('integrity').find((x: IntegrityRecord) => x.test_name === config)!;
  assert.deepEqual([integ('baseline').sent, integ('baseline').lost, integ('baseline').duplicated, integ('baseline').rejected], [12, 1, 0, 0]);
  // noop: 12 rounds, one rejected (never sent), one sent twice (its second copy a duplicate).
  assert.deepEqual([integ('noop').sent, integ('noop').lost, integ('noop').duplicated, integ('noop').rejected], [11, 0, 1, 1]);
  assert.equal(r.outcome.exitCode, 1);
  const summary = r.of('summary')[0] as SummaryRecord;
  assert.deepEqual([summary.lost_total, summary.duplicated_total, summary.status], [1, 1, 'failed']);
  assert.ok(r.seconds < 60, `the run took ${r.seconds.toFixed(1)} s: the lost message was waited for`);
  assert.ok(!r.warnings.some((w) => /at the deadline/.test(w)), r.warnings.join('\n'));
  assert.deepEqual(children(), []);
});

test('a failing send and a failing drain fail their cells with an error record; the rest of the matrix is measured', async () => {
  const r = await runFaults('fail-send@2:noop,fail-drain:metrics', { layers: 'noop,metrics', 'separate-cells': true });
  const errors = r.of('error') as ErrorRecord[];
  assert.deepEqual(errors.map((e) => e.test_name).sort(), ['metrics', 'noop']);
  assert.ok(errors.some((e) => /injected fault: send 2 failed/.test(e.message)));
  assert.ok(errors.some((e) => /injected fault: drain failed/.test(e.message)));
  const baseline = r.of('integrity').filter((x: IntegrityRecord) => x.test_name === 'baseline');
  assert.equal(baseline.length, 1);
  assert.equal(baseline[0]!.ok, true);
  assert.deepEqual([r.outcome.exitCode, (r.of('summary')[0] as SummaryRecord).cells_failed], [1, 2]);
  assert.ok(r.warnings.some((w) => /cell failed: noop @ 2 agents run 1: injected fault: send 2 failed \(the matrix goes on\)/.test(w)), r.warnings.join('\n'));
  assert.deepEqual(children(), []);
});

test('a hung call and a worker that exits fail their cells; the workers are replaced and none is left behind', async () => {
  const r = await runFaults('hang-send@2:noop,exit@2:metrics', { layers: 'noop,metrics', 'separate-cells': true, 'cell-timeout': '2' });
  const errors = r.of('error') as ErrorRecord[];
  const noop = errors.find((e) => e.test_name === 'noop');
  const metrics = errors.find((e) => e.test_name === 'metrics');
  assert.match(noop?.message ?? '', /did not answer 'cell' within 2 s/);
  assert.match(metrics?.message ?? '', /exited \(code 3\)/);
  assert.equal(r.of('integrity').find((x: IntegrityRecord) => x.test_name === 'baseline')?.ok, true);
  assert.equal(r.outcome.exitCode, 1);
  assert.deepEqual(children(), []);
  assert.deepEqual(readdirSync(r.base).filter((n) => n.startsWith('busbench-')), [], 'run directory removed');
});
