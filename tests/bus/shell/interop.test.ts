import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TmpfsBus } from '../../../lib/drivers/tmpfs/bus.ts';
import { tmpDir } from './helpers.ts';

const EX = new URL('../../../lib/drivers/shell/example/', import.meta.url).pathname;
const bash = (root: string, script: string, env: Record<string, string> = {}) =>
  execFileSync('bash', ['--noprofile', '--norc', '-c', `source "${EX}bus.bash"; source "${EX}layers.bash"; ${script}`], { env: { ...process.env, BUS_ROOT: root, ...env }, encoding: 'utf8' });

const NASTY = `spaces  and 'single' "double" \\ back $HOME $(x) \`y\`\nnew line\ttab \u00e9\u4e2d`;

test('a message sent by the bash library is received intact by the TypeScript bus', () => {
  const t = tmpDir('interop-a');
  try {
    const bus = new TmpfsBus(t.dir);
    bus.register('agent-b');
    bash(t.dir, 'bus_register agent-a; send_message agent-a agent-b "$P"; send_message agent-a agent-b second', { P: NASTY });
    const m = bus.receive('agent-b');
    assert.ok(m);
    assert.equal(m.from, 'agent-a');
    assert.equal(m.to, 'agent-b');
    assert.equal(m.seq, 0);
    assert.equal(m.payload, NASTY);
    assert.match(m.sent_at_ns, /^\d+$/);
    assert.match(m.id, /^agent-a\.[0-9a-f]+\.0$/);
    assert.equal(bus.receive('agent-b')?.payload, 'second');
    assert.equal(bus.receive('agent-b'), null);
  } finally {
    t.done();
  }
});

test('a message sent by the TypeScript bus is received intact by the bash library', () => {
  const t = tmpDir('interop-b');
  try {
    const bus = new TmpfsBus(t.dir);
    bus.register('agent-a');
    bus.register('agent-b');
    const sent = bus.send('agent-a', 'agent-b', { text: NASTY, n: 7 });
    const out = bash(t.dir, 'receive_message agent-b; echo "got=$_bus_got"; receive_message agent-b; echo "got=$_bus_got"');
    const [line, got1, got2] = out.trimEnd().split('\n');
    assert.deepEqual(JSON.parse(line!), sent);
    assert.equal(got1, 'got=1');
    assert.equal(got2, 'got=0');
    assert.equal(bus.depth('agent-b'), 0);
  } finally {
    t.done();
  }
});

test('the bash layers write what the reference layers write', () => {
  const t = tmpDir('interop-c');
  try {
    const out = bash(
      t.dir,
      'bus_register a; bus_register b; emit_metric send a b; report_health a send; query_health; for i in 1 2 3; do send_message a b m$i; done; check_inbox_capacity b 3 0 1; echo "rl=$?"; check_shutdown; echo "sd=$?"; request_shutdown; check_shutdown; echo "sd=$?"; drain_and_stop b; ls "$BUS_ROOT/stopped"',
    );
    const lines = out.trimEnd().split('\n');
    assert.deepEqual(JSON.parse(lines[0]!), { agents: 1, healthy: 1, stale: [], unreadable: [] });
    assert.equal(lines[1], 'rl=75');
    assert.equal(lines[2], 'sd=0');
    assert.equal(lines[3], 'sd=1');
    assert.deepEqual(lines.slice(4, 7).map((l) => (JSON.parse(l) as { payload: string }).payload), ['m1', 'm2', 'm3']);
    assert.equal(lines[7], 'b');
    const bus = new TmpfsBus(t.dir);
    assert.equal(bus.depth('b'), 0);
  } finally {
    t.done();
  }
});

test('agents registering at the same moment all succeed (bash\'s loadable mkdir -p races on shared parents)', { timeout: 60_000, skip: existsSync('/usr/lib/bash/mkdir') ? false : 'bash\'s loadable builtins are absent (apt-get install bash-builtins); the external mkdir -p does not race' }, async () => {
  const t = tmpDir('register-race');
  try {
    // Eight shells block opening a FIFO for reading once they are ready; opening it for writing
    // releases together those that have reached the open (nearly all of them, as a rule).
    for (let round = 0; round < 20; round++) {
      const root = join(t.dir, `bus-${round}`);
      const go = join(t.dir, `go-${round}`);
      const ready = join(t.dir, `ready-${round}`);
      mkdirSync(ready);
      execFileSync('mkfifo', [go]);
      let exited = 0;
      const shells = Array.from({ length: 8 }, (_, i) => {
        const child = spawn('bash', ['--noprofile', '--norc', '-c', `source "${EX}bus.bash"; : >"${ready}/${i}"; : <"${go}"; bus_register agent-${i}`], { env: { ...process.env, BUS_ROOT: root }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        return new Promise<string>((resolve) => child.on('close', (code) => (exited++, resolve(code === 0 ? '' : `agent-${i}: status ${code}: ${stderr}`))));
      });
      // Until all are ready, or one has ended without (its error is in the failures below).
      while (readdirSync(ready).length < 8 && exited === 0) await new Promise((r) => setTimeout(r, 2));
      // Read-write: the open never blocks (a FIFO opened for writing alone waits for a reader). Held
      // until all have exited, so a shell that reaches its open late is not left waiting.
      const fd = openSync(go, 'r+');
      const failed = (await Promise.all(shells)).filter(Boolean);
      closeSync(fd);
      assert.deepEqual(failed, [], `round ${round}`);
      for (let i = 0; i < 8; i++) assert.ok(existsSync(join(root, 'agents', `agent-${i}`, 'inbox')));
    }
  } finally {
    t.done();
  }
});
