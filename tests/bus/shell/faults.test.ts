import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShellFault } from '../../../lib/drivers/shell/agent-shell.ts';
import { startShells, stopAll } from '../../../lib/drivers/shell/start.ts';
import { LAYER, makeConfig, shellsAlive, tmpDir } from './helpers.ts';

const spec = (dir: string, shell: ReturnType<typeof makeConfig>, opTimeoutMs = 5000) => ({ dir, config: 'baseline' as const, scale: 2, layer: LAYER, shell, opTimeoutMs, fill: 'x' });
const noneLeft = async (marker: string) => {
  for (let i = 0; i < 50 && shellsAlive(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(shellsAlive(marker), [], 'no bash process may be left behind');
};

test('a library that fails to source is reported with its stderr; nothing is left running', async () => {
  const t = tmpDir('source');
  try {
    const cfg = makeConfig(t.dir, 'echo "lib: cannot find BUS_HOME" >&2\nreturn 3\n', { send: 'f', receive: 'f' });
    await assert.rejects(startShells(spec(t.dir, cfg), [0, 1]), (e: unknown) => e instanceof ShellFault && /sourcing .*lib\.bash failed \(status 3\): lib: cannot find BUS_HOME/.test(e.message));
    await noneLeft(t.dir);
  } finally {
    t.done();
  }
});

test('a failing call is reported with its status and stderr, and the shell goes on', async () => {
  const t = tmpDir('fail');
  try {
    const cfg = makeConfig(t.dir, 'bad() { echo "disk full: $2" >&2; echo second >&2; return 4; }\nnone() { :; }\n', { send: 'bad {from} {to}', receive: 'none' });
    const [sh] = await startShells(spec(t.dir, cfg), [0]);
    try {
      const lines = await sh!.ask('s 1 0', (l) => l.startsWith('S '));
      assert.equal(lines.length, 2);
      assert.equal(lines[0], 'X send 4 disk full: agent-00001\x1fsecond');
      assert.match(lines[1]!, /^S 2 \d+ 0$/);
      // The report names the message number busbench gave (k), whatever the library did.
      assert.match((await sh!.ask('s 1 1', (l) => l.startsWith('S '))).at(-1)!, /^S 2 \d+ 1$/);
    } finally {
      await stopAll([sh!]);
    }
    await noneLeft(t.dir);
  } finally {
    t.done();
  }
});

test('a library that exits the shell (exit, or set -e tripping) is reported with its stderr', async () => {
  const t = tmpDir('exit');
  try {
    for (const lib of ['quit() { echo "fatal: bus gone" >&2; exit 9; }\n', 'set -e\nquit() { echo "fatal: bus gone" >&2; false; echo unreachable; }\n']) {
      const cfg = makeConfig(t.dir, lib + 'none() { :; }\n', { send: 'quit', receive: 'none' });
      const [sh] = await startShells(spec(t.dir, cfg), [0]);
      try {
        await assert.rejects(sh!.ask('s 1 0', (l) => l.startsWith('S ')), (e: unknown) => e instanceof ShellFault && e.kind === 'exit' && /exited \(status \d+\).*fatal: bus gone/.test(e.message));
      } finally {
        await stopAll([sh!]);
      }
    }
    await noneLeft(t.dir);
  } finally {
    t.done();
  }
});

test('a hanging call is stopped after the op timeout, with everything it started', async () => {
  const t = tmpDir('hang');
  try {
    const cfg = makeConfig(t.dir, `hang() { echo "waiting for lock" >&2; sleep 30 & wait; }\nnone() { :; }\n`, { send: 'hang', receive: 'none' });
    const [sh] = await startShells(spec(t.dir, cfg, 300), [0]);
    try {
      const t0 = performance.now();
      await assert.rejects(sh!.ask('s 1 0', (l) => l.startsWith('S ')), (e: unknown) => e instanceof ShellFault && e.kind === 'timeout' && /--op-timeout 0\.3 s/.test(e.message) && /waiting for lock/.test(e.stderr));
      assert.ok(performance.now() - t0 < 10_000);
    } finally {
      await stopAll([sh!]);
    }
    await noneLeft(t.dir);
  } finally {
    t.done();
  }
});
