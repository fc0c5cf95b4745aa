/**
 * Placeholders in command templates and how they become bash. A placeholder is `{name}` (lowercase
 * letters and '_', not preceded by '$', so `${var}` is left alone). It is never replaced by its
 * value: it becomes a reference to a bash variable holding the value, quoted for where it stands —
 * `"${__bb_v_name}"` outside quotes, `${__bb_v_name}` inside double quotes. Inside single quotes it
 * would never expand, so that is an error. Any bytes in a value (spaces, quotes, `$`, newlines)
 * therefore reach the library as one intact argument, and nothing is ever evaluated twice.
 */

/** Available in every template and in `env` values. */
export const COMMON = ['agent', 'index', 'dir', 'agents', 'capacity', 'backoff_ms', 'max_retries', 'health_interval_ms'] as const;

/** The operations a driver config may define, and the placeholders each adds to COMMON. */
export const OPERATION_PLACEHOLDERS = {
  init: [],
  send: ['from', 'to', 'payload', 'seq'],
  receive: [],
  metrics: ['op', 'from', 'to', 'seq', 'message'],
  health: ['op'],
  health_query: [],
  rate_limiting: ['from', 'to'],
  shutdown: [],
  shutdown_request: [],
  shutdown_drain: [],
} as const satisfies Record<string, readonly string[]>;

export type ShellOperation = keyof typeof OPERATION_PLACEHOLDERS;
export const SHELL_OPERATIONS = Object.keys(OPERATION_PLACEHOLDERS) as ShellOperation[];

const NAME = /^[a-z_]+$/;

export class TemplateProblem extends Error {}

/** `{name}` occurrences that count as placeholders (the `$` rule), in order. */
export function placeholdersIn(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(/(?<!\$)\{([a-z_]+)\}/g)) out.push(m[1]!);
  return out;
}

/** Names used in `template` that are not in `allowed`, each once. */
export function unknownPlaceholders(template: string, allowed: readonly string[]): string[] {
  return [...new Set(placeholdersIn(template).filter((p) => !allowed.includes(p)))];
}

/** Bash variable that holds a placeholder's value in the agent shell. */
export const varOf = (name: string) => `__bb_v_${name}`;

/**
 * The template as bash code with every placeholder turned into a quoted variable reference.
 * Throws TemplateProblem for a placeholder inside single quotes (it would stay literal text).
 */
export function toBash(template: string): string {
  let out = '';
  let state: 'plain' | 'single' | 'double' | 'ansi' = 'plain';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    const rest = template.slice(i);
    const m = /^\{([a-z_]+)\}/.exec(rest);
    if (m && NAME.test(m[1]!) && template[i - 1] !== '$') {
      const name = m[1]!;
      if (state === 'single' || state === 'ansi') throw new TemplateProblem(`{${name}} is inside single quotes, where bash never expands it; write it outside the quotes (busbench quotes it)`);
      out += state === 'double' ? `\${${varOf(name)}}` : `"\${${varOf(name)}}"`;
      i += m[0].length - 1;
      continue;
    }
    out += c;
    if (c === '\\' && state !== 'single') {
      // The next character is escaped (in $'…' too): copy it as is.
      if (i + 1 < template.length) out += template[++i];
      continue;
    }
    if (state === 'plain') {
      if (c === "'") state = template[i - 1] === '$' ? 'ansi' : 'single';
      else if (c === '"') state = 'double';
    } else if (state === 'single' || state === 'ansi') {
      if (c === "'") state = 'plain';
    } else if (state === 'double' && c === '"') state = 'plain';
  }
  if (state !== 'plain') throw new TemplateProblem(`unbalanced ${state === 'double' ? 'double' : 'single'} quote; close it`);
  return out;
}

/** A value with its placeholders replaced by text (for `env` values, which bash never parses). */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/(?<!\$)\{([a-z_]+)\}/g, (all, name: string) => values[name] ?? all);
}

/** `s` as one bash word in single quotes. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
