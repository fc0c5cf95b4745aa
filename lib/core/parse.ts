/**
 * Value parsers for options. Each returns the value or throws a Problem whose text names the
 * flag, what was wrong and how to fix it. The caller collects every problem before failing.
 */
export class Problem extends Error {}

export function positiveInt(raw: string, flag: string, max = Number.MAX_SAFE_INTEGER, min = 1): number {
  const s = raw.trim();
  if (!/^\d+$/.test(s)) throw new Problem(`${flag}: "${raw}" is not a whole number; use e.g. ${flag} ${Math.max(min, 1) === 1 ? 5 : min}`);
  const n = Number(s);
  if (n < min) throw new Problem(`${flag}: ${n} is below ${min}; use a whole number from ${min} to ${max}`);
  if (n > max) throw new Problem(`${flag}: ${n} is above ${max}; use a whole number from ${min} to ${max}`);
  return n;
}

export function nonNegativeNumber(raw: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const s = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) throw new Problem(`${flag}: "${raw}" is not a number ≥ 0; use e.g. ${flag} 1`);
  const n = Number(s);
  if (n > max) throw new Problem(`${flag}: ${n} is above ${max}; use a number from 0 to ${max}`);
  return n;
}

export const MAX_SCALE = 10_000;

/** "1,10,100" (flags) or "1 10 100" (the legacy SCALE_LEVELS). Duplicates are an error. */
export function scaleList(raw: string, flag: string): number[] {
  const parts = raw.trim().split(/\s*,\s*|\s+/);
  const fix = `use positive agent counts up to ${MAX_SCALE}, e.g. ${flag} 1,10,100`;
  if (raw.trim() === '') throw new Problem(`${flag}: empty; ${fix}`);
  const out: number[] = [];
  for (const p of parts) {
    if (p === '') throw new Problem(`${flag}: "${raw}" has an empty entry; ${fix}`);
    if (!/^\d+$/.test(p)) throw new Problem(`${flag}: "${p}" is not a positive whole number; ${fix}`);
    const n = Number(p);
    if (n < 1) throw new Problem(`${flag}: ${n} agents is too few; ${fix}`);
    if (n > MAX_SCALE) throw new Problem(`${flag}: ${n} agents is more than ${MAX_SCALE}; ${fix}`);
    if (out.includes(n)) throw new Problem(`${flag}: ${n} is listed twice; list each agent count once`);
    out.push(n);
  }
  return out;
}

/** A comma list whose entries must come from `allowed`. */
export function choiceList<T extends string>(raw: string, flag: string, allowed: readonly T[]): T[] {
  const parts = raw.split(',').map((s) => s.trim());
  const out: T[] = [];
  for (const p of parts) {
    if (!(allowed as readonly string[]).includes(p)) {
      throw new Problem(`${flag}: unknown ${p === '' ? 'empty entry' : `"${p}"`}; choose from ${allowed.join(', ')}`);
    }
    if (!out.includes(p as T)) out.push(p as T);
  }
  return out;
}

export function seed(raw: string, flag: string): number {
  return positiveInt(raw, flag, 0xffffffff, 0);
}

/**
 * A server's URL, syntax only (whether it answers is the driver's to find out): one of `schemes`,
 * a host, a port when `needPort`, no query or fragment, and a path only where `path` allows one.
 * Returned trimmed, credentials and all.
 */
export function serverUrl(raw: string, flag: string, o: { schemes: readonly string[]; example: string; product: string; needPort: boolean; path?: { allowed: RegExp; what: string } }): string {
  const s = raw.trim();
  const fix = `use e.g. ${flag} ${o.example} (or leave it unset to let busbench start a private ${o.product})`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Problem(`${flag}: "${raw}" is not a URL; ${fix}`);
  }
  const scheme = u.protocol.slice(0, -1);
  if (!o.schemes.includes(scheme)) throw new Problem(`${flag}: "${raw}" has scheme ${scheme}, not ${o.schemes.join(' or ')}; ${fix}`);
  if (u.hostname === '') throw new Problem(`${flag}: "${raw}" names no host; ${fix}`);
  if (o.needPort && u.port === '') throw new Problem(`${flag}: "${raw}" names no port; ${fix}`);
  if (u.search !== '' || u.hash !== '') throw new Problem(`${flag}: "${raw}" has a query or fragment; give only host:port${o.path ? ` and ${o.path.what}` : ''}; ${fix}`);
  if (u.pathname !== '' && u.pathname !== '/' && !(o.path?.allowed.test(u.pathname) ?? false)) {
    throw new Problem(`${flag}: "${raw}" has path ${u.pathname}; ${o.path ? `the only path allowed is ${o.path.what}` : 'give only host:port'}; ${fix}`);
  }
  return s;
}

/** "5%", "5" or "0.5%" → 5, 5, 0.5. */
export function parsePct(raw: string, flag: string): number {
  const s = raw.trim().replace(/%$/, '');
  if (!/^\d+(\.\d+)?$/.test(s)) throw new Problem(`${flag}: "${raw}" is not a percentage; use e.g. ${flag} 5%`);
  return Number(s);
}
