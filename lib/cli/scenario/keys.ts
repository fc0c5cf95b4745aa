/**
 * The keys a scenario step may set, per command, taken from the option spec tables themselves
 * (lib/config/options.ts SPECS, every driver's flags, a command's own table such as
 * lib/capacity/flags.ts CAPACITY_SPECS): a key is a flag's name without the dashes
 * ("payload-bytes"), the same in camelCase ("payloadBytes", "budgetP95") or its option key
 * ("budgetP95Ms"). An option added to one of those tables is
 * a scenario key at once; nothing here names an option.
 */
import { SPECS } from '../../config/options.ts';
import { DRIVERS } from '../../drivers/registry.ts';

/** What the loader needs of an option: its flag, whether it takes a value, whether it repeats. */
export interface KeySpec {
  /** The flag without its dashes: the name the command-line parser gives it. */
  name: string;
  /** Other names it may go by in a file (the option's key). */
  aliases: readonly string[];
  kind: 'value' | 'boolean';
  repeatable: boolean;
  arg?: string;
}

/** A spec of any option table: a flag, a key, and optionally a kind and repetition. */
interface AnySpec {
  flag: string;
  key?: string;
  kind?: 'value' | 'boolean';
  repeatable?: boolean;
  arg?: string;
}

/** Names of the spirit of the documentation that are not any option's flag or key. */
const EXTRA_ALIASES: Record<string, string> = { configs: 'layers' };

function keySpec(s: AnySpec): KeySpec {
  const name = s.flag.replace(/^--/, '');
  const camel = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const aliases = [...new Set([s.key, camel, ...Object.entries(EXTRA_ALIASES).filter(([, v]) => v === name).map(([k]) => k)])].filter((x): x is string => x !== undefined && x !== name);
  return { name, aliases, kind: s.kind ?? 'value', repeatable: s.repeatable === true, ...(s.arg ? { arg: s.arg } : {}) };
}

/** The keys of a command: the shared options, every driver's flags, and the command's own table. */
export function keysFor(own: readonly AnySpec[] = []): KeySpec[] {
  const out: KeySpec[] = [];
  for (const s of SPECS) out.push(keySpec(s));
  // A driver flag's `key` is the driver's own name for it, not a name in a file: only its flag counts.
  for (const d of DRIVERS) for (const f of d.flags) out.push(keySpec({ flag: f.flag, arg: f.arg }));
  for (const s of own) out.push(keySpec(s));
  return out;
}

/** name or alias → spec. */
export function keyIndex(specs: readonly KeySpec[]): Map<string, KeySpec> {
  const m = new Map<string, KeySpec>();
  for (const s of specs) {
    m.set(s.name, s);
    for (const a of s.aliases) if (!m.has(a)) m.set(a, s);
  }
  return m;
}
