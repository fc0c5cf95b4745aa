/**
 * --fault restart-server on the real servers: busbench stops the nats-server or redis-server it
 * started (SIGTERM), starts it again on the same port, and the agents live through it as NATS and
 * Redis applications do (reconnect, ask again). What must survive is known from outside busbench:
 * JetStream keeps its file store across a restart, so what a NATS restart may still cost is bounded
 * by the calls in flight when it struck (one per agent: each agent makes one call at a time): a
 * reply lost with the connection makes a send asked again stored twice (a duplicate), or leaves a
 * pulled message unacknowledged until long after the cell (lost). A redis-server without
 * persistence (the default) comes back empty: inboxes and consumer groups are gone, and the run goes
 * on only if the agents make their groups again. Either way every message sent is received or
 * counted lost. The layers' own calls (NATS heartbeats in KV, Redis's shutdown key and its
 * subscriber) go through the restart too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { busbench, isAlive, newTag, parseJsonl, taggedPids } from '../helpers/cli.ts';
import { shmDir } from '../helpers/tmpfs.ts';
import { skipWithout } from '../drivers/servers.ts';

// 2 agents, 80 rounds, baseline and one layer interleaved, one cell (no warm-up): each config sends 2 × 80.
// The restart strikes at round 32; the rounds after it meet the server down or coming back.
const SIZE = ['--scales', '2', '--iterations', '80', '--warmup', '0', '--runs', '1', '--workers', '1'];
const SENT = 2 * 80;
/** Calls in flight when the server stops: one per agent. */
const IN_FLIGHT = 2;

async function restarted(driver: 'nats' | 'redis', extra: string[] = []) {
  const base = shmDir();
  const out = join(base, 'out.jsonl');
  const tag = newTag();
  const r = await busbench(['overhead', '--driver', driver, ...SIZE, '--fault', 'restart-server@40%', '--base-dir', base, '--out', out, ...extra], { tag });
  const recs = parseJsonl(readFileSync(out, 'utf8'));
  const of = (type: string) => recs.filter((x) => x.type === type);
  const faults = of('fault');
  assert.equal(r.code, 3, `a disturbed run exits 3: ${r.stderr}`);
  assert.equal(faults.length, 1, 'one fault record: the one cell');
  const f = faults[0]!;
  assert.equal(f.kind, 'restart-server');
  assert.equal(f.target, 'server');
  const [before, after] = f.pids as number[];
  assert.ok(before! > 0 && after! > 0 && before !== after, `the server's pid before and after the restart differ: ${f.pids}`);
  assert.ok((f.server_outage_ms as number) > 0 && (f.server_outage_ms as number) < 10_000, `outage ${f.server_outage_ms} ms`);
  assert.equal(of('error').length, 0, `no cell failed: ${JSON.stringify(of('error'))}`);
  const integrity = of('integrity');
  assert.equal(integrity.length, 2, 'baseline and the layer');
  for (const x of integrity) {
    assert.equal(x.sent, SENT, `${x.test_name}: every send went through (asked again when the restart broke it)`);
    assert.equal((x.received as number) + (x.drained as number) + (x.lost as number), SENT, `${x.test_name}: every message is received or counted lost`);
  }
  // The cell's CPU and RSS cover the server started again: the last sample summed the harness, the
  // one worker and the new server (the old one is gone).
  const resource = of('resource');
  assert.equal(resource.length, 1);
  assert.equal(resource[0]!.processes_n, 3, `harness + worker + the restarted server: ${JSON.stringify(resource[0])}`);
  // Nothing left: neither server process, nor the run's workers, nor its directory.
  assert.ok(!isAlive(before!) && !isAlive(after!), 'a server process was left running');
  assert.deepEqual(taggedPids(tag), []);
  assert.deepEqual(readdirSync(base).filter((n) => !n.startsWith('out.')), []);
  return { integrity, f };
}

test('restart-server, NATS (health layer): JetStream keeps the inboxes across the restart; the run goes on and counts what it cost', { skip: skipWithout('nats') }, async () => {
  const { integrity } = await restarted('nats', ['--layers', 'health']);
  const cost = integrity.reduce((a, x) => a + (x.lost as number) + (x.duplicated as number), 0);
  assert.ok(cost <= IN_FLIGHT, `lost + duplicated over both configs is ${cost}: more than the ${IN_FLIGHT} calls that can be in flight (${JSON.stringify(integrity)})`);
});

test('restart-server, Redis without persistence (shutdown layer): the agents make their groups again, the run goes on, what the restart took is counted lost', { skip: skipWithout('redis') }, async () => {
  // Without the groups made again every receive after the restart fails (NOGROUP), and so would the cell.
  await restarted('redis', ['--layers', 'shutdown']);
});
