import type { BudgetCrossing } from '../records/schema.ts';

/** How far a model is followed looking for the budget to break. */
export const BUDGET_SEARCH_LIMIT = 1_000_000;

/**
 * Where a budget breaks. First the measurements: the smallest swept scale whose value is over
 * budget (the break lies between the last scale within budget and that one). If no measured scale
 * breaks it, the model: the smallest whole N beyond the sweep where `model(N)` is over budget,
 * found by stepping N up by 1 % and bisecting the last step (so a model that rises and falls again
 * is still caught at its first crossing, to within that step). Such a crossing is an extrapolation.
 */
export function budgetCrossing(measured: readonly { agents: number; value: number | null }[], budget: number, model: ((n: number) => number | null) | null): BudgetCrossing {
  const pts = measured.filter((p): p is { agents: number; value: number } => p.value !== null && Number.isFinite(p.value)).sort((a, b) => a.agents - b.agents);
  let lastOk: number | null = null;
  for (const p of pts) {
    if (p.value > budget) return { broken_at_agents: p.agents, last_ok_agents: lastOk, source: 'measured', extrapolated: false, value_at_break: round(p.value) };
    lastOk = p.agents;
  }
  const from = pts.length > 0 ? pts[pts.length - 1]!.agents : 0;
  if (model === null || pts.length === 0) return { broken_at_agents: null, last_ok_agents: lastOk, source: 'none', extrapolated: false, value_at_break: null };
  const over = (n: number) => {
    const v = model(n);
    return v !== null && Number.isFinite(v) && v > budget;
  };
  let lo = from;
  let n = from + 1;
  while (n <= BUDGET_SEARCH_LIMIT) {
    if (over(n)) {
      // the first crossing lies in (lo, n]: bisect on whole numbers
      while (n - lo > 1) {
        const mid = Math.floor((lo + n) / 2);
        if (over(mid)) n = mid;
        else lo = mid;
      }
      return { broken_at_agents: n, last_ok_agents: lastOk, source: 'model', extrapolated: true, value_at_break: round(model(n)!) };
    }
    lo = n;
    n = Math.max(n + 1, Math.ceil(n * 1.01));
  }
  return { broken_at_agents: null, last_ok_agents: lastOk, source: 'none', extrapolated: false, value_at_break: null };
}

const round = (x: number) => Number(x.toPrecision(6));
