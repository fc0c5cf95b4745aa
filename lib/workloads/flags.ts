/**
 * The workload's options (--rate, --rate-total, --arrivals, --duration, --wait, --pattern): their
 * parsers and the checks between them. Each problem names the flag and the fix (exit 2).
 */
import { Problem } from '../core/parse.ts';
import type { Pattern } from './pattern.ts';
import type { Arrivals } from '../core/protocol.ts';
import { WATCHING_DRIVERS } from '../drivers/registry.ts';
export type { Arrivals } from '../core/protocol.ts';

export const ARRIVALS = ['constant', 'poisson'] as const satisfies readonly Arrivals[];

/** Most messages one agent may send in a cell (a message key holds 2^20 sequence numbers). */
export const MAX_SENDS_PER_AGENT = 1_000_000;

/** A rate in messages per second: a number above 0. */
export function rate(raw: string, flag: string): number {
  const s = raw.trim();
  const n = /^[+-]?\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
  if (Number.isNaN(n)) throw new Problem(`${flag}: "${raw}" is not a number; give messages per second, e.g. ${flag} 20`);
  if (n <= 0) throw new Problem(`${flag}: ${n} messages/s sends nothing; give a rate above 0, e.g. ${flag} 20`);
  if (n > 1_000_000) throw new Problem(`${flag}: ${n} messages/s is above 1000000; give a lower rate`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration with its unit (ms, s, m, h), in ms. A bare number is refused: 20 what? */
export function duration(raw: string, flag: string): number {
  const s = raw.trim();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Problem(`${flag}: "${raw}" is not a duration; use a number and a unit (ms, s, m, h), e.g. ${flag} 20s`);
  if (m[2] === undefined) throw new Problem(`${flag}: "${raw}" has no unit; use e.g. ${flag} ${m[1]}s (units ms, s, m, h)`);
  const ms = Number(m[1]) * UNIT_MS[m[2]]!;
  if (ms < 1) throw new Problem(`${flag}: ${raw} is too short; give at least 1ms, e.g. ${flag} 20s`);
  if (ms > 86_400_000) throw new Problem(`${flag}: ${raw} is above a day; give a shorter duration`);
  return ms;
}

/**
 * How receivers wait for mail. `poll:INTERVAL` (us, µs, ms; 0: without pause): every inbox is
 * looked at again after the interval. `watch`: the driver's notification that mail arrived
 * (tmpfs: an inotify watch on each inbox), taken at once.
 */
export type WaitSpec = { kind: 'poll'; intervalNs: number } | { kind: 'watch' };

export function waitSpec(raw: string, flag: string): string {
  parseWait(raw, flag);
  return raw.trim();
}

export function parseWait(raw: string, flag = '--wait'): WaitSpec {
  if (raw.trim() === 'watch') return { kind: 'watch' };
  const m = /^poll:(\d+(?:\.\d+)?)(us|µs|ms)$/.exec(raw.trim());
  if (!m) throw new Problem(`${flag}: "${raw}" is not a way to wait; use poll:INTERVAL with a unit (us, ms), e.g. ${flag} poll:1ms (poll:0us polls without pause), or watch (tmpfs: woken by inotify)`);
  const ns = Number(m[1]) * (m[2] === 'ms' ? 1e6 : 1e3);
  if (ns > 1e9) throw new Problem(`${flag}: ${raw}: a poll interval above 1 s; give e.g. ${flag} poll:1ms`);
  return { kind: 'poll', intervalNs: ns };
}

export function arrivals(raw: string, flag: string): Arrivals {
  const s = raw.trim();
  if (!(ARRIVALS as readonly string[]).includes(s)) throw new Problem(`${flag}: unknown arrivals "${raw}"; choose ${ARRIVALS.join(' or ')}`);
  return s as Arrivals;
}

/** The workload options as options.ts holds them. */
export interface LoadOptions {
  rate: number | null;
  rateTotal: number | null;
  arrivals: Arrivals;
  durationMs: number;
  wait: string;
  scales: readonly number[];
  drivers: readonly string[];
}

/** Checks between the workload options, once each is valid on its own; `given`: the flags (or env) the user set. */
export function loadProblems(o: LoadOptions, given: (key: 'rate' | 'rateTotal' | 'arrivals' | 'durationMs' | 'wait') => boolean, problems: string[]): void {
  const open = o.rate !== null || o.rateTotal !== null;
  if (o.rate !== null && o.rateTotal !== null) problems.push('--rate and --rate-total: give one of them (--rate is per sending agent, --rate-total for all of them together)');
  if (!open) {
    for (const [key, flag] of [['durationMs', '--duration'], ['arrivals', '--arrivals'], ['wait', '--wait']] as const) {
      if (given(key)) problems.push(`${flag}: only used by the open loop; add --rate R (messages/s per agent) or --rate-total R, or drop ${flag} (the closed loop counts --iterations)`);
    }
    return;
  }
  if (parseWait(o.wait).kind === 'watch') {
    const blind = o.drivers.filter((d) => !WATCHING_DRIVERS.includes(d));
    if (blind.length > 0) problems.push(`--wait watch: the ${blind.join(' and ')} driver${blind.length > 1 ? 's' : ''} cannot notify a receiver of new mail (only ${WATCHING_DRIVERS.join(', ')} can); use --wait poll:INTERVAL, e.g. poll:1ms`);
  }
}

export function patternName(raw: string, flag: string, names: readonly string[]): string {
  const s = raw.trim();
  if (!names.includes(s)) throw new Problem(`${flag}: unknown pattern "${raw}"; choose from ${names.join(', ')}`);
  return s;
}

/** A pattern the scales cannot hold (fan-in at 1 agent), or whose answers would not fit a message's number. */
export function patternProblems(pattern: Pattern, o: { scales: readonly number[]; iterations: number; rate: number | null; rateTotal: number | null; durationMs: number }, problems: string[]): void {
  const small = o.scales.filter((n) => n < pattern.minAgents);
  if (small.length > 0) {
    problems.push(`--pattern ${pattern.name} needs at least ${pattern.minAgents} agents, but --scales has ${small.join(', ')}; drop ${small.length === 1 ? 'it' : 'them'} from --scales or choose --pattern rotation`);
  }
  // Every message of an agent needs a number below MAX_SENDS_PER_AGENT (answers take a second range).
  for (const n of o.scales) {
    if (n < pattern.minAgents) continue;
    let most = 0;
    let senders = 0;
    for (let i = 0; i < n; i++) {
      const m = pattern.perRound(i, n);
      most = Math.max(most, m);
      if (m > 0) senders++;
    }
    const open = o.rate !== null || o.rateTotal !== null;
    // Poisson arrivals may exceed their mean: 10 % spare.
    const rounds = open ? ((o.rate ?? o.rateTotal! / Math.max(1, senders)) * o.durationMs * 1.1) / 1000 : o.iterations;
    const messages = Math.ceil(rounds * most * (pattern.answers ? 2 : 1));
    if (messages > MAX_SENDS_PER_AGENT) {
      const what = open ? `${o.rate !== null ? '--rate' : '--rate-total'} with --duration` : '--iterations';
      problems.push(`${what}: up to ${messages} messages per agent at ${n} agents with --pattern ${pattern.name}, more than the ${MAX_SENDS_PER_AGENT} a cell can number; ${open ? 'lower the rate or shorten --duration' : 'lower --iterations'}`);
      break;
    }
  }
}
