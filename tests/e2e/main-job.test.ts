import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseJsonl, ROOT, run } from '../helpers/cli.ts';
import { CONFIGS } from '../../lib/core/words.ts';

// The README's first quick-start command, exactly as a user runs it (after npm ci): the default
// suite, results in results/. Behaviour only: every config at 1, 10, 100 agents, nothing lost.
test('npm run bench with defaults: table, results/overhead-*.jsonl, every cell, 0 lost', async () => {
  const r = await run('npm', ['run', '-s', 'bench']);
  const where = /results: (results\/overhead-\d{8}T\d{6}Z\.jsonl)/.exec(r.stderr)?.[1];
  assert.ok(where, `results file named on stderr: ${r.stderr}`);
  const file = join(ROOT, where);
  try {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Layers ranked by cost at 100 agents/);
    const recs = parseJsonl(readFileSync(file, 'utf8')) as Record<string, any>[];
    const stats = recs.filter((x) => x.type === 'statistics' && x.operation === 'message_send');
    for (const c of CONFIGS) for (const n of [1, 10, 100]) assert.equal(stats.filter((s) => s.test_name === c && s.agent_count === n).length, 1, `${c}@${n}`);
    const integ = recs.filter((x) => x.type === 'integrity');
    assert.equal(integ.length, CONFIGS.length * 3 * 10, 'a warm-up pass before each of the 5 runs');
    assert.ok(integ.every((i) => i.lost === 0 && i.duplicated === 0 && i.sent === i.received + i.drained));
    const gate = execFileSync('jq', ['-s', 'map(select(.test_name == "full_integration" and .type == "statistics")) | .[0].avg_ms', file], { encoding: 'utf8' }).trim();
    assert.ok(Number(gate) > 0, gate);
    assert.ok(existsSync(file.replace(/\.jsonl$/, '.html')), 'the HTML report beside it');
  } finally {
    rmSync(file, { force: true });
    rmSync(file.replace(/\.jsonl$/, '.html'), { force: true });
  }
});
