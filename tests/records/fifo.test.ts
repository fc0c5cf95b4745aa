import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordWriter } from '../../lib/records/writer.ts';
import { busbench, parseJsonl } from '../helpers/cli.ts';
import { diskDir, shmDir } from '../helpers/tmpfs.ts';

function fifo(): string {
  const path = join(diskDir('busbench-fifo-'), 'results.fifo');
  execFileSync('mkfifo', [path]);
  return path;
}

test('a results FIFO nobody opens: the writer gives up after its wait with a clear failure instead of hanging', async () => {
  const path = fifo();
  const w = new RecordWriter(path, 'tmpfs', 300);
  w.write({ type: 'summary', status: 'ok', exit_code: 0, duration_s: 0, cells_ok: 0, cells_failed: 0, lost_total: 0, duplicated_total: 0 });
  const t0 = Date.now();
  await w.close();
  assert.ok(Date.now() - t0 < 5000, 'close returned');
  assert.match(String(w.failure?.message), /no reader opened the FIFO .* within 0\.3 s; start the reader first/);
});

test('--out to a FIFO whose reader starts after busbench: every record arrives, exit 0', async () => {
  const path = fifo();
  const copy = join(diskDir('busbench-fifo-'), 'copy.jsonl');
  let readerDone: Promise<unknown> | null = null;
  const late = setTimeout(() => {
    const reader = spawn('sh', ['-c', `cat "${path}" > "${copy}"`], { stdio: 'ignore' });
    readerDone = new Promise((resolve) => reader.once('exit', resolve));
  }, 1500);
  const r = await busbench(['quick', '--out', path, '--base-dir', shmDir(), '--scales', '1', '--runs', '1', '--iterations', '3', '--warmup', '0', '--layers', 'noop']);
  clearTimeout(late);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readerDone, 'the reader started while busbench waited for it');
  await readerDone;
  const recs = parseJsonl(readFileSync(copy, 'utf8')) as { type: string; status?: string }[];
  assert.equal(recs[0]!.type, 'run');
  assert.equal(recs.at(-1)!.status, 'ok');
});
