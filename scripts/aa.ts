#!/usr/bin/env -S node --import tsx
// Checks the verdicts on this machine: A/A (two runs of the same build, compared, repeated) and an
// injected slowdown (the noop layer busy-waits --delay-us per call in the NEW run of each pair).
//   node --import tsx scripts/aa.ts --pairs 20 --dir /tmp/aa -- --scales 10
//   node --import tsx scripts/aa.ts --pairs 5 --delay-us 1.1 --dir /tmp/slow -- --scales 10
//   node --import tsx scripts/aa.ts --pairs 20 --dir /tmp/aa --reuse [--layers-only] [--noise-factor 1]   (compare again, no new runs)
// Flags after `--` go to every `busbench overhead` run. Prints one line per pair and a tally.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { $, argv } from 'zx';
import { readRecords } from '../lib/records/reader.ts';
import { compareRuns } from '../lib/verdict/compare.ts';

const pairs = Number(argv.pairs ?? 20);
const delay = Number(argv['delay-us'] ?? 0);
const dir = String(argv.dir ?? '/tmp/busbench-aa');
const extra = (argv._ as unknown[]).map(String);
const reuse = Boolean(argv.reuse);
const layersOnly = Boolean(argv['layers-only']);
const noiseFactor = argv['noise-factor'] === undefined ? undefined : Number(argv['noise-factor']);
mkdirSync(dir, { recursive: true });
const bin = join(import.meta.dirname, 'busbench.js');

let clean = 0;
for (let i = 1; i <= pairs; i++) {
  const a = join(dir, `pair${i}-old.jsonl`);
  const b = join(dir, `pair${i}-new.jsonl`);
  if (!reuse) {
    await $({ quiet: true })`node ${bin} overhead --out ${a} ${extra}`;
    await $({ quiet: true })`node ${bin} overhead --out ${b} --noop-delay-us ${delay} ${extra}`;
  }
  const c = compareRuns(await readRecords(a), await readRecords(b), { layersOnly, ...(noiseFactor !== undefined ? { noiseFactor } : {}) });
  const changed = c.cells.filter((x) => x.verdict === 'slower' || x.verdict === 'faster');
  if (changed.length === 0) clean++;
  const noop = c.cells.filter((x) => x.config === 'noop' && (x.operation === 'message_send' || x.operation === 'message_receive'));
  console.log(
    `pair ${i}: ${c.tested} cells tested, ${changed.length} changed${changed.length ? ` (${changed.map((x) => `${x.config}@${x.agents} ${x.operation} ${x.verdict} ${x.change_pct!.toFixed(1)}%`).join('; ')})` : ''}` +
      ` · noop ${noop.map((x) => `${x.operation.replace('message_', '')} ${x.change_pct?.toFixed(1)}% [${x.ci_low_pct?.toFixed(1)}, ${x.ci_high_pct?.toFixed(1)}]`).join(', ')}`,
  );
}
console.log(`${clean} of ${pairs} pairs: no significant change in any cell`);
