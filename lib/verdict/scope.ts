import type { ConfigName } from '../core/words.ts';
import type { Threshold } from './syntax.ts';

/**
 * Before a run: every threshold must be judgeable by the planned run. Returns one problem per
 * threshold that names a scale or a config the run will not measure, pointing at it.
 */
export function scopeProblems(ts: readonly Threshold[], plan: { scales: readonly number[]; configs: readonly ConfigName[] }, label = '--threshold'): string[] {
  const problems: string[] = [];
  const caret = (t: Threshold, span: { start: number; end: number }) => `\n      ${t.text}\n      ${' '.repeat(span.start)}${'^'.repeat(Math.max(1, span.end - span.start))}`;
  for (const t of ts) {
    const s = t.subject;
    if (s.agents !== null && !plan.scales.includes(s.agents) && t.agentsSpan) {
      problems.push(`${label} "${t.text}": ${s.agents} agents is not measured by this run (--scales ${plan.scales.join(',')}); add it to --scales or change the threshold${caret(t, t.agentsSpan)}`);
    }
    const config = s.kind === 'overhead' || s.kind === 'latency' || s.kind === 'ab' ? s.config : s.kind === 'resolution' ? 'noop' : null;
    if (config !== null && !plan.configs.includes(config)) {
      const where = t.configSpan ?? { start: 0, end: t.text.length };
      problems.push(`${label} "${t.text}": ${config} is not measured by this run (--layers ${plan.configs.filter((c) => c !== 'baseline').join(',')}); add it to --layers${caret(t, where)}`);
    }
  }
  return problems;
}
