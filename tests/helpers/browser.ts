/**
 * A headless Chromium for the HTML tests, without apt: the system's `chromium` when it is on PATH
 * (or CHROMIUM_PATH), else the one shipped inside the npm package @sparticuz/chromium.
 *
 * @sparticuz/chromium unpacks its binary into os.tmpdir() and reuses whatever `chromium` it finds
 * there, even one another version of the package left behind (which then dies with SIGTRAP). So
 * it is unpacked here into a directory named after the package version, via a fresh directory
 * renamed into place, so that a half-unpacked binary is never picked up either.
 */
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface Browser {
  executablePath: string;
  args: string[];
  /** Which Chromium, for the test's diagnostic line. */
  label: string;
}

const SYSTEM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

function sparticuzVersion(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@sparticuz/chromium');
  // build/cjs/index.cjs → the package root
  const pkg = JSON.parse(readFileSync(join(dirname(main), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Unpacks @sparticuz/chromium (once per version) and returns its binary. */
async function sparticuzChromium(): Promise<Browser> {
  const version = sparticuzVersion();
  const home = join(tmpdir(), `busbench-sparticuz-chromium-${version}`);
  const { default: Chromium } = await import('@sparticuz/chromium');
  if (!existsSync(join(home, 'chromium'))) {
    const fresh = mkdtempSync(join(tmpdir(), `busbench-sparticuz-chromium-${version}.partial-`));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = fresh; // the package unpacks into os.tmpdir(), read at call time
    try {
      await Chromium.executablePath();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    try {
      renameSync(fresh, home);
    } catch {
      rmSync(fresh, { recursive: true, force: true }); // another process finished first
    }
  }
  return {
    executablePath: join(home, 'chromium'),
    args: Chromium.args,
    label: `@sparticuz/chromium ${version} (${join(home, 'chromium')})`,
  };
}

/** The Chromium to test with; CHROMIUM_PATH wins, then `chromium` on PATH, then @sparticuz/chromium. */
export async function findChromium(): Promise<Browser> {
  const forced = process.env.CHROMIUM_PATH;
  if (forced) return { executablePath: forced, args: SYSTEM_FLAGS, label: `CHROMIUM_PATH (${forced})` };
  const system = onPath('chromium') ?? onPath('chromium-browser');
  if (system) return { executablePath: system, args: SYSTEM_FLAGS, label: `system chromium (${system})` };
  return sparticuzChromium();
}
