import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOptions } from '../../../lib/config/options.ts';
import { runOverhead } from '../../../lib/run/runner.ts';
import type { IntegrityRecord, SummaryRecord } from '../../../lib/records/schema.ts';
import { buildRows } from '../../../lib/report/rows.ts';
import { shellsAlive, tmpDir } from './helpers.ts';

const EX = new URL('../../../lib/drivers/shell/example/', import.meta.url).pathname;

test('a library that silently drops one message in ten is reported as lost', async () => {
  const t = tmpDir('lossy');
  try {
    // The example bus, but every 10th send returns success without delivering.
    writeFileSync(join(t.dir, 'lossy.bash'), `_sends=0\nlossy_send() { _sends=$((_sends + 1)); if ((_sends % 10 == 0)); then return 0; fi; send_message "$@"; }\n`);
    const cfg = join(t.dir, 'lossy.json');
    writeFileSync(cfg, JSON.stringify({ source: [join(EX, 'bus.bash'), 'lossy.bash'], env: { BUS_ROOT: '{dir}' }, operations: { init: 'bus_register {agent}', send: 'lossy_send {from} {to} {payload}', receive: 'receive_message {agent}' } }));
    const flags = { _: [], driver: 'shell', 'driver-config': cfg, scales: '2', runs: '1', iterations: '10', warmup: '0', layers: 'noop', workers: '1', 'cell-timeout': '6', 'op-timeout': '5', out: join(t.dir, 'out.jsonl'), 'base-dir': t.dir };
    const { options } = resolveOptions({ flags, env: {}, cores: 2, randomSeed: () => 5 });
    const warnings: string[] = [];
    const outcome = await runOverhead(options, { progress: () => undefined, warn: (w) => warnings.push(w), interrupted: new Promise(() => undefined) });
    const integ = outcome.records.filter((r): r is IntegrityRecord => r.type === 'integrity');
    assert.equal(integ.length, 2);
    for (const r of integ) {
      assert.equal(r.driver, 'shell');
      assert.equal(r.sent, 20);
      assert.equal(r.lost, 2, JSON.stringify(r));
      assert.equal(r.received + r.drained, 18);
      assert.equal(r.duplicated, 0);
      assert.equal(r.ok, false);
    }
    const summary = outcome.records.find((r): r is SummaryRecord => r.type === 'summary')!;
    assert.equal(summary.lost_total, 4);
    assert.equal(summary.status, 'failed');
    assert.equal(outcome.exitCode, 1);
    assert.ok(warnings.some((w) => /lost 2/.test(w)));
    assert.deepEqual(shellsAlive(t.dir), []);
  } finally {
    t.done();
  }
});

test('failing calls become error records and table notes; absent layers are skipped with a note', async () => {
  const t = tmpDir('calls');
  try {
    writeFileSync(join(t.dir, 'flaky.bash'), `_n=0\nflaky_metric() { _n=$((_n + 1)); if ((_n % 10 == 0)); then echo "metrics file locked ($_n)" >&2; return 7; fi; }\n`);
    const cfg = join(t.dir, 'flaky.json');
    writeFileSync(cfg, JSON.stringify({ source: [join(EX, 'bus.bash'), 'flaky.bash'], env: { BUS_ROOT: '{dir}' }, operations: { init: 'bus_register {agent}', send: 'send_message {from} {to} {payload}', receive: 'receive_message {agent}', metrics: 'flaky_metric {op}' } }));
    const flags = { _: [], driver: 'shell', 'driver-config': cfg, scales: '1', runs: '1', iterations: '20', warmup: '0', layers: 'metrics,health', workers: '1', 'cell-timeout': '6', 'op-timeout': '5', out: join(t.dir, 'out.jsonl'), 'base-dir': t.dir };
    const { options } = resolveOptions({ flags, env: {}, cores: 2, randomSeed: () => 5 });
    const outcome = await runOverhead(options, { progress: () => undefined, warn: () => undefined, interrupted: new Promise(() => undefined) });
    const errors = outcome.records.filter((r) => r.type === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const e = errors[0]!;
    assert.ok(e.type === 'error' && e.kind === 'call' && e.operation === 'metrics' && e.exit_status === 7 && e.calls === 4 && /metrics file locked \(10\)/.test(e.stderr ?? ''));
    const rows = buildRows(outcome.records);
    assert.ok(rows.notes.some((n) => /health: skipped for the shell driver \(driver config has no "health" operation\)/.test(n)), rows.notes.join('\n'));
    assert.ok(rows.notes.some((n) => /4 failed metrics \(status 7\) call/.test(n)), rows.notes.join('\n'));
    assert.equal(rows.errors, 0);
    assert.equal(outcome.exitCode, 1);
    const run = outcome.records.find((r) => r.type === 'run');
    assert.ok(run && run.type === 'run' && !run.configs.includes('health'));
    // 20 messages × 1 agent × 1 run is far below 50,000: the smallest calibration, 3 % of the full
    // one (5000 empty commands in 100 shells), where the shell driver's floor holds: 500 commands, 10 shells.
    assert.equal(run.calibration.effort, 0.03);
    const sh = run.calibration.shell;
    assert.ok(sh && sh.empty_command_n === 500 && sh.empty_command_p50_us > 0 && Number.isFinite(sh.empty_command_mean_us) && sh.shells_started === 10 && sh.shells_start_ms > 0, JSON.stringify(sh));
    assert.deepEqual(shellsAlive(t.dir), []);
  } finally {
    t.done();
  }
});
