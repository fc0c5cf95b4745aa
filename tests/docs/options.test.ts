// docs/options.md, the commands' --help and the option specs must say the same thing: the file
// is what the generator gives now, and every flag the real commands print is documented with the
// same default and environment names (and nothing else is).
import { DRIVERS } from '../../lib/drivers/registry.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CAPACITY_SPECS } from '../../lib/capacity/flags.ts';
import { AB_SPECS } from '../../lib/ab/flags.ts';
import { SPECS } from '../../lib/config/options.ts';
import { GENERATOR_COMMAND, OPTIONS_DOC, renderOptionsDoc } from '../../scripts/docs-options.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../scripts/busbench.js', import.meta.url));

interface Documented {
  default: string;
  env: string[];
}

const helps = new Map<string, Map<string, Documented>>();

/** `busbench COMMAND --help`, run as a user would, parsed: flag → its default and env names. */
function helpFlags(command: string): Map<string, Documented> {
  const seen = helps.get(command);
  if (seen) return seen;
  const text = execFileSync(process.execPath, [BIN, command, '--help'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
  const flags = new Map<string, Documented>();
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const flag = /^ {2}(--[a-z0-9-]+)(?=\s|$)/.exec(line);
    if (flag) {
      assert.equal(current, null, `${command} --help: ${current} has no "default … [ENV]" line`);
      current = flag[1]!;
      continue;
    }
    const def = /^\s+default (.*) \[([^\]]*)\]$/.exec(line);
    if (def && current !== null) {
      flags.set(current, { default: def[1]!, env: def[2]!.split(',').map((e) => e.trim()) });
      current = null;
    }
  }
  assert.equal(current, null, `${command} --help: ${current} has no "default … [ENV]" line`);
  assert.ok(flags.size > 0, `${command} --help printed no flags:\n${text}`);
  helps.set(command, flags);
  return flags;
}

/** The rows of the tables under one `## heading` of docs/options.md, as cells. */
function tableRows(doc: string, heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `docs/options.md has no "## ${heading}" section`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('| `--'))
    .map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

const flagOf = (c: string) => /`(--[a-z0-9-]+)/.exec(c)![1]!;
const unquote = (c: string) => c.replace(/^`|`$/g, '');
const envOf = (c: string) => [...c.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** A table of flag | environment | default | meaning → flag → documented default and env. */
function documented(rows: string[][]): Map<string, Documented> {
  return new Map(rows.map((r) => [flagOf(r[0]!), { env: envOf(r[1]!), default: unquote(r[2]!) }]));
}

const doc = readFileSync(OPTIONS_DOC, 'utf8');
/** The run options and every driver's flags: what `overhead --help` lists. */
const runOptions = new Map([...documented(tableRows(doc, 'Run options')), ...documented(tableRows(doc, 'Driver flags'))]);
const capacityOwn = documented(tableRows(doc, 'Capacity flags'));
const abOwn = documented(tableRows(doc, 'A/B flags'));

/** The presets table: flag → default per command (column names from its header). */
function presetDefaults(): Map<string, Record<string, string>> {
  const at = doc.indexOf('\n## Defaults of quick and capacity\n');
  assert.ok(at >= 0, 'docs/options.md has no "## Defaults of quick and capacity" section');
  const header = doc.slice(at).split('\n').find((l) => l.startsWith('| flag |'))!;
  const commands = header.slice(1, -1).split('|').map((c) => c.trim()).slice(1);
  return new Map(tableRows(doc, 'Defaults of quick and capacity').map((r) => [flagOf(r[0]!), Object.fromEntries(commands.map((c, i) => [c, unquote(r[i + 1]!)]))]));
}

test(`docs/options.md is what \`${GENERATOR_COMMAND}\` generates from the specs now`, () => {
  assert.ok(doc === renderOptionsDoc(), `docs/options.md is out of date with the option specs: run \`${GENERATOR_COMMAND}\` and commit the result`);
});

test('every flag of `busbench overhead --help` is in docs/options.md with the same default and environment names, and no other flag is', () => {
  const help = helpFlags('overhead');
  for (const [flag, h] of help) {
    const d = runOptions.get(flag);
    assert.ok(d, `${flag} is in \`busbench overhead --help\` but not in docs/options.md (run \`${GENERATOR_COMMAND}\`)`);
    assert.equal(d.default, h.default, `${flag}: docs/options.md says default "${d.default}", --help says "${h.default}"`);
    assert.deepEqual(d.env, h.env, `${flag}: environment names differ between docs/options.md and --help`);
  }
  for (const flag of runOptions.keys()) assert.ok(help.has(flag), `${flag} is in docs/options.md but not in \`busbench overhead --help\``);
});

test('every option spec has its flag in the help, and in the docs', () => {
  const overhead = helpFlags('overhead');
  for (const s of SPECS) {
    assert.ok(overhead.has(s.flag), `${s.flag} (spec "${s.key}") is missing from \`busbench overhead --help\``);
    assert.ok(runOptions.has(s.flag), `${s.flag} (spec "${s.key}") is missing from docs/options.md`);
  }
  for (const d of DRIVERS) {
    for (const f of d.flags) {
      assert.ok(overhead.has(f.flag), `${f.flag} (driver ${d.name}) is missing from \`busbench overhead --help\``);
      assert.ok(runOptions.has(f.flag), `${f.flag} (driver ${d.name}) is missing from docs/options.md (Driver flags)`);
    }
  }
  const capacity = helpFlags('capacity');
  for (const s of CAPACITY_SPECS) {
    assert.ok(capacity.has(s.flag), `${s.flag} is missing from \`busbench capacity --help\``);
    assert.ok(capacityOwn.has(s.flag), `${s.flag} is missing from docs/options.md (Capacity flags)`);
  }
});

test('quick and capacity: every default their --help prints is the one docs/options.md gives', () => {
  const presets = presetDefaults();
  for (const command of ['quick', 'capacity']) {
    const help = helpFlags(command);
    for (const [flag, h] of help) {
      const own = command === 'capacity' ? capacityOwn.get(flag) : undefined;
      const expected = own?.default ?? presets.get(flag)?.[command] ?? runOptions.get(flag)?.default;
      assert.ok(expected !== undefined, `${flag} is in \`busbench ${command} --help\` but not in docs/options.md`);
      assert.equal(expected, h.default, `${command} ${flag}: docs/options.md says default "${expected}", --help says "${h.default}"`);
      if (own) assert.deepEqual(own.env, h.env, `${command} ${flag}: environment names differ`);
    }
  }
});

test('ab: its own flags are in its --help and in docs/options.md with the same default and environment name', () => {
  const help = helpFlags('ab');
  for (const s of AB_SPECS) {
    const h = help.get(s.flag);
    const d = abOwn.get(s.flag);
    assert.ok(h, `${s.flag} is missing from \`busbench ab --help\``);
    assert.ok(d, `${s.flag} is missing from docs/options.md (A/B flags)`);
    assert.equal(d.default, h.default);
    assert.deepEqual(d.env, h.env);
  }
  for (const s of SPECS) assert.ok(help.has(s.flag), `${s.flag} is missing from \`busbench ab --help\``);
});
