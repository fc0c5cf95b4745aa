import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { placeholdersIn, toBash, TemplateProblem } from '../../../lib/drivers/shell/placeholders.ts';
import { startShells, stopAll } from '../../../lib/drivers/shell/start.ts';
import { LAYER, makeConfig, tmpDir } from './helpers.ts';

test('placeholders become quoted variable references, by quoting context', () => {
  assert.equal(toBash('send {from} {to}'), 'send "${__bb_v_from}" "${__bb_v_to}"');
  assert.equal(toBash('log "to={to} x"'), 'log "to=${__bb_v_to} x"');
  assert.equal(toBash('echo ${HOME} {agent}'), 'echo ${HOME} "${__bb_v_agent}"');
  assert.deepEqual(placeholdersIn('a ${b} {c} {d_e}'), ['c', 'd_e']);
  assert.throws(() => toBash("echo '{payload}'"), TemplateProblem);
  assert.throws(() => toBash('echo "{payload}'), /unbalanced/);
});

test('payloads with spaces, quotes, $, backslashes and newlines reach the library intact', async () => {
  const t = tmpDir('quote');
  const fill = `two  spaces 'single' "double" $HOME $(echo no) \`no\` back\\slash ; & | * ?\nsecond line\n\ttab {to} end`;
  try {
    const cfg = makeConfig(t.dir, 'keep() { printf "%s" "$3" > "$KEEP_DIR/$2.got"; }\nnone() { :; }\n', { send: 'keep {from} {to} {payload}', receive: 'none {agent}' }, { env: { KEEP_DIR: '{dir}' } });
    const [shell] = await startShells({ dir: t.dir, config: 'baseline', scale: 2, layer: LAYER, shell: cfg, opTimeoutMs: 5000, fill }, [0]);
    try {
      const lines = await shell!.ask('s 1 0', (l) => l.startsWith('S '));
      assert.match(lines.at(-1)!, /^S 0 \d+ 0$/);
      const got = readFileSync(join(t.dir, 'agent-00001.got'), 'utf8');
      assert.match(got, /^busbench:0:0:\d+\|/);
      assert.equal(got.slice(got.indexOf('|') + 1), fill);
    } finally {
      await stopAll([shell!]);
    }
  } finally {
    t.done();
  }
});
