/**
 * The threshold language: one comparison per expression, in the spirit of k6's `p(95)<200`.
 *
 *   threshold  = subject comparator quantity
 *   subject    = overhead | bound "(" overhead ")" | ab | bound "(" ab ")" | latency | integrity | resolution
 *   overhead   = "overhead(" layer ")" [ "@" agents ] "." operation "." "p50"
 *   ab         = "ab(" config ")" [ "@" agents ] "." operation "." "p50"   (busbench ab: B against A, %)
 *   bound      = "upper" | "lower"                  (the 95 % interval's bound instead of the estimate)
 *   latency    = config [ "@" agents ] "." operation "." stat
 *   integrity  = "integrity" [ "@" agents ] "." counter
 *   resolution = "resolution" [ "@" agents ] "." operation   (the noop interval's half-width)
 *   fault      = "fault" [ "@" agents ] ".health_detect_ms." ("p50" | "p95" | "max")   (--fault runs)
 *   growth     = "growth(" resource ")"   (a soak's fitted growth per minute: busbench soak)
 *   comparator = "<" | "<=" | ">" | ">=" | "==" | "!="
 *   quantity   = number [ unit ]      unit: % | us | µs | ms | s
 *
 * layer: noop, metrics, health, rate_limiting, shutdown, full_integration; config: baseline or a
 * layer; operation: message_send, message_receive, delivery (and health_query, shutdown_drain for
 * latency); stat: avg, p50, p95, p99, min, max, stddev; counter: lost, duplicated, sent, received,
 * drained, rejected, unknown, leftover. Without "@agents" a threshold holds at every scale measured.
 * Units: overheads take % (or a time: the added µs of the estimate), latencies a time, integrity
 * counters a plain number, resolution %, growth a size per time (B, KB, MB, GB / s, min, h;
 * tmpfs_files: files / time, e.g. 10/min). resource: rss, rss_harness, rss_workers, rss_agent_shells,
 * rss_server, tmpfs, tmpfs_files, file (every lasting file of the bus).
 */
import { OPERATIONS, type Operation } from '../core/words.ts';
import { CONFIGS, type ConfigName } from '../core/words.ts';

export const COMPARATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Comparator = (typeof COMPARATORS)[number];
export const LATENCY_STATS = ['avg', 'p50', 'p95', 'p99', 'min', 'max', 'stddev'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];
export const COUNTERS = ['lost', 'duplicated', 'sent', 'received', 'drained', 'rejected', 'unknown', 'leftover'] as const;
export type Counter = (typeof COUNTERS)[number];
export const FAULT_STATS = ['p50', 'p95', 'max'] as const;
export type FaultStat = (typeof FAULT_STATS)[number];
/** Operations that have an overhead (a layer and the baseline both do them). */
export const OVERHEAD_OPS: readonly Operation[] = ['message_send', 'message_receive', 'delivery'];
/** Operations busbench ab compares (its cells are interleaved: no delivery). */
export const AB_OPS: readonly Operation[] = ['message_send', 'message_receive'];
const LAYER_CONFIGS = CONFIGS.filter((c) => c !== 'baseline');

export type Subject =
  | { kind: 'overhead'; bound: 'estimate' | 'upper' | 'lower'; config: ConfigName; agents: number | null; operation: Operation }
  /** busbench ab: the change of B against A (its `ab` records). */
  | { kind: 'ab'; bound: 'estimate' | 'upper' | 'lower'; config: ConfigName; agents: number | null; operation: Operation }
  | { kind: 'latency'; config: ConfigName; agents: number | null; operation: Operation; stat: LatencyStat }
  | { kind: 'integrity'; agents: number | null; counter: Counter }
  | { kind: 'resolution'; agents: number | null; operation: Operation }
  /** --fault: the health layer's detection time over the cells (lib/faults/rows.ts). */
  | { kind: 'fault'; agents: number | null; measure: 'health_detect_ms'; stat: FaultStat }
  | { kind: 'growth'; agents: null; resource: GrowthResource };

export const GROWTH_RESOURCES = ['rss', 'rss_harness', 'rss_workers', 'rss_agent_shells', 'rss_server', 'tmpfs', 'tmpfs_files', 'file'] as const;
export type GrowthResource = (typeof GROWTH_RESOURCES)[number];

export type Unit = '%' | 'us' | 'count' | 'bytes/min' | 'files/min';

