/**
 * Scenario files (docs/scenarios.md): a JSON object whose keys are the options of the command it
 * runs, shared by its steps, with `steps` listing what runs in order. Reading one turns every key
 * into the flag value the command-line parser would give, so a step is validated and run by the
 * command itself, and a problem anywhere in the file is a UsageError (exit 2) naming the file and
 * the key.
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { STEP_COMMANDS } from './commands.ts';
import { keyIndex, type KeySpec } from './keys.ts';

/** A flag's value as the command-line parser gives it: a string, several, or a switch. */
export type FlagValue = string | string[] | boolean;

export interface ScenarioStep {
  name: string;
  command: string;
  /** Flag name (no dashes) → value. */
  flags: Record<string, FlagValue>;
  /** Flag name → how a message names where it was set: `scenarios/x.json: "scales"`. */
  where: Record<string, string>;
}

export interface Scenario {
  /** The path as given (messages name it so). */
  file: string;
  name: string;
  description: string | null;
  steps: ScenarioStep[];
  /** Problems found in the file itself (unknown keys, wrong types); planScenario reports them with the rest. */
  problems: string[];
}

const TOP = ['name', 'description', 'command', 'steps'];
const STEP = ['name', 'description', 'command'];
const DEFAULT_COMMAND = 'overhead';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Reads a scenario file; an unreadable file or one that is not a JSON object throws UsageError at once. */
export function readScenario(path: string): Scenario {
  const file = shown(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new UsageError([`${file}: cannot read it (${why}); give the path of a scenario file, e.g. scenarios/overhead.json`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError([`${file}: not valid JSON (${(e as Error).message}); a scenario is one JSON object, see docs/scenarios.md`]);
  }
  return parseScenario(value, file, basename(path).replace(/\.json$/i, ''));
}

/** A scenario given as a value (a parsed file, or an object from a script), with the problems of its keys. */
export function parseScenario(value: unknown, file: string, fallbackName = 'scenario'): Scenario {
  const problems: string[] = [];
  if (!isObject(value)) throw new UsageError([`${file}: a scenario is a JSON object ({"scales": [1, 10], …}), not ${describe(value)}`]);
  const at = (key: string) => `${file}: "${key}"`;
  const name = text(value, 'name', at('name'), problems) ?? fallbackName;
  if (!NAME.test(name)) problems.push(`${at('name')}: "${name}" cannot name result files; use letters, digits, '.', '_' and '-'`);
  const description = text(value, 'description', at('description'), problems);
  const command = text(value, 'command', at('command'), problems) ?? DEFAULT_COMMAND;
  checkCommand(command, at('command'), problems);

  const shared = Object.fromEntries(Object.entries(value).filter(([k]) => !TOP.includes(k)));
  const rawSteps: { name: string; command: string; keys: Record<string, unknown>; label: string }[] = [];
  if (value.steps === undefined) rawSteps.push({ name: command, command, keys: {}, label: file });
  else if (!Array.isArray(value.steps) || value.steps.length === 0) problems.push(`${at('steps')}: expected a non-empty list of steps ([{"name": "overhead"}, …]), got ${describe(value.steps)}`);
  else {
    const list = value.steps as unknown[];
    list.forEach((s: unknown, i: number) => {
      const label = `${file}: steps[${i}]`;
      if (!isObject(s)) {
        problems.push(`${label}: a step is an object ({"name": "…", "command": "overhead", …}), not ${describe(s)}`);
        return;
      }
      const cmd = text(s, 'command', `${label} "command"`, problems) ?? command;
      if (cmd !== command) checkCommand(cmd, `${label} "command"`, problems);
      const stepName = text(s, 'name', `${label} "name"`, problems) ?? `${cmd}${list.length > 1 ? `-${i + 1}` : ''}`;
      if (!NAME.test(stepName)) problems.push(`${label} "name": "${stepName}" cannot name result files; use letters, digits, '.', '_' and '-'`);
      rawSteps.push({ name: stepName, command: cmd, keys: Object.fromEntries(Object.entries(s).filter(([k]) => !STEP.includes(k))), label });
    });
  }
  const names = rawSteps.map((s) => s.name);
  for (const n of new Set(names)) if (names.filter((x) => x === n).length > 1) problems.push(`${at('steps')}: two steps are named "${n}"; give each step its own "name"`);

  const steps: ScenarioStep[] = [];
  // Keys shared by every step are checked once per command that uses them, so one bad key is one problem.
  const sharedChecked = new Set<string>();
  for (const s of rawSteps) {
    const cmd = STEP_COMMANDS[s.command];
    if (!cmd) continue;
    const index = keyIndex(cmd.keys());
    const flags: Record<string, FlagValue> = {};
    const where: Record<string, string> = {};
    const source = new Map<string, 'shared' | 'step'>();
    const add = (key: string, raw: unknown, label: string, report: boolean, from: 'shared' | 'step') => {
      const spec = index.get(key);
      if (!spec) {
        const anywhere = Object.values(STEP_COMMANDS).some((c) => keyIndex(c.keys()).has(key));
        const fix = `the keys are the flags of the step's command without their dashes (busbench ${anywhere ? s.command : 'COMMAND'} --help), e.g. "scales", "payload-bytes"; see docs/scenarios.md`;
        if (report) problems.push(`${label}: unknown key${anywhere ? ` for the ${s.command} command (of step "${s.name}")` : ''}; ${fix}`);
        return;
      }
      // A step's key overrides the shared one; the same option twice in one object is a mistake.
      if (source.get(spec.name) === from) {
        if (report) problems.push(`${label}: sets "${spec.name}" again (also ${where[spec.name]}); give it once`);
        return;
      }
      source.set(spec.name, from);
      const v = flagValue(raw, spec, label, report ? problems : []);
      if (v === undefined) return;
      flags[spec.name] = v;
      where[spec.name] = label;
    };
    for (const [k, v] of Object.entries(shared)) {
      const mark = `${s.command}|${k}`;
      add(k, v, at(k), !sharedChecked.has(mark), 'shared');
      sharedChecked.add(mark);
    }
    for (const [k, v] of Object.entries(s.keys)) add(k, v, `${s.label} "${k}"`, true, 'step');
    steps.push({ name: s.name, command: s.command, flags, where });
  }
  // Steps are kept even when some of their keys were bad, so the plan reports the values' problems too.
  return { file, name, description, steps, problems: [...new Set(problems)] };
}

/**
 * Option values of any of `index`'s keys as flags (the command line's shape, under the flags'
 * names): a script's overrides. An unknown key or a wrong type is a problem naming it.
 */
export function toFlags(values: Record<string, unknown>, label: string, index: Map<string, KeySpec>): { flags: Record<string, FlagValue>; problems: string[] } {
  const flags: Record<string, FlagValue> = {};
  const problems: string[] = [];
  for (const [k, raw] of Object.entries(values)) {
    const spec = index.get(k);
    if (!spec) {
      problems.push(`${label}: "${k}": unknown key; the keys are the flags of the steps' commands without their dashes, e.g. "scales", "payload-bytes"`);
      continue;
    }
    const v = flagValue(raw, spec, `${label}: "${k}"`, problems);
    if (v !== undefined) flags[spec.name] = v;
  }
  return { flags, problems };
}

/** A JSON value as the flag value the command-line parser would give, or a problem naming the key. */
function flagValue(raw: unknown, spec: KeySpec, label: string, problems: string[]): FlagValue | undefined {
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    problems.push(`${label}: expected true or false, got ${describe(raw)}`);
    return undefined;
  }
  const scalar = (x: unknown): x is string | number => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
  if (scalar(raw)) return spec.repeatable ? [String(raw)] : String(raw);
  if (Array.isArray(raw) && raw.length > 0 && raw.every(scalar)) return spec.repeatable ? raw.map(String) : raw.map(String).join(',');
  problems.push(`${label}: expected ${spec.repeatable ? 'a string or a list of strings' : 'a string, a number or a list of them'} (what --${spec.name} ${spec.arg ?? 'VALUE'} takes), got ${describe(raw)}`);
  return undefined;
}

function checkCommand(command: string, label: string, problems: string[]): void {
  if (!(command in STEP_COMMANDS)) problems.push(`${label}: unknown command "${command}"; choose from ${Object.keys(STEP_COMMANDS).join(', ')}`);
}

function text(o: Record<string, unknown>, key: string, label: string, problems: string[]): string | null {
  const v = o[key];
  if (v === undefined) return null;
  if (typeof v === 'string' && v !== '') return v;
  problems.push(`${label}: expected a non-empty string, got ${describe(v)}`);
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list (${JSON.stringify(v).slice(0, 40)})`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

/** A path as messages show it: relative to the working directory when inside it. */
function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r !== '' && !r.startsWith('..') ? r : path;
}
