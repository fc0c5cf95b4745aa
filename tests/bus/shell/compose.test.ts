import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { agentDefinitions, SHELL_SEND_WAIT_BASE_US } from '../../../lib/drivers/shell/compose.ts';
import { LAYER, makeConfig, tmpDir } from './helpers.ts';

test("ab's injected wait: both variants wait through the same code after the library's send, B by N µs more", () => {
  const t = tmpDir('compose-wait');
  try {
    const cfg = makeConfig(t.dir, 'lib_send() { echo "send $1"; }\n', { init: ':', send: 'lib_send {to}', receive: ':' });
    const defs = (us: number) => agentDefinitions(cfg, 'baseline', { agent: 'agent-00000', index: 0, dir: t.dir, agents: 2, layer: { ...LAYER, sendDelayUs: us } });
    const a = defs(0);
    const b = defs(6);
    // The two differ in the wait's lower bound alone: base + 0 against base + 6.
    const diff = (x: string, y: string) => x.split('\n').filter((l, i) => l !== y.split('\n')[i]);
    assert.equal(a.split('\n').length, b.split('\n').length);
    const from = SHELL_SEND_WAIT_BASE_US.from;
    assert.deepEqual(diff(a, b).map((l) => l.includes(`+ ${from} + RANDOM`)), [true]);
    assert.deepEqual(diff(b, a).map((l) => l.includes(`+ ${from + 6} + RANDOM`)), [true]);
    // Run B's send in bash with the wait reporting itself: the library's send comes first, then the wait.
    const out = execFileSync('bash', ['--noprofile', '--norc', '-c', `source "${t.dir}/lib.bash"\n${b}\n__bb_v_to=agent-00001\neval "$(declare -f __bb_send_delay | sed '1s/__bb_send_delay/__bb_wait/')"\n__bb_send_delay() { echo wait; __bb_wait; }\n__bb_send`], { encoding: 'utf8' });
    assert.deepEqual(out.trim().split('\n'), ['send agent-00001', 'wait']);
  } finally {
    t.done();
  }
});
