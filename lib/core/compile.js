// busbench's TypeScript, compiled for plain Node. Plain JS, because scripts/busbench.js uses it
// before any TypeScript can load.
//
// Node 20 runs TypeScript only through a loader (tsx), whose hooks run on a thread of their own in
// every process: about 300 ms of each process's start. A run starts its worker processes several
// times (once per statistical run, so each run starts alike), so that start is paid again and
// again. Instead, the entry points are bundled with esbuild (tsx's own compiler) and the output is
// kept in a directory named after its content, beside an index of the sources it was made from
// (their content hashes). A start whose sources are unchanged reads them, hashes them, and runs the
// tree, about 20 ms; otherwise it compiles again (about 100 to 300 ms). Never stale, written once,
// shared by every process that runs the same code. Anything that stops it (no esbuild, no writable
// cache, BUSBENCH_COMPILE=0) leaves the caller on tsx.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the compiled code lives: next to the packages it imports, so Node finds them from there. */
export const CACHE = join(ROOT, 'node_modules', '.cache', 'busbench');
/** Compiled trees kept whatever their age (the most recently used); older ones go after a day unused. */
export const KEEP = 8;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Each module keeps its own location: `import.meta.url`, `.filename` and `.dirname` become those of
 * its source file, so files found relative to a module (the agent shell's script, package.json) are
 * found as under tsx. The hash of each file as read goes into `read` (absolute path → hash), so the
 * index names exactly the text that was compiled, even if a file is saved again meanwhile.
 * @param {Map<string, string>} read
 * @returns {import('esbuild').Plugin}
 */
const ownUrls = (read) => ({
  name: 'busbench-own-urls',
  setup(build) {
    build.onLoad({ filter: /\.[jt]s$/ }, (args) => {
      const bytes = readFileSync(args.path);
      read.set(args.path, createHash('sha256').update(bytes).digest('hex'));
      /** @type {Record<string, string>} */
      const own = { url: pathToFileURL(args.path).href, filename: args.path, dirname: dirname(args.path) };
      // A pattern, not the words themselves: this file is compiled with this plugin too.
      const contents = bytes.toString('utf8').replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_, k) => JSON.stringify(own[k]));
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
});

/**
 * What a tree was compiled from: its directory, and the hash of every source (relative to the
 * package), tsconfig.json and esbuild's version included.
 * @typedef {{ tree: string; sources: Record<string, string> }} Index
 */

/** @param {string} file */
const hashOf = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The sources a tree depends on besides the modules esbuild read (relative to the package). */
function settings() {
  try {
    return ['tsconfig.json', relative(ROOT, createRequire(import.meta.url).resolve('esbuild/package.json'))];
  } catch {
    return ['tsconfig.json'];
  }
}

/**
 * The module of one .ts entry point, compiled (or, where that cannot be done, under the TypeScript
 * loader, registered here): what the package's plain-JS entry points (scripts/busbench.js,
 * lib/index.js) hand over to.
 * @param {string} file absolute path of the .ts file
 * @returns {Promise<unknown>}
 */
export async function importTs(file) {
  const [compiled] = (await compile([file])) ?? [];
  if (compiled === undefined) (await import('tsx/esm/api')).register();
  return import(pathToFileURL(compiled ?? file).href);
}

/**
 * Compiles the given .ts entry points (absolute paths inside the package) into one tree with shared
 * chunks, or finds that tree already written from the same sources.
 * @param {string[]} entries
 * @param {{ sourcemap?: boolean }} [options] sourcemap: maps inside the files, for stack traces into the .ts (run with --enable-source-maps)
 * @returns {Promise<string[] | null>} each entry's compiled .js, in order; null: run them under tsx
 */
export async function compile(entries, options = {}) {
  if (process.env.BUSBENCH_COMPILE === '0') return null;
  const sourcemap = options.sourcemap === true;
  const compiled = (/** @type {string} */ tree) => entries.map((e) => join(CACHE, tree, relative(ROOT, e).replace(/\.ts$/, '.js')));
  const key = [...entries.map((e) => relative(ROOT, e)), sourcemap ? 'sourcemap' : ''].join('\0');
  const indexFile = join(CACHE, `index-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
  const known = unchanged(indexFile);
  if (known !== null) {
    prune(known);
    return compiled(known);
  }
  // The settings are hashed before the build, the modules as esbuild reads them: a file changed
  // during the build leaves an index that no longer matches, never a tree that looks current.
  const before = settings().map((p) => [p, hashOf(join(ROOT, p))]);
  const built = await build(entries, sourcemap);
  if (built === null) return null;
  try {
    place(join(CACHE, built.tree), built.files);
    /** @type {Index} */
    const index = { tree: built.tree, sources: Object.fromEntries([...before, ...built.inputs]) };
    writeAtomically(indexFile, JSON.stringify(index));
  } catch {
    return null;
  }
  prune(built.tree);
  return compiled(built.tree);
}

/**
 * The tree of the index when every source it was made from is as it was then (marked as used now);
 * else null.
 * @param {string} indexFile
 * @returns {string | null}
 */
function unchanged(indexFile) {
  try {
    /** @type {Index} */
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    for (const [p, h] of Object.entries(index.sources)) if (hashOf(join(ROOT, p)) !== h) return null;
    const now = new Date();
    utimesSync(join(CACHE, index.tree), now, now);
    return index.tree;
  } catch {
    return null; // no index yet, a source gone, or the tree pruned
  }
}

/** Builds under way in this process: esbuild's service is stopped when the last one ends. */
let building = 0;

/**
 * One esbuild run: the output files (paths relative to the tree), the tree's name (the hash of the
 * output) and the sources read with their hashes (paths relative to the package); null when it
 * cannot be done.
 * @param {string[]} entries
 * @param {boolean} sourcemap
 * @returns {Promise<{ tree: string; files: { path: string; contents: Uint8Array }[]; inputs: [string, string][] } | null>}
 */
async function build(entries, sourcemap) {
  /** @type {typeof import('esbuild')} */
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  const outdir = join(CACHE, 'pending');
  /** @type {Map<string, string>} */
  const read = new Map();
  let result;
  building++;
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
      metafile: true,
      sourcemap: sourcemap ? 'inline' : false,
      logLevel: 'silent',
      plugins: [ownUrls(read)],
    });
  } catch {
    // What does not compile here fails under tsx too, with the loader's own message.
    return null;
  } finally {
    // esbuild's service process goes now, not whenever this process ends: nothing left running.
    // Not while another build of this process uses it: stopped under it, that build never ends.
    if (--building === 0) await esbuild.stop();
  }
  const files = result.outputFiles.map((f) => ({ path: relative(outdir, f.path), contents: f.contents }));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.path).update('\0').update(f.contents).update('\0');
  // esbuild names inputs relative to its working directory; one not read by the plugin is hashed now.
  /** @type {[string, string][]} */
  const inputs = Object.keys(result.metafile.inputs).map((p) => {
    const abs = join(process.cwd(), p);
    return [relative(ROOT, abs), read.get(abs) ?? hashOf(abs)];
  });
  return { tree: hash.digest('hex').slice(0, 16), files, inputs };
}

/**
 * Writes the tree unless it is there: into a directory of its own, renamed into place, so no
 * process ever sees half of it. Another process that got there first wins; its tree is the same.
 * @param {string} dir
 * @param {{ path: string; contents: Uint8Array }[]} files
 */
function place(dir, files) {
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    const now = new Date();
    utimesSync(dir, now, now);
    return;
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
 * A file written whole or not at all.
 * @param {string} file
 * @param {string} text
 */
function writeAtomically(file, text) {
  const tmp = `${file}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Removes compiled trees of code that is no longer run: beyond the KEEP most recently used, those
 * unused for a day (a run still going on older code keeps its tree until then). Indexes stay (one
 * per set of entry points); one whose tree is gone just compiles again. Never fails the caller.
 * @param {string} current
 */
function prune(current) {
  try {
    pruneTrees(current);
  } catch {
    // another process pruned first, or the cache is not ours to clean
  }
}

/** @param {string} current */
function pruneTrees(current) {
  const trees = readdirSync(CACHE)
    .filter((name) => name !== current && !/^index-[0-9a-f]+\.json$/.test(name))
    .map((name) => join(CACHE, name))
    .map((p) => ({ p, used: statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.used - a.used);
  for (const t of trees.slice(KEEP - 1)) if (Date.now() - t.used > DAY_MS) rmSync(t.p, { recursive: true, force: true });
}
