/** Every pattern by name (--pattern); rotation is the default. */
import type { Pattern } from './pattern.ts';
import { broadcast } from './broadcast.ts';
import { fanIn } from './fan-in.ts';
import { fanOut } from './fan-out.ts';
import { requestReply } from './request-reply.ts';
import { ring } from './ring.ts';
import { rotation } from './rotation.ts';

export const PATTERNS: readonly Pattern[] = [rotation, ring, fanIn, fanOut, broadcast, requestReply];
export const PATTERN_NAMES = PATTERNS.map((p) => p.name);

export function patternOf(name: string | undefined): Pattern {
  const p = PATTERNS.find((x) => x.name === (name ?? 'rotation'));
  if (!p) throw new Error(`unknown pattern ${JSON.stringify(name)}`);
  return p;
}

/** Messages per round of every agent together at scale n. */
export function messagesPerRound(pattern: Pattern, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m += pattern.perRound(i, n);
  return m;
}

/** Agents that send at scale n (an agent whose rounds hold no message only receives). */
export function sendersAt(pattern: Pattern, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) if (pattern.perRound(i, n) > 0) s++;
  return s;
}
