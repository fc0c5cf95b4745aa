#!/usr/bin/env node
// A `jq` command made of the npm package jq-wasm (jq compiled to WebAssembly), for machines
// without the real jq: the tests put it first on PATH as `jq`, so shell recipes run unchanged.
// It takes what the README's recipes use: short flags (-s -e -c -r -n -M, combinable as -se),
// the long forms of those, a program, and files (or stdin).
// jq-wasm gives the program's output but not its exit status, so -e is applied here as jq's
// manual defines it: 0 if the last output was neither false nor null, 1 if it was, 4 if there
// was no output; a jq error (message on stderr, no output) exits 5, jq's code for it.
import { readFileSync } from 'node:fs';
import { raw } from 'jq-wasm';

const LONG = { '--slurp': 's', '--exit-status': 'e', '--compact-output': 'c', '--raw-output': 'r', '--null-input': 'n', '--monochrome-output': 'M' };
const flags = new Set();
let program;
const files = [];
for (const a of process.argv.slice(2)) {
  if (program === undefined && a in LONG) flags.add(LONG[a]);
  else if (program === undefined && /^-[secrnM]+$/.test(a)) for (const c of a.slice(1)) flags.add(c);
  else if (program === undefined && a.startsWith('-')) {
    process.stderr.write(`jq (jq-wasm): option ${a} is not supported by this stand-in\n`);
    process.exit(2);
  } else if (program === undefined) program = a;
  else files.push(a);
}
if (program === undefined) {
  process.stderr.write('jq (jq-wasm): no program given\n');
  process.exit(2);
}
let input;
try {
  input = files.length > 0 ? files.map((f) => readFileSync(f, 'utf8')).join('\n') : readFileSync(0, 'utf8');
} catch (e) {
  process.stderr.write(`jq: error: Could not open ${e.path ?? 'stdin'}: ${e.code}\n`);
  process.exit(2);
}
const pass = [...flags].filter((f) => f !== 'e').map((f) => `-${f}`);
let out;
try {
  // jq-wasm wants some input even with -n; jq ignores it then.
  out = await raw(input === '' ? 'null' : input, program, pass);
} catch (e) {
  process.stderr.write(`${String(e.message).replace(/^Failed to execute raw query: /, '')}\n`);
  process.exit(5);
}
if (out !== '') process.stdout.write(`${out}\n`);
if (flags.has('e')) {
  const last = out.trimEnd().split('\n').at(-1);
  process.exit(out === '' ? 4 : last === 'false' || last === 'null' ? 1 : 0);
}
