/**
 * --fault with real processes: busbench run as a user runs it (its own process, real workers,
 * real tmpfs; the shell driver's agent shells are real bash processes signalled for real). What
 * each run must lose is counted here by hand from the documented workload, not by busbench's code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOptions } from '../../lib/config/options.ts';
import { UsageError } from '../../lib/core/errors.ts';
import { busbench, newTag, parseJsonl, taggedPids, ROOT } from '../helpers/cli.ts';
import { shmDir } from '../helpers/tmpfs.ts';

const EXAMPLE = join(ROOT, 'lib/drivers/shell/example/busbench.json');

/** The workload as docs/method.md states it: agent i's k-th message goes to (i + 1 + k mod (N-1)) mod N. */
function messagesTo(to: number, n: number, senders: number[], rounds: number[]): number {
  let c = 0;
  for (const k of rounds) for (const i of senders) if ((i + 1 + (k % (n - 1))) % n === to) c++;
  return c;
}
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

async function faulted(args: string[], watch?: (tag: string) => void) {
  const base = shmDir();
  const out = join(base, 'out.jsonl');
  const tag = newTag();
  let timer: NodeJS.Timeout | undefined;
  if (watch) timer = setInterval(() => watch(tag), 20);
  const r = await busbench(['overhead', '--runs', '1', '--warmup', '0', '--base-dir', base, '--out', out, ...args], { tag });
  clearInterval(timer);
  const recs = parseJsonl(readFileSync(out, 'utf8'));
  return { r, recs, base, tag, of: (type: string) => recs.filter((x) => x.type === type) };
}

/** Seconds from the first cell's start to the end of the last, from busbench's own progress lines (startup and calibration excluded). */
function cellSpan(stderr: string): number {
  const at = [...stderr.matchAll(/^\[(\d+(?:\.\d+)?) s\] \d+\/\d+ cells/gm)].map((m) => Number(m[1]));
  assert.ok(at.length >= 2, `no progress lines in: ${stderr}`);
  return at[at.length - 1]! - at[0]!;
}

function assertClean(x: Awaited<ReturnType<typeof faulted>>): void {
  assert.deepEqual(taggedPids(x.tag), [], 'processes of the run (workers, agent shells) are left running');
  assert.deepEqual(readdirSync(x.base).filter((f) => !f.startsWith('out.')), [], 'the run directory was left behind');
}

