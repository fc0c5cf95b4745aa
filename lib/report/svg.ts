/**
 * Inline SVG charts for the HTML report: a line/point chart (linear or log axes) and a grouped bar
 * chart with interval whiskers. Plain strings, no library and nothing fetched: the page opens offline.
 * Every measured point is a <circle class="point"> and every bar a <rect class="bar">, each with a
 * <title> tooltip and data-* attributes, so a browser test can count them.
 */

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (x: number) => (Math.round(x * 10) / 10).toString();

export interface XY {
  x: number;
  y: number;
  /** Tooltip text; a default one is made from x and y. */
  label?: string;
}

export interface Series {
  name: string;
  colour: string;
  points: XY[];
  /** Draw the points as circles (measured data) — off for model curves. */
  markers: boolean;
  line: boolean;
  dashed?: boolean;
}

interface Axis {
  label: string;
  log: boolean;
  /** Format a tick value. */
  fmt?: (v: number) => string;
  /** Force 0 into a linear axis. */
  zero?: boolean;
}

export interface LineChart {
  id: string;
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  width?: number;
  height?: number;
  legendWidth?: number;
  note?: string;
}

const W = 660;
const H = 380;
const M = { top: 40, right: 24, bottom: 58, left: 76 };
/** Room on the right of the plot for the legend. */
const LEGEND_W = 236;

/** 1-2-5 ticks covering [lo, hi] on a linear axis. */
export function linearTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** 1-2-5 ticks for a log axis (thinned to 1-10-100 when the range is wide). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const wide = Math.log10(hi / lo) > 4;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const k of wide ? [1] : [1, 2, 5]) {
      const v = k * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(Number(v.toPrecision(12)));
    }
  }
  return out;
}

function domain(values: number[], axis: Axis): [number, number] {
  const v = values.filter((x) => Number.isFinite(x) && (!axis.log || x > 0));
  if (v.length === 0) return axis.log ? [1, 10] : [0, 1];
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  if (axis.log) {
    // widen to the nearest quarter decade, so the ends get a little air
    lo = 10 ** (Math.floor(Math.log10(lo) * 4) / 4);
    hi = 10 ** (Math.ceil(Math.log10(hi) * 4) / 4);
    return hi > lo ? [lo, hi] : [lo / 2, hi * 2];
  }
  if (axis.zero) lo = Math.min(0, lo);
  if (hi === lo) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.06;
  return [axis.zero && lo === 0 ? 0 : lo - pad, hi + pad];
}

const defaultFmt = (v: number) => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3).replace(/\.?0+$/, '')}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3).replace(/\.?0+$/, '')}k`;
  return Number(v.toPrecision(3)).toString();
};

function scale(axis: Axis, [lo, hi]: [number, number], from: number, to: number): (v: number) => number {
  if (axis.log) {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    return (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from);
  }
  return (v) => from + ((v - lo) / (hi - lo)) * (to - from);
}

function frame(id: string, title: string, w: number, h: number, body: string[], note?: string): string {
  return [
    `<figure class="chart" id="${esc(id)}">`,
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}" data-chart="${esc(id)}">`,
    `<text class="title" x="${w / 2}" y="22" text-anchor="middle">${esc(title)}</text>`,
    ...body,
    '</svg>',
    note ? `<figcaption>${esc(note)}</figcaption>` : '',
    '</figure>',
  ].join('\n');
}

