/**
 * Nelder–Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients
 * reflection 1, expansion 2, contraction ½, shrink ½ as in Lagarias et al. 1998). Derivative-free,
 * so it suits small least-squares problems whose objective is cheap. Bounds are the caller's job
 * (evaluate a clamped point). Deterministic: no randomness.
 */
export function nelderMead(f: (p: number[]) => number, start: readonly number[], step: readonly number[], opts: { maxIter?: number; tol?: number } = {}): { point: number[]; value: number; iterations: number } {
  const maxIter = opts.maxIter ?? 2000;
  const tol = opts.tol ?? 1e-12;
  const dim = start.length;
  let simplex: { p: number[]; v: number }[] = [{ p: [...start], v: f([...start]) }];
  for (let i = 0; i < dim; i++) {
    const p = [...start];
    p[i]! += step[i]!;
    simplex.push({ p, v: f(p) });
  }
  const combine = (a: number[], b: number[], t: number) => a.map((x, i) => x + t * (b[i]! - x));
  let it = 0;
  for (; it < maxIter; it++) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[dim]!;
    if (Math.abs(worst.v - best.v) <= tol * (Math.abs(best.v) + tol)) break;
    const centroid = new Array<number>(dim).fill(0);
    for (let k = 0; k < dim; k++) for (let i = 0; i < dim; i++) centroid[i]! += simplex[k]!.p[i]! / dim;
    const reflected = combine(centroid, worst.p, -1);
    const fr = f(reflected);
    if (fr < best.v) {
      const expanded = combine(centroid, worst.p, -2);
      const fe = f(expanded);
      simplex[dim] = fe < fr ? { p: expanded, v: fe } : { p: reflected, v: fr };
      continue;
    }
    if (fr < simplex[dim - 1]!.v) {
      simplex[dim] = { p: reflected, v: fr };
      continue;
    }
    const outside = fr < worst.v;
    const contracted = combine(centroid, outside ? reflected : worst.p, 0.5);
    const fc = f(contracted);
    if (fc < (outside ? fr : worst.v)) {
      simplex[dim] = { p: contracted, v: fc };
      continue;
    }
    simplex = simplex.map((s, k) => (k === 0 ? s : { p: combine(best.p, s.p, 0.5), v: f(combine(best.p, s.p, 0.5)) }));
  }
  simplex.sort((a, b) => a.v - b.v);
  return { point: simplex[0]!.p, value: simplex[0]!.v, iterations: it };
}
