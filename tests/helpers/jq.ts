/**
 * The `jq` the tests run the README's recipes with: the real jq when it is on PATH, otherwise a
 * stand-in made of the npm package jq-wasm (jq itself, compiled to WebAssembly) put first on PATH
 * as `jq`, so the same shell lines run either way. `label` says which, for the test's name.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Jq {
  /** Environment for child processes: PATH leads to this jq. */
  env: NodeJS.ProcessEnv;
  label: string;
  /** Runs jq with these arguments (and stdin); throws on a non-zero exit, like execFileSync. */
  run(args: string[], input?: string): string;
  /** Removes the stand-in's directory (nothing for the real jq). */
  dispose(): void;
}

function realJq(): string | undefined {
  if (process.env.BUSBENCH_TEST_JQ === 'wasm') return undefined; // to try the stand-in on a machine with jq
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'jq'), constants.X_OK);
      return join(dir, 'jq');
    } catch {
      // not here
    }
  }
  return undefined;
}

export function findJq(): Jq {
  const real = realJq();
  if (real) {
    const version = execFileSync(real, ['--version'], { encoding: 'utf8' }).trim();
    return {
      env: { ...process.env },
      label: `real ${version} (${real})`,
      run: (args, input) => execFileSync(real, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) }),
      dispose: () => undefined,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'busbench-jq-wasm-'));
  const cli = fileURLToPath(new URL('./jq-wasm-cli.mjs', import.meta.url));
  const shim = join(dir, 'jq');
  writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`);
  chmodSync(shim, 0o755);
  const env = { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` };
  return {
    env,
    label: 'jq-wasm (npm; no jq on PATH)',
    run: (args, input) => execFileSync(shim, args, { encoding: 'utf8', env, ...(input === undefined ? {} : { input }) }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
