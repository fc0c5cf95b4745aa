// busbench's TypeScript, compiled for plain Node. Plain JS, because scripts/busbench.js uses it
// before any TypeScript can load.
//
// Node 20 runs TypeScript only through a loader (tsx), whose hooks run on a thread of their own in
// every process: about 300 ms of each process's start. A run starts its worker processes several
// times (once per statistical run, so each run starts alike), so that start is paid again and
// again. Instead, the entry points are bundled with esbuild (tsx's own compiler) on every start,
// about 50 ms, and the output is kept in a directory named after its content: never stale, shared
// by every process that compiles the same code, written once. Anything that stops it (no esbuild,
// no writable cache, BUSBENCH_COMPILE=0) leaves the caller on tsx, as before.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the compiled code lives: next to the packages it imports, so Node finds them from there. */
export const CACHE = join(ROOT, 'node_modules', '.cache', 'busbench');
/** Compiled trees kept whatever their age (the most recently used); older ones go after a day unused. */
const KEEP = 8;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Each module keeps its own location: `import.meta.url` becomes the URL of its source file, so files
 * found relative to a module (the agent shell's script, package.json) are found as under tsx.
 * @type {import('esbuild').Plugin}
 */
const ownUrls = {
  name: 'busbench-own-urls',
  setup(build) {
    build.onLoad({ filter: /\.[jt]s$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      // A pattern, not the words themselves: this file is compiled with this plugin too.
      return { contents: text.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

/**
 * Compiles the given .ts entry points (absolute paths inside the package) into one tree with shared
 * chunks, or finds that tree already written.
 * @param {string[]} entries
 * @returns {Promise<string[] | null>} each entry's compiled .js, in order; null: run them under tsx
 */
export async function compile(entries) {
  if (process.env.BUSBENCH_COMPILE === '0') return null;
  /** @type {typeof import('esbuild')} */
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  const outdir = join(CACHE, 'pending');
  let result;
  try {
    result = await esbuild.build({
      entryPoints: entries,
      outbase: ROOT,
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      plugins: [ownUrls],
    });
  } catch {
    // What does not compile here fails under tsx too, with the loader's own message.
    return null;
  } finally {
    // esbuild's service process goes now, not whenever this process ends: nothing left running.
    await esbuild.stop();
  }
  const files = result.outputFiles.map((f) => ({ path: relative(outdir, f.path), contents: f.contents }));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.path).update('\0').update(f.contents).update('\0');
  const dir = join(CACHE, hash.digest('hex').slice(0, 16));
  try {
    place(dir, files);
    const now = new Date();
    utimesSync(dir, now, now);
    prune(dir);
  } catch {
    return null;
  }
  return entries.map((e) => join(dir, relative(ROOT, e).replace(/\.ts$/, '.js')));
}

/**
 * Writes the tree unless it is there: into a directory of its own, renamed into place, so no
 * process ever sees half of it. Another process that got there first wins; its tree is the same.
 * @param {string} dir
 * @param {{ path: string; contents: Uint8Array }[]} files
 */
function place(dir, files) {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch {
    // not written yet
  }
  const fresh = `${dir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const f of files) {
      mkdirSync(dirname(join(fresh, f.path)), { recursive: true });
      writeFileSync(join(fresh, f.path), f.contents);
    }
    renameSync(fresh, dir);
  } catch (e) {
    rmSync(fresh, { recursive: true, force: true });
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw e;
  }
}

/**
 * Removes compiled trees of code that is no longer run: beyond the KEEP most recently used, those
 * unused for a day (a run still going on older code keeps its tree until then).
 * @param {string} current
 */
function prune(current) {
  const trees = readdirSync(CACHE)
    .map((name) => join(CACHE, name))
    .filter((p) => p !== current)
    .map((p) => ({ p, used: statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.used - a.used);
  for (const t of trees.slice(KEEP - 1)) if (Date.now() - t.used > DAY_MS) rmSync(t.p, { recursive: true, force: true });
}
