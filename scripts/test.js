#!/usr/bin/env node
// The tests (npm test runs this after the typecheck): every tests/**/*.test.ts, or those under the
// paths given (`npm test -- tests/stats tests/verdict/cli.test.ts`), compiled for plain Node the
// way busbench compiles itself (lib/core/compile.js; stack traces map back to the .ts) and run by
// Node's test runner, three files at a time. Arguments starting with `--` go to the test runner
// (`npm test -- --test-name-pattern=compare`). Where nothing can be compiled, the .ts files run
// under the TypeScript loader instead, as they are.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../lib/core/compile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const wanted = args.filter((a) => !a.startsWith('--'));

/** @param {string} path */
function testFiles(path) {
  const abs = resolve(ROOT, path);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) {
    process.stderr.write(`npm test: ${path}: no such file or directory (give test files or folders under tests/)\n`);
    process.exit(2);
  }
  if (st.isFile()) return [abs];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(abs, f));
}

const files = [...new Set((wanted.length > 0 ? wanted : ['tests']).flatMap(testFiles))].sort((a, b) => relative(ROOT, a).localeCompare(relative(ROOT, b)));
if (files.length === 0) {
  process.stderr.write(`npm test: no *.test.ts under ${wanted.join(', ')}\n`);
  process.exit(2);
}
const compiled = await compile(files, { sourcemap: true });
// The trees every busbench process the tests start will look for (the command, the API, the
// workers), built once here: in a fresh clone each of the first processes would otherwise build
// them at the same time, on cores the tests need.
if (compiled) for (const f of ['lib/cli/commands.ts', 'lib/api.ts', 'lib/agents/worker.ts']) await compile([join(ROOT, f)]);
const argv = compiled
  ? ['--enable-source-maps', '--test', '--test-concurrency=3', '--test-reporter=spec', ...flags, ...compiled]
  : ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-reporter=spec', ...flags, ...files];
const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 143);
});