function axes(x: Axis, y: Axis, xd: [number, number], yd: [number, number], sx: (v: number) => number, sy: (v: number) => number, w: number, h: number, xTicks?: number[]): string[] {
  const out: string[] = [];
  const left = M.left;
  const right = w - M.right;
  const top = M.top;
  const bottom = h - M.bottom;
  const xt = xTicks ?? (x.log ? logTicks(xd[0], xd[1]) : linearTicks(xd[0], xd[1]));
  const yt = y.log ? logTicks(yd[0], yd[1]) : linearTicks(yd[0], yd[1]);
  const xf = x.fmt ?? defaultFmt;
  const yf = y.fmt ?? defaultFmt;
  for (const t of yt) {
    const py = f(sy(t));
    out.push(`<line class="grid" x1="${left}" x2="${right}" y1="${py}" y2="${py}"/>`, `<text class="tick" x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${esc(yf(t))}</text>`);
  }
  for (const t of xt) {
    const px = f(sx(t));
    out.push(`<line class="grid" x1="${px}" x2="${px}" y1="${top}" y2="${bottom}"/>`, `<text class="tick" x="${px}" y="${bottom + 16}" text-anchor="middle">${esc(xf(t))}</text>`);
  }
  out.push(`<rect class="plot" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`);
  out.push(`<text class="axis-label" x="${(left + right) / 2}" y="${h - 14}" text-anchor="middle">${esc(x.label)}</text>`);
  out.push(`<text class="axis-label" transform="translate(18 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(y.label)}</text>`);
  return out;
}

function legend(items: { name: string; colour: string; dashed?: boolean; marker?: boolean }[], x: number, y: number): string[] {
  return items.map((it, i) => {
    const yy = y + i * 16;
    const line = `<line x1="${x}" x2="${x + 22}" y1="${yy}" y2="${yy}" stroke="${it.colour}" stroke-width="2"${it.dashed ? ' stroke-dasharray="5 4"' : ''}/>`;
    const dot = it.marker ? `<circle cx="${x + 11}" cy="${yy}" r="3.5" fill="${it.colour}"/>` : '';
    return `<g class="legend-item">${line}${dot}<text class="legend" x="${x + 28}" y="${yy}" dominant-baseline="middle">${esc(it.name)}</text></g>`;
  });
}

