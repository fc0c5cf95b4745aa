/**
 * busbench's TypeScript compiled for plain Node (lib/core/compile.js): the compiled code is the
 * code (same answers, same file locations), named after its content, written once; and a run can
 * still go under the TypeScript loader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CACHE, compile, KEEP } from '../../lib/core/compile.js';
import { busbench, parseJsonl, ROOT, run } from '../helpers/cli.ts';
import { shmDir } from '../helpers/tmpfs.ts';

const STUDENT = join(ROOT, 'lib/stats/student.ts');
const SHELL = join(ROOT, 'lib/drivers/shell/agent-shell.ts');

test('compiled code gives the same answers and finds its files where the .ts does; the same code compiles to the same tree, written once', async () => {
  const first = await compile([STUDENT, SHELL]);
  assert.ok(first, 'esbuild is a dependency and node_modules/.cache is writable here');
  const [student, shell] = first;
  assert.ok(student!.startsWith(CACHE) && student!.endsWith(join('lib', 'stats', 'student.js')), student);
  const t = (await import(pathToFileURL(student!).href)) as typeof import('../../lib/stats/student.ts');
  // Student's t, 97.5 % quantile at 10 degrees of freedom: 2.228 in every printed table.
  assert.equal(Number(t.tQuantile(0.975, 10).toFixed(3)), 2.228);
  const s = (await import(pathToFileURL(shell!).href)) as typeof import('../../lib/drivers/shell/agent-shell.ts');
  assert.equal(s.AGENT_SCRIPT, join(ROOT, 'lib/drivers/shell/agent.bash'), 'import.meta.url is the source file’s');
  assert.ok(existsSync(s.AGENT_SCRIPT));

  const tree = dirname(dirname(dirname(student!)));
  const written = statSync(student!).mtimeMs;
  const again = await compile([STUDENT, SHELL]);
  assert.deepEqual(again, first, 'same code, same tree');
  assert.equal(statSync(student!).mtimeMs, written, 'not written again');
  assert.deepEqual(readdirSync(CACHE).filter((n) => n.includes('.partial-')), [], 'no half-written tree left');
  assert.ok(existsSync(tree));
});

test('BUSBENCH_COMPILE=0: nothing compiled, the workers run under the TypeScript loader, and the run record says which', async () => {
  const prev = process.env.BUSBENCH_COMPILE;
  process.env.BUSBENCH_COMPILE = '0';
  try {
    assert.equal(await compile([STUDENT]), null);
  } finally {
    if (prev === undefined) delete process.env.BUSBENCH_COMPILE;
    else process.env.BUSBENCH_COMPILE = prev;
  }
  const tiny = ['quick', '--out', '-', '--scales', '1', '--runs', '1', '--iterations', '3', '--warmup', '0', '--layers', 'noop'];
  const [loader, compiled] = await Promise.all([busbench([...tiny, '--base-dir', shmDir()], { env: { BUSBENCH_COMPILE: '0' } }), busbench([...tiny, '--base-dir', shmDir()])]);
  for (const [r, code] of [[loader, 'tsx'], [compiled, 'compiled']] as const) {
    assert.equal(r.code, 0, r.stderr);
    const recs = parseJsonl(r.stdout) as Record<string, any>[];
    assert.equal(recs[0]!.worker_code, code);
    assert.equal(recs.at(-1)!.status, 'ok');
  }
});

test('old compiled trees are removed: beyond the most recently used, those unused for a day; nothing recent, nothing outside the cache', async () => {
  await compile([STUDENT]); // the cache exists
  const day = 24 * 3600 * 1000;
  // Twelve trees of code nobody ran for two days and more, each a minute older than the last.
  const fakes = Array.from({ length: 12 }, (_, i) => join(CACHE, `test-old-${String(i).padStart(2, '0')}-${process.pid}`));
  fakes.forEach((dir, i) => {
    mkdirSync(join(dir, 'lib'), { recursive: true });
    writeFileSync(join(dir, 'lib', 'x.js'), '');
    const when = new Date(Date.now() - 2 * day - i * 60_000);
    utimesSync(dir, when, when);
  });
  try {
    const recent = readdirSync(CACHE).filter((n) => !n.startsWith('index-') && !n.startsWith('test-old-') && Date.now() - statSync(join(CACHE, n)).mtimeMs < day);
    await compile([STUDENT]);
    const left = fakes.filter((d) => existsSync(d));
    // The survivors are the most recently used of them, and no more than KEEP trees remain unless
    // more than that were used within the day.
    assert.deepEqual(left, fakes.slice(0, left.length));
    assert.ok(left.length <= Math.max(0, KEEP - recent.length), `${left.length} old trees left beside ${recent.length} recent ones`);
    assert.ok(left.length < fakes.length, 'old trees went');
    for (const n of recent) assert.ok(existsSync(join(CACHE, n)), `${n}, used within the day, stays`);
    assert.ok(existsSync(ROOT) && existsSync(join(ROOT, 'lib', 'stats', 'student.ts')));
  } finally {
    // A failed check leaves no fake tree in the real cache.
    for (const d of fakes) rmSync(d, { recursive: true, force: true });
  }
});

test('two builds at once in one process both end (esbuild is stopped after the last, not under the other)', async () => {
  // Two modules no index knows yet (fresh names each run), so both calls really build.
  const dir = join(ROOT, 'node_modules', '.cache', `busbench-compile-test-${process.pid}-${Date.now()}`);
  const made: string[] = [];
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'a.ts'), 'export const a: number = 6 * 7;\n');
    writeFileSync(join(dir, 'b.ts'), 'export const b: string = "b".repeat(3);\n');
    const script = join(dir, 'both.mjs');
    writeFileSync(
      script,
      `import { compile } from ${JSON.stringify(pathToFileURL(join(ROOT, 'lib/core/compile.js')).href)};\n` +
        `const [[a], [b]] = await Promise.all([compile([${JSON.stringify(join(dir, 'a.ts'))}]), compile([${JSON.stringify(join(dir, 'b.ts'))}])]);\n` +
        `console.log(JSON.stringify([(await import(a)).a, (await import(b)).b, a, b]));\n`,
    );
    // Before the fix the first build's stop killed the second's: an unsettled top-level await, exit 13.
    const r = await run(process.execPath, [script]);
    assert.equal(r.code, 0, r.stderr);
    const [a, b, ...trees] = JSON.parse(r.stdout) as [number, string, string, string];
    assert.deepEqual([a, b], [42, 'bbb']);
    made.push(...trees.map((t) => join(CACHE, relative(CACHE, t).split(sep)[0]!)));
  } finally {
    // What this test made in the cache goes with it: its trees and their indexes (never pruned otherwise).
    for (const f of ['a.ts', 'b.ts']) made.push(join(CACHE, `index-${createHash('sha256').update(`${relative(ROOT, join(dir, f))}\0`).digest('hex').slice(0, 16)}.json`));
    for (const p of [dir, ...made]) rmSync(p, { recursive: true, force: true });
  }
});
