/**
 * `--fault SPEC`: what to break, in which agent or worker, and when. Parsed from text alone here;
 * checked against the run's scales and workers by faultProblems once every option is known.
 *
 *   kill-agent:N@P%        agent N dies for good when P % of the rounds of its worker are done
 *   stall-agent:N@P%:DUR   agent N stops for DUR (500ms, 2s), then goes on
 *   kill-worker:N@P%       the worker process N is SIGKILLed at that point
 *   restart-server@P%[:DUR] the server busbench started for a networked driver is stopped (SIGTERM)
 *                          and started again on its port, after DUR down (default 0)
 */
import { Problem } from '../core/parse.ts';
import type { FaultKind, FaultSpec } from '../core/protocol.ts';
export type { FaultKind, FaultSpec } from '../core/protocol.ts';

export const FAULT_KINDS = ['kill-agent', 'stall-agent', 'kill-worker', 'restart-server'] as const satisfies readonly FaultKind[];


const EXAMPLE = 'e.g. kill-agent:3@50%, stall-agent:3@50%:500ms, kill-worker:1@50% or restart-server@50%';

/** Every --fault given, in order; each bad one throws a Problem naming the flag. */
export function faultList(raws: string[], flag: string): FaultSpec[] {
  return raws.map((raw) => parseFault(raw, flag));
}

export function parseFault(raw: string, flag: string): FaultSpec {
  const text = raw.trim();
  const fix = `use KIND:N@P%[:DURATION], ${EXAMPLE}; KIND is one of ${FAULT_KINDS.join(', ')}`;
  const kind = text.split(/[:@]/)[0]!;
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new Problem(`${flag}: unknown fault kind "${kind}" in "${raw}"; ${fix}`);
  // The server is one: restart-server names no target.
  const m = kind === 'restart-server' ? /^restart-server()@([^:]*)(?::(.*))?$/.exec(text) : /^[a-z-]+:(\d+)@([^:]*)(?::(.*))?$/.exec(text);
  if (!m) throw new Problem(`${flag}: "${raw}" is not a fault; ${kind === 'restart-server' ? 'use restart-server@P%[:DURATION], e.g. restart-server@50% or restart-server@50%:1s (the time the server stays down)' : fix}`);
  const [, n, point, duration] = m;
  const pctText = point!.replace(/%$/, '');
  if (!/^\d+(\.\d+)?$/.test(pctText)) throw new Problem(`${flag}: "${point}" in "${raw}" is not a point of the cell; give a percentage from 0 to 100, e.g. @50%`);
  const atPct = Number(pctText);
  if (atPct > 100) throw new Problem(`${flag}: ${atPct} % in "${raw}" is outside 0-100 %; give the share of the cell's workload done when it strikes, e.g. @50%`);
  const spec: FaultSpec = { kind: kind as FaultKind, target: Number(n || 0), atPct, text };
  if (kind === 'restart-server') {
    if (duration !== undefined && duration !== '') spec.durationMs = parseDuration(duration, `${flag}: "${raw}"`);
  } else if (kind === 'stall-agent') {
    if (duration === undefined || duration === '') throw new Problem(`${flag}: "${raw}" says how long the agent stalls nowhere; add a duration with its unit, e.g. ${text}:500ms`);
    spec.durationMs = parseDuration(duration, `${flag}: "${raw}"`);
  } else if (duration !== undefined) throw new Problem(`${flag}: "${raw}": ${kind} takes no duration; drop ":${duration}"`);
  return spec;
}

/** "500ms", "2s", "1.5s" → ms. A bare number is refused: its unit would be a guess. */
export function parseDuration(raw: string, label: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(raw.trim());
  if (!m) {
    const bare = /^\d+(\.\d+)?$/.test(raw.trim());
    throw new Problem(`${label}: ${bare ? `duration "${raw}" has no unit` : `"${raw}" is not a duration`}; write it with ms or s, e.g. 500ms or 2s`);
  }
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  if (ms <= 0 || ms > 600_000) throw new Problem(`${label}: ${raw} is outside 1ms-600s; give e.g. 500ms`);
  return ms;
}

/**
 * Faults checked against the run: every cell injects each fault, so its agent must exist at the
 * smallest scale and its worker must run at that scale (a cell uses min(--workers, scale) workers).
 */
export function faultProblems(faults: readonly FaultSpec[], run: { scales: readonly number[]; workers: number; servers?: readonly { driver: string; cannot: string | null }[] }, flag = '--fault'): string[] {
  const problems: string[] = [];
  const least = Math.min(...run.scales);
  for (const f of faults) {
    if (f.kind === 'restart-server') {
      for (const s of run.servers ?? []) if (s.cannot !== null) problems.push(`${flag}: "${f.text}" with --driver ${s.driver}: ${s.cannot}`);
    } else if (f.kind === 'kill-worker') {
      const workers = Math.min(run.workers, least);
      if (f.target >= workers) problems.push(`${flag}: "${f.text}": worker ${f.target} does not run at scale ${least} (workers 0-${workers - 1}, from min(--workers ${run.workers}, the scale)); name a worker below ${workers}`);
    } else if (f.target >= least) {
      problems.push(`${flag}: "${f.text}": agent ${f.target} is beyond scale ${least} (agents 0-${least - 1}); every cell injects the fault, so name an agent below the smallest of --scales`);
    }
  }
  const seen = new Set<string>();
  for (const f of faults) {
    const who = f.kind === 'restart-server' ? 'the server' : `${f.kind === 'kill-worker' ? 'worker' : 'agent'} ${f.target}`;
    if (seen.has(who)) problems.push(`${flag}: ${who} is named by more than one fault; give each agent, worker or server one fault`);
    seen.add(who);
  }
  return problems;
}

/** The round of a worker's loop at which a fault at `pct` strikes (iterations: the cell's rounds). */
export function faultRound(pct: number, iterations: number): number {
  return Math.min(iterations, Math.round((pct / 100) * iterations));
}