export function lineChart(c: LineChart): string {
  const w = c.width ?? W;
  const h = c.height ?? H;
  const all = c.series.flatMap((s) => s.points);
  if (all.length === 0) return frame(c.id, c.title, w, h, [`<text class="empty" x="${w / 2}" y="${h / 2}" text-anchor="middle">no data</text>`], c.note);
  const xd = domain(all.map((p) => p.x), c.x);
  const yd = domain(all.map((p) => p.y), c.y);
  const lw = c.legendWidth ?? LEGEND_W;
  const sx = scale(c.x, xd, M.left, w - M.right - lw);
  const sy = scale(c.y, yd, h - M.bottom, M.top);
  const body = axes(c.x, c.y, xd, yd, sx, sy, w - lw, h);
  for (const s of c.series) {
    const pts = s.points.filter((p) => Number.isFinite(p.y) && (!c.y.log || p.y > 0) && (!c.x.log || p.x > 0)).sort((a, b) => a.x - b.x);
    const g = [`<g class="series" data-series="${esc(s.name)}">`];
    if (s.line && pts.length > 1) {
      const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
      g.push(`<path class="${s.markers ? 'line' : 'model'}" d="${d}" stroke="${s.colour}"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    if (s.markers) {
      for (const p of pts) {
        const tip = p.label ?? `${s.name}: ${defaultFmt(p.x)} → ${defaultFmt(p.y)}`;
        g.push(`<circle class="point" cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="4" fill="${s.colour}" data-x="${p.x}" data-y="${p.y}"><title>${esc(tip)}</title></circle>`);
      }
    }
    g.push('</g>');
    body.push(...g);
  }
  body.push(...legend(c.series.map((s) => ({ name: s.name, colour: s.colour, dashed: s.dashed, marker: s.markers })), w - M.right - lw + 14, M.top + 8));
  return frame(c.id, c.title, w, h, body, c.note);
}

export interface Bar {
  group: string;
  series: string;
  value: number;
  lo: number | null;
  hi: number | null;
  label: string;
}

export interface BarChart {
  id: string;
  title: string;
  groups: string[];
  series: { name: string; colour: string }[];
  bars: Bar[];
  xLabel: string;
  yLabel: string;
  yFmt?: (v: number) => string;
  legendWidth?: number;
  width?: number;
  height?: number;
  note?: string;
}

export function barChart(c: BarChart): string {
  const w = c.width ?? W;
  const h = c.height ?? H;
  if (c.bars.length === 0) return frame(c.id, c.title, w, h, [`<text class="empty" x="${w / 2}" y="${h / 2}" text-anchor="middle">no data</text>`], c.note);
  // Intervals from two or three runs can be 100× the estimate; past this reach they are cut and
  // marked, so the bars stay readable.
  const values = c.bars.map((b) => b.value);
  const reach = Math.max(...values.map(Math.abs), 1) * 1.5;
  const cutLo = Math.min(0, ...values) - reach;
  const cutHi = Math.max(0, ...values) + reach;
  const cut = (v: number) => Math.min(cutHi, Math.max(cutLo, v));
  const ys = c.bars.flatMap((b) => [b.value, cut(b.lo ?? b.value), cut(b.hi ?? b.value), 0]);
  const yAxis: Axis = { label: c.yLabel, log: false, zero: true, ...(c.yFmt ? { fmt: c.yFmt } : {}) };
  const yd = domain(ys, yAxis);
  const sy = scale(yAxis, yd, h - M.bottom, M.top);
  const lw = c.legendWidth ?? 130;
  const left = M.left;
  const right = w - M.right - lw;
  const groupW = (right - left) / c.groups.length;
  const barW = Math.min(28, (groupW * 0.8) / c.series.length);
  const body = axes({ label: c.xLabel, log: false }, yAxis, [0, 1], yd, () => 0, sy, w - lw, h, []);
  c.groups.forEach((g, gi) => {
    const cx = left + groupW * (gi + 0.5);
    body.push(`<text class="tick" x="${f(cx)}" y="${h - M.bottom + 16}" text-anchor="middle">${esc(g)}</text>`);
  });
  const zero = sy(0);
  body.push(`<line class="zero" x1="${left}" x2="${right}" y1="${f(zero)}" y2="${f(zero)}"/>`);
  for (const b of c.bars) {
    const gi = c.groups.indexOf(b.group);
    const si = c.series.findIndex((s) => s.name === b.series);
    if (gi < 0 || si < 0) continue;
    const x0 = left + groupW * (gi + 0.5) - (barW * c.series.length) / 2 + si * barW;
    const y = sy(b.value);
    const colour = c.series[si]!.colour;
    body.push(`<rect class="bar" x="${f(x0 + 1)}" y="${f(Math.min(y, zero))}" width="${f(barW - 2)}" height="${f(Math.max(1, Math.abs(zero - y)))}" fill="${colour}" data-series="${esc(b.series)}" data-group="${esc(b.group)}" data-value="${b.value}"><title>${esc(b.label)}</title></rect>`);
    if (b.lo !== null && b.hi !== null) {
      const xm = x0 + barW / 2;
      const lo = sy(cut(b.lo));
      const hi = sy(cut(b.hi));
      // a cap where the interval ends, an arrowhead where it was cut
      const end = (y: number, clipped: boolean, dir: number) => (clipped ? `M${f(xm - 4)},${f(y + 6 * dir)} L${f(xm)},${f(y)} L${f(xm + 4)},${f(y + 6 * dir)}` : `M${f(xm - 4)},${f(y)} L${f(xm + 4)},${f(y)}`);
      body.push(`<path class="whisker" d="M${f(xm)},${f(lo)} L${f(xm)},${f(hi)} ${end(lo, b.lo < cutLo, -1)} ${end(hi, b.hi > cutHi, 1)}"/>`);
    }
  }
  body.push(...legend(c.series.map((s) => ({ name: s.name, colour: s.colour })), right + 14, M.top + 8));
  return frame(c.id, c.title, w, h, body, c.note);
}
