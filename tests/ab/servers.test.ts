// busbench ab with two servers: variant A on one NATS server, variant B on another (two URLs), both
// real, started by the test and stopped after. Each server must have carried messages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { busbench, newTag, parseJsonl, taggedPids } from '../helpers/cli.ts';
import { diskDir, shmDir } from '../helpers/tmpfs.ts';
import { skipWithout } from '../drivers/servers.ts';

const skip = skipWithout('nats');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function listening(port: number, deadline = Date.now() + 15_000): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => (c.end(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

const servers: ChildProcess[] = [];
after(() => {
  for (const s of servers) s.kill('SIGTERM');
});

async function natsServer(): Promise<{ url: string; monitor: number }> {
  const [port, monitor] = [await freePort(), await freePort()];
  const p = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-sd', diskDir('busbench-ab-nats-')], { stdio: 'ignore' });
  servers.push(p);
  await listening(port);
  await listening(monitor);
  return { url: `nats://127.0.0.1:${port}`, monitor };
}

const inMsgs = async (monitor: number) => ((await (await fetch(`http://127.0.0.1:${monitor}/varz`)).json()) as { in_msgs: number }).in_msgs;

test('two NATS servers by URL: A on one, B on the other, compared in one run', { skip }, async () => {
  const [a, b] = [await natsServer(), await natsServer()];
  const before = [await inMsgs(a.monitor), await inMsgs(b.monitor)];
  const out = join(diskDir('busbench-ab-servers-'), 'r.jsonl');
  const base = shmDir('busbench-ab-servers-');
  const tag = newTag();
  const r = await busbench(['ab', '--driver', 'nats', '--a', `--nats-url ${a.url}`, '--b', `--nats-url ${b.url}`, '--scales', '2', '--runs', '2', '--iterations', '20', '--warmup', '2', '--layers', 'noop', '--workers', '1', '--base-dir', base, '--out', out], { tag });
  assert.equal(r.code, 0, r.stderr);
  const records = parseJsonl(readFileSync(out, 'utf8'));
  assert.equal(records.filter((x) => x.type === 'ab').length, 4);
  const integrity = records.filter((x) => x.type === 'integrity' && x.run !== 0);
  for (const v of ['A', 'B']) assert.ok(integrity.some((x) => x.variant === v && x.ok === true && (x.received as number) === 40), `variant ${v} delivered everything`);
  // Each server carried its variant's messages: 2 agents × 20 messages × 2 configs × 2 runs at least.
  const gained = [(await inMsgs(a.monitor)) - before[0]!, (await inMsgs(b.monitor)) - before[1]!];
  for (const g of gained) assert.ok(g >= 160, `a server took ${g} messages`);
  assert.deepEqual(taggedPids(tag), []);
});

test('a variant whose server cannot be reached: exit 2 naming it, the other variant\'s private server stopped', { skip }, async () => {
  const port = await freePort(); // nothing listens there
  const base = shmDir('busbench-ab-servers-');
  const out = join(diskDir('busbench-ab-servers-'), 'r.jsonl');
  const tag = newTag();
  const r = await busbench(['ab', '--driver', 'nats', '--b', `--nats-url nats://127.0.0.1:${port}`, '--scales', '1', '--base-dir', base, '--out', out], { tag });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`variant B: --nats-url: cannot connect to nats://127.0.0.1:${port}`));
  assert.deepEqual(taggedPids(tag), [], 'A\'s nats-server and everything else stopped');
  assert.deepEqual(readdirSync(base), []);
});