test('bad --fault specs exit 2 naming the flag and the fix', async () => {
  const bad: [string, RegExp][] = [
    ['explode-agent:1@50%', /--fault: unknown fault kind "explode-agent"/],
    ['kill-agent:5@50%', /--fault: "kill-agent:5@50%": agent 5 is beyond scale 3/],
    ['kill-agent:1@150%', /--fault: 150 % in "kill-agent:1@150%" is outside 0-100 %/],
    ['stall-agent:1@50%:500', /--fault: "stall-agent:1@50%:500": duration "500" has no unit; write it with ms or s/],
    ['stall-agent:1@50%', /says how long the agent stalls nowhere/],
    ['kill-worker:2@50%', /worker 2 does not run at scale 3 \(workers 0-1/],
    ['restart-server:1@50%', /--fault: "restart-server:1@50%" is not a fault; use restart-server@P%\[:DURATION\]/],
    ['restart-server@50%:1', /duration "1" has no unit/],
    ['restart-server@50%', /--fault: "restart-server@50%" with --driver tmpfs: tmpfs has no server to restart .*use --driver nats or redis/],
  ];
  for (const [spec, want] of bad) {
    assert.throws(() => resolveOptions({ flags: { _: [], scales: '3,10', workers: '2', fault: spec }, env: {}, cores: 2 }), (e: unknown) => e instanceof UsageError && want.test(e.message), spec);
  }
  assert.throws(() => resolveOptions({ flags: { _: [], scales: '3', fault: 'kill-agent:1@50%', rate: '100', duration: '1s' }, env: {}, cores: 2 }), (e: unknown) => e instanceof UsageError && /--fault: strikes at a share of the closed loop's rounds/.test(e.message));
  // A server busbench did not start is not its to restart; two restarts of the one server are one too many.
  assert.throws(() => resolveOptions({ flags: { _: [], scales: '3', driver: 'nats', 'nats-url': 'nats://127.0.0.1:4222', fault: 'restart-server@50%' }, env: {}, cores: 2 }), (e: unknown) => e instanceof UsageError && /with --driver nats: busbench restarts only a nats-server it started itself; drop --nats-url/.test(e.message));
  assert.throws(() => resolveOptions({ flags: { _: [], scales: '3', driver: 'redis', fault: ['restart-server@20%', 'restart-server@60%'] }, env: {}, cores: 2 }), (e: unknown) => e instanceof UsageError && /the server is named by more than one fault/.test(e.message));
  const restart = resolveOptions({ flags: { _: [], scales: '3', driver: 'redis', fault: 'restart-server@25%:1.5s' }, env: {}, cores: 2 }).options.faults;
  assert.deepEqual(restart.map((f) => [f.kind, f.atPct, f.durationMs]), [['restart-server', 25, 1500]]);
  const ok = resolveOptions({ flags: { _: [], scales: '4', fault: ['kill-agent:3@50%', 'stall-agent:2@0%:1.5s'] }, env: {}, cores: 2 }).options.faults;
  assert.deepEqual(
    ok.map((f) => [f.kind, f.target, f.atPct, f.durationMs]),
    [
      ['kill-agent', 3, 50, undefined],
      ['stall-agent', 2, 0, 1500],
    ],
  );
  // The command itself: exit 2, the message on stderr, nothing started.
  const tag = newTag();
  const r = await busbench(['overhead', '--scales', '2', '--fault', 'kill-agent:2@50%'], { tag });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--fault: "kill-agent:2@50%": agent 2 is beyond scale 2 \(agents 0-1\)/);
  assert.deepEqual(taggedPids(tag), []);
});

test('tmpfs: a killed agent loses the mail sent to it after its death; a stalled one drains its own after the stall; exit 3, nothing left', async () => {
  // One worker, 4 agents, 20 rounds, 3 configs interleaved. Both faults strike before round 10;
  // the 2 s stall outlasts the remaining rounds, so agents 1 and 2 send rounds 0-9 only.
  const x = await faulted(['--scales', '4', '--iterations', '20', '--workers', '1', '--layers', 'health,shutdown', '--fault', 'kill-agent:1@50%', '--fault', 'stall-agent:2@50%:2s']);
  assert.equal(x.r.code, 3, x.r.stderr);
  const live = [0, 3];
  const lost = messagesTo(1, 4, live, range(10, 20));
  const waited = messagesTo(2, 4, live, range(10, 20));
  assert.ok(lost > 0 && waited > 0);
  for (const i of x.of('integrity')) {
    assert.deepEqual([i.sent, i.lost, i.leftover, i.duplicated, i.drained, i.rejected], [20 + 10 + 10 + 20, lost, lost, 0, waited, 0], String(i.test_name));
  }
  const faults = x.of('fault');
  // The tmpfs health layer calls an agent stale 5000 ms after its last heartbeat: the killed
  // agent's last was just before the strike; the 2 s stall ends before anyone could call it stale.
  const detect = faults[0]!.health_detect_ms as Record<string, number | null>;
  assert.deepEqual(Object.keys(detect), ['health']);
  assert.ok(detect.health! >= 4900 && detect.health! < 8000, `detected after ${detect.health} ms`);
  assert.deepEqual(faults[1]!.health_detect_ms, { health: null });
  // The coordinated shutdown's drain ran with agent 1 dead (it stopped the others: the cell did not fail).
  assert.equal(typeof (faults[0]!.shutdown_drain_ms as Record<string, number>).shutdown, 'number');
  assert.deepEqual(
    faults.map((f) => [f.fault, f.target, f.at_round, f.method, f.duration_ms]),
    [
      ['kill-agent:1@50%', 'agent 1', 10, 'worker stops the agent', undefined],
      ['stall-agent:2@50%:2s', 'agent 2', 10, 'worker stops the agent', 2000],
    ],
  );
  // Lifecycle: agents share the worker here (no spawn of their own), one worker opened 3 configs,
  // and the worker was started twice before this cell (the pool, then fresh after calibration).
  const [life] = x.of('lifecycle');
  assert.equal(life!.agents_ready, null);
  assert.equal((life!.open as { n: number }).n, 3);
  assert.equal((life!.worker_start as { n: number }).n, 2);
  const rss = life!.rss_mb as Record<string, { idle_mb: number | null; peak_mb: number | null }>;
  assert.equal(rss.agent_shells!.idle_mb, null);
  assert.ok(rss.workers!.idle_mb! > 0 && rss.workers!.peak_mb! >= rss.workers!.idle_mb!);
  const summary = x.of('summary')[0]!;
  assert.equal(summary.status, 'disturbed');
  assert.equal(summary.lost_total, 3 * lost);
  // The cell's own work takes well under a second here; the 2 s stall and the coordinator's watch
  // for the killed agent's staleness (5 s) lengthen it, nothing else may.
  const span = cellSpan(x.r.stderr);
  assert.ok(span < 12, `the cell took ${span.toFixed(1)} s`);
  assertClean(x);
});

test('shell driver: the agent shell is SIGKILLed or really stopped (state T) and continued; counts exact; the library\'s health query finds both', async () => {
  // The example library with its stale threshold at 300 ms (BUS_HEALTH_STALE_MS).
  const cfg = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { source: string[]; env: Record<string, string> };
  cfg.source = cfg.source.map((f) => join(ROOT, 'lib/drivers/shell/example', f));
  cfg.env.BUS_HEALTH_STALE_MS = '300';
  const file = join(shmDir(), 'busbench.json');
  writeFileSync(file, JSON.stringify(cfg));
  const stoppedSeen = new Set<number>();
  const x = await faulted(
    ['--driver', 'shell', '--driver-config', file, '--scales', '3', '--iterations', '10', '--workers', '1', '--layers', 'health', '--fault', 'kill-agent:1@50%', '--fault', 'stall-agent:2@50%:1s'],
    (tag) => {
      for (const pid of taggedPids(tag)) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) stoppedSeen.add(pid);
        } catch {
          // gone
        }
      }
    },
  );
  assert.equal(x.r.code, 3, x.r.stderr);
  const [kill, stall] = x.of('fault');
  assert.equal(kill!.signal, 'SIGKILL');
  assert.equal(stall!.signal, 'SIGSTOP');
  // One agent shell per config (baseline, health) for each agent.
  assert.equal((kill!.pids as number[]).length, 2);
  assert.deepEqual([...stoppedSeen].sort(), [...(stall!.pids as number[])].sort(), 'the stalled agent shells were seen stopped, and no other');
  // Stale 300 ms after the last heartbeat, which came just before the strike (the queries run every 10 ms).
  for (const f of [kill!, stall!]) {
    const ms = (f.health_detect_ms as Record<string, number | null>).health!;
    assert.ok(ms >= 250 && ms < 1000, `${String(f.fault)}: detected after ${ms} ms`);
  }
  // Lifecycle: 3 agents × 2 configs agent shells, each ready no later than its worker's whole open.
  const [life] = x.of('lifecycle');
  const ready = life!.agents_ready as { what: string; n: number; p50_ms: number; max_ms: number };
  assert.deepEqual([ready.what, ready.n], ['agent shell', 6]);
  assert.ok(ready.p50_ms > 0 && ready.max_ms <= (life!.open as { max_ms: number }).max_ms);
  assert.ok((life!.rss_mb as Record<string, { idle_mb: number }>).agent_shells!.idle_mb > 0);
  const lost = messagesTo(1, 3, [0], range(5, 10));
  const waited = messagesTo(2, 3, [0], range(5, 10));
  for (const i of x.of('integrity')) assert.deepEqual([i.sent, i.lost, i.drained, i.duplicated], [10 + 5 + 5, lost, waited, 0], String(i.test_name));
  assert.ok(cellSpan(x.r.stderr) < 6, `the cell took ${cellSpan(x.r.stderr).toFixed(1)} s`);
  assertClean(x);
});