/** A parsed threshold. Serializes (JSON) as its text. */
export class Threshold {
  constructor(
    readonly text: string,
    readonly subject: Subject,
    readonly comparator: Comparator,
    /** In `unit`: percent, microseconds, or a count. */
    readonly limit: number,
    readonly unit: Unit,
    /** Where "@agents" was written, to point at it when the plan lacks that scale. */
    readonly agentsSpan: Span | null,
    readonly configSpan: Span | null,
  ) {}
  toJSON(): string {
    return this.text;
  }
}

export interface Span {
  start: number;
  end: number;
}

/** A bad expression: what is wrong and where (character offsets into the text). */
export class ThresholdSyntaxError extends Error {
  constructor(
    readonly text: string,
    readonly why: string,
    readonly span: Span,
  ) {
    super(why);
    this.name = 'ThresholdSyntaxError';
  }

  /** The problem, the expression and a caret line under the bad part. */
  describe(label = '--threshold'): string {
    const width = Math.max(1, this.span.end - this.span.start);
    return `${label} "${this.text}": ${this.why}\n      ${this.text}\n      ${' '.repeat(this.span.start)}${'^'.repeat(width)}`;
  }
}

interface Token {
  kind: 'ident' | 'number' | 'sym' | 'end';
  value: string;
  start: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const m = /^(?:[A-Za-z_µ][A-Za-z0-9_]*)/.exec(rest) ?? null;
    if (m) {
      out.push({ kind: 'ident', value: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    const n = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(rest);
    if (n && !(ch === '.' && out.length > 0 && out[out.length - 1]!.kind !== 'sym')) {
      out.push({ kind: 'number', value: n[0], start: i, end: i + n[0].length });
      i += n[0].length;
      continue;
    }
    const s = /^(?:<=|>=|==|!=|[<>()@.%/-])/.exec(rest);
    if (s) {
      out.push({ kind: 'sym', value: s[0], start: i, end: i + s[0].length });
      i += s[0].length;
      continue;
    }
    if (ch === '=') throw new ThresholdSyntaxError(text, '"=" alone is not a comparator; use == (or <, <=, >, >=, !=)', { start: i, end: i + 1 });
    throw new ThresholdSyntaxError(text, `unexpected character "${ch}"`, { start: i, end: i + 1 });
  }
  out.push({ kind: 'end', value: '', start: text.length, end: text.length + 1 });
  return out;
}

const EXAMPLES = 'e.g. overhead(metrics)@100.message_send.p50 < 0.5%, baseline@10.message_send.p95 < 200us, integrity.lost == 0';

/** Parses one expression; throws ThresholdSyntaxError pointing at the bad part. */
export function parseThreshold(text: string): Threshold {
  const toks = tokenize(text);
  let at = 0;
  const peek = () => toks[at]!;
  const next = () => toks[at++]!;
  const fail = (why: string, t: Token = peek()): never => {
    throw new ThresholdSyntaxError(text, why, { start: t.start, end: t.end });
  };
  const expect = (value: string, what = `"${value}"`) => {
    const t = peek();
    if (t.kind === 'end') fail(`expected ${what} but the expression ends here`);
    if (t.value !== value) fail(`expected ${what}, found "${t.value}"`);
    return next();
  };
  const ident = (what: string, choices: readonly string[]) => {
    const t = peek();
    if (t.kind !== 'ident') fail(t.kind === 'end' ? `expected ${what} but the expression ends here; choose from ${choices.join(', ')}` : `expected ${what}, found "${t.value}"; choose from ${choices.join(', ')}`);
    if (!choices.includes(t.value)) fail(`unknown ${what} "${t.value}"; choose from ${choices.join(', ')}`);
    return next();
  };
  let agentsSpan: Span | null = null;
  const agents = (): number | null => {
    if (peek().value !== '@') return null;
    next();
    const t = peek();
    if (t.kind !== 'number' || !/^\d+$/.test(t.value) || Number(t.value) < 1) fail('expected an agent count (a whole number ≥ 1) after "@", e.g. @10');
    next();
    agentsSpan = { start: t.start, end: t.end };
    return Number(t.value);
  };
  if (peek().kind === 'end') fail(`empty threshold; write a comparison, ${EXAMPLES}`);

  let subject: Subject;
  let configSpan: Span | null = null;
  const head = peek();
  const overhead = (bound: 'estimate' | 'upper' | 'lower', kind: 'overhead' | 'ab' = 'overhead'): Subject => {
    expect(kind, bound === 'estimate' ? `"${kind}"` : `"overhead(...)" or "ab(...)" inside ${bound}(...)`);
    expect('(', kind === 'ab' ? '"(" and a config name' : '"(" and a layer name');
    const c = kind === 'ab' ? ident('config', CONFIGS) : ident('layer', LAYER_CONFIGS);
    configSpan = { start: c.start, end: c.end };
    expect(')');
    const n = agents();
    expect('.', '"." and an operation');
    const op = ident(kind === 'ab' ? 'operation for an A/B change' : 'operation for an overhead', kind === 'ab' ? AB_OPS : OVERHEAD_OPS);
    expect('.', '"." and a statistic');
    const st = peek();
    if (st.kind === 'ident' && st.value !== 'p50') fail(`${kind === 'ab' ? 'an A/B change' : 'an overhead'} is a median (of matched per-call ratios), so only ".p50" exists (found "${st.value}"); for a tail, bound the latency instead, e.g. ${c.value}.${op.value}.p95 < 200us`);
    ident('statistic', ['p50']);
    return { kind, bound, config: c.value as ConfigName, agents: n, operation: op.value as Operation };
  };
  if (head.kind !== 'ident') fail(`expected what to check (overhead(...), upper(...), a config, integrity, resolution, fault or growth(...)), found "${head.value}"; ${EXAMPLES}`);
  if (head.value === 'overhead' || head.value === 'ab') subject = overhead('estimate', head.value);
  else if (head.value === 'upper' || head.value === 'lower') {
    next();
    expect('(', '"(" after ' + head.value);
    subject = overhead(head.value, peek().value === 'ab' ? 'ab' : 'overhead');
    expect(')', `")" to close ${head.value}(...)`);
  } else if (head.value === 'integrity') {
    next();
    const n = agents();
    expect('.', '"." and a counter');
    const c = ident('integrity counter', COUNTERS);
    subject = { kind: 'integrity', agents: n, counter: c.value as Counter };
  } else if (head.value === 'resolution') {
    next();
    const n = agents();
    expect('.', '"." and an operation');
    const op = ident('operation', OVERHEAD_OPS);
    subject = { kind: 'resolution', agents: n, operation: op.value as Operation };
  } else if (head.value === 'fault') {
    next();
    const n = agents();
    expect('.', '"." and health_detect_ms');
    ident('fault measure', ['health_detect_ms']);
    expect('.', '"." and a statistic');
    const st = ident('statistic', FAULT_STATS);
    subject = { kind: 'fault', agents: n, measure: 'health_detect_ms', stat: st.value as FaultStat };
  } else if (head.value === 'growth') {
    next();
    expect('(', '"(" and a resource');
    const r = ident('resource', GROWTH_RESOURCES);
    expect(')');
    subject = { kind: 'growth', agents: null, resource: r.value as GrowthResource };
  } else if ((CONFIGS as readonly string[]).includes(head.value)) {
    next();
    configSpan = { start: head.start, end: head.end };
    const n = agents();
    expect('.', '"." and an operation');
    const op = ident('operation', OPERATIONS);
    expect('.', '"." and a statistic');
    const st = ident('statistic', LATENCY_STATS);
    subject = { kind: 'latency', config: head.value as ConfigName, agents: n, operation: op.value as Operation, stat: st.value as LatencyStat };
  } else {
    fail(`unknown subject "${head.value}"; start with overhead(LAYER), ab(CONFIG), upper(overhead(LAYER)...), lower(...), a config (${CONFIGS.join(', ')}), integrity, resolution, fault or growth(RESOURCE)`);
  }

  const cmp = peek();
  if (cmp.kind === 'end') fail(`expected a comparison (${COMPARATORS.join(' ')}) and a limit, e.g. "< 1%"`);
  if (!(COMPARATORS as readonly string[]).includes(cmp.value)) fail(`expected a comparator (${COMPARATORS.join(' ')}), found "${cmp.value}"`);
  next();
  let sign = 1;
  if (peek().value === '-') {
    next();
    sign = -1;
  }
  const num = peek();
  if (num.kind !== 'number') fail(num.kind === 'end' ? 'expected a number after the comparator' : `expected a number, found "${num.value}"`);
  next();
  const value = sign * Number(num.value);
  if (subject!.kind === 'growth') {
    const { limit, unit } = growthUnit(subject!.resource, value, peek, next, fail);
    if (peek().kind !== 'end') fail(`unexpected "${peek().value}" after the limit; one comparison per --threshold (repeat the flag for more)`);
    return new Threshold(text, subject!, cmp.value as Comparator, limit, unit, null, null);
  }
  const unitTok = peek();
  let unitText = '';
  if (unitTok.kind !== 'end') {
    unitText = unitTok.value;
    next();
  }
  const { limit, unit } = resolveUnit(subject!, value, unitText, unitTok, fail);
  if (peek().kind !== 'end') fail(`unexpected "${peek().value}" after the limit; one comparison per --threshold (repeat the flag for more)`);
  return new Threshold(text, subject!, cmp.value as Comparator, limit, unit, agentsSpan, configSpan);
}

const TIME: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000 };
const SIZE: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const PER: Record<string, number> = { s: 60, min: 1, h: 1 / 60 };

/** "1MB/min", "500 KB/s", "10/min" (files) → per minute in bytes (or files). */
function growthUnit(resource: GrowthResource, value: number, peek: () => Token, next: () => Token, fail: (why: string, t?: Token) => never): { limit: number; unit: Unit } {
  const files = resource === 'tmpfs_files';
  const example = files ? 'e.g. < 10/min' : 'e.g. < 1MB/min';
  let size = 1;
  const t = peek();
  if (t.kind === 'ident') {
    if (files && t.value !== 'files') fail(`growth(tmpfs_files) counts files; give files per time, ${example}`, t);
    if (!files && SIZE[t.value] === undefined) fail(`unknown size unit "${t.value}"; use B, KB, MB or GB per s, min or h, ${example}`, t);
    if (!files) size = SIZE[t.value]!;
    next();
  } else if (!files) fail(t.kind === 'end' ? `a growth needs a unit: a size per time, ${example}` : `expected a size unit (B, KB, MB, GB), found "${t.value}"; ${example}`);
  const slash = peek();
  if (slash.value !== '/') fail(slash.kind === 'end' ? `a growth is per time: add /s, /min or /h, ${example}` : `expected "/" and a time (s, min, h), found "${slash.value}"; ${example}`);
  next();
  const per = peek();
  if (per.kind !== 'ident' || PER[per.value] === undefined) fail(`expected a time after "/": s, min or h; ${example}`);
  next();
  return { limit: value * size * PER[per.value]!, unit: files ? 'files/min' : 'bytes/min' };
}

function resolveUnit(subject: Subject, value: number, unit: string, tok: Token, fail: (why: string, t?: Token) => never): { limit: number; unit: Unit } {
  const timeOrPct = unit === '%' ? '%' : unit in TIME ? 'time' : unit === '' ? 'none' : 'bad';
  if (timeOrPct === 'bad') fail(`unknown unit "${unit}"; use %, us, ms or s`, tok);
  switch (subject.kind) {
    case 'overhead':
    case 'ab':
      if (timeOrPct === '%') return { limit: value, unit: '%' };
      if (timeOrPct === 'time') {
        if (subject.bound !== 'estimate') fail(`${subject.bound}(...) is a bound of the interval in %; give the limit in %, e.g. < 1%`, tok);
        return { limit: value * TIME[unit]!, unit: 'us' };
      }
      return fail('an overhead needs a unit: % (e.g. < 1%) or a time (e.g. < 5us)', tok);
    case 'fault':
      if (timeOrPct === 'time') return { limit: value * TIME[unit]!, unit: 'us' };
      return fail('a detection time needs a time unit: us, ms or s (e.g. < 500ms)', tok);
    case 'latency':
      if (timeOrPct === 'time') return { limit: value * TIME[unit]!, unit: 'us' };
      return fail(`a latency needs a time unit: us, ms or s (e.g. < 200us)${timeOrPct === '%' ? '; for a % bound use overhead(LAYER)' : ''}`, tok);
    case 'resolution':
      if (timeOrPct === '%') return { limit: value, unit: '%' };
      return fail('resolution is a half-width in %; give the limit in %, e.g. < 1%', tok);
    case 'growth':
      return fail('a growth is a size per time, e.g. < 1MB/min', tok);
    case 'integrity':
      if (timeOrPct !== 'none') fail(`integrity.${subject.counter} is a count of messages; give a plain number, e.g. == 0`, tok);
      if (!Number.isInteger(value)) fail('integrity counters are whole numbers', tok);
      return { limit: value, unit: 'count' };
  }
}

/** Parses every expression; the bad ones come back as problems (each with its caret line). */
export function parseThresholds(texts: readonly string[], label = '--threshold'): { thresholds: Threshold[]; problems: string[] } {
  const thresholds: Threshold[] = [];
  const problems: string[] = [];
  for (const text of texts) {
    try {
      thresholds.push(parseThreshold(text.trim()));
    } catch (e) {
      if (e instanceof ThresholdSyntaxError) problems.push(e.describe(label));
      else throw e;
    }
  }
  return { thresholds, problems };
}
