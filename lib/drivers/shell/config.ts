/**
 * The shell driver's config file: which bash files to source, which environment to set and the
 * command template of each operation. Loaded and checked before anything runs; every problem is
 * reported at once, naming the key (exit 2 through the options pipeline).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { COMMON, OPERATION_PLACEHOLDERS, SHELL_OPERATIONS, TemplateProblem, toBash, unknownPlaceholders, type ShellOperation } from './placeholders.ts';

export interface ShellDriverConfig {
  /** The config file, absolute. */
  readonly file: string;
  /** Bash files to source, absolute, in order. */
  readonly source: readonly string[];
  /** Environment for every agent shell; values may hold COMMON placeholders. */
  readonly env: Readonly<Record<string, string>>;
  readonly operations: Readonly<Partial<Record<ShellOperation, string>>>;
  /** Exit status of `rate_limiting` that means "send rejected" (backpressure), not an error. */
  readonly reject_status: number;
}

const KEYS = ['source', 'env', 'operations', 'reject_status', 'description'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_REJECT_STATUS = 75;

/** Problems are strings naming `flag` and the key; an empty list means `config` is usable. */
export function loadShellConfig(path: string, flag = '--driver-config'): { config: ShellDriverConfig | null; problems: string[] } {
  const problems: string[] = [];
  const file = resolve(path);
  const at = (key: string, text: string) => problems.push(`${flag} ${path}: ${key}: ${text}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    problems.push(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); give the path of a JSON driver config, e.g. lib/drivers/shell/example/busbench.json`);
    return { config: null, problems };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    problems.push(`${flag} ${path}: not valid JSON (${e instanceof Error ? e.message : String(e)}); fix the file`);
    return { config: null, problems };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${flag} ${path}: must be a JSON object with "source", "env" and "operations"`);
    return { config: null, problems };
  }
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!KEYS.includes(k)) at(k, `unknown key; the keys are ${KEYS.join(', ')}`);

  const base = dirname(file);
  const source: string[] = [];
  if (!Array.isArray(obj.source) || obj.source.length === 0) at('source', 'missing or empty; list the bash files to source, e.g. ["bus.bash"] (relative to the config file)');
  else {
    obj.source.forEach((s: unknown, i: number) => {
      if (typeof s !== 'string' || s === '') {
        at(`source[${i}]`, 'must be a file path string');
        return;
      }
      const p = resolve(base, s);
      try {
        if (!statSync(p).isFile()) {
          at(`source[${i}]`, `${p} is not a file`);
          return;
        }
        accessSync(p, constants.R_OK);
      } catch {
        at(`source[${i}]`, `${p} does not exist or is not readable; paths are relative to the config file`);
        return;
      }
      source.push(p);
    });
  }

  const env: Record<string, string> = {};
  if (obj.env !== undefined) {
    if (typeof obj.env !== 'object' || obj.env === null || Array.isArray(obj.env)) at('env', 'must be an object of NAME: "value"');
    else
      for (const [name, v] of Object.entries(obj.env as Record<string, unknown>)) {
        if (!ENV_NAME.test(name) || name.startsWith('__BB_')) at(`env.${name}`, 'not a usable variable name (letters, digits, _; not starting with __BB_)');
        else if (typeof v !== 'string') at(`env.${name}`, 'value must be a string');
        else {
          const bad = unknownPlaceholders(v, COMMON);
          if (bad.length > 0) at(`env.${name}`, `unknown placeholder ${bad.map((b) => `{${b}}`).join(', ')}; env values may use ${COMMON.map((c) => `{${c}}`).join(', ')}`);
          else if (v.includes('\0')) at(`env.${name}`, 'contains a NUL byte');
          else env[name] = v;
        }
      }
  }

  const operations: Partial<Record<ShellOperation, string>> = {};
  if (typeof obj.operations !== 'object' || obj.operations === null || Array.isArray(obj.operations)) at('operations', 'missing; give at least "send" and "receive" command templates');
  else {
    const ops = obj.operations as Record<string, unknown>;
    for (const [name, v] of Object.entries(ops)) {
      const key = `operations.${name}`;
      if (!(SHELL_OPERATIONS as string[]).includes(name)) {
        at(key, `unknown operation; the operations are ${SHELL_OPERATIONS.join(', ')}`);
        continue;
      }
      if (typeof v !== 'string' || v.trim() === '') {
        at(key, 'must be a non-empty command template string');
        continue;
      }
      const allowed = [...COMMON, ...OPERATION_PLACEHOLDERS[name as ShellOperation]];
      const bad = unknownPlaceholders(v, allowed);
      if (bad.length > 0) {
        at(key, `unknown placeholder ${bad.map((b) => `{${b}}`).join(', ')}; ${name} may use ${allowed.map((c) => `{${c}}`).join(', ')}`);
        continue;
      }
      try {
        toBash(v);
      } catch (e) {
        if (e instanceof TemplateProblem) {
          at(key, e.message);
          continue;
        }
        throw e;
      }
      operations[name as ShellOperation] = v;
    }
    for (const req of ['send', 'receive'] as const) if (ops[req] === undefined) at(`operations.${req}`, `missing; it is required (e.g. "${req === 'send' ? 'send_message {from} {to} {payload}' : 'receive_message {agent}'}")`);
  }

  let reject = DEFAULT_REJECT_STATUS;
  if (obj.reject_status !== undefined) {
    if (typeof obj.reject_status !== 'number' || !Number.isInteger(obj.reject_status) || obj.reject_status < 1 || obj.reject_status > 255) at('reject_status', 'must be a whole number from 1 to 255');
    else reject = obj.reject_status;
  }
  if (problems.length > 0) return { config: null, problems };
  return { config: Object.freeze({ file, source: Object.freeze(source), env: Object.freeze(env), operations: Object.freeze(operations), reject_status: reject }), problems };
}