test('kill-worker: the worker process is SIGKILLed, its cell recorded as lost to the fault, the matrix goes on, exit 3', async () => {
  const x = await faulted(['--scales', '2,3', '--iterations', '20', '--workers', '2', '--layers', 'noop', '--fault', 'kill-worker:1@50%']);
  assert.equal(x.r.code, 3, x.r.stderr);
  const faults = x.of('fault');
  assert.equal(faults.length, 2);
  for (const f of faults) {
    assert.equal(f.signal, 'SIGKILL');
    assert.equal((f.pids as number[]).length, 1);
  }
  assert.deepEqual(new Set(x.of('error').map((e) => e.kind)), new Set(['fault']));
  const summary = x.of('summary')[0]!;
  assert.deepEqual([summary.cells_failed, summary.cells_ok, summary.status], [2, 0, 'disturbed']);
  assertClean(x);
});

test('kill-worker with the shell driver: the killed worker\'s agent shells do not outlive it', async () => {
  const x = await faulted(['--driver', 'shell', '--driver-config', EXAMPLE, '--scales', '4', '--iterations', '10', '--workers', '2', '--layers', 'noop', '--fault', 'kill-worker:1@50%']);
  assert.equal(x.r.code, 3, x.r.stderr);
  assert.equal(x.of('fault').length, 1);
  assert.deepEqual(x.of('error').map((e) => e.kind), ['fault', 'fault']);
  assertClean(x);
});
