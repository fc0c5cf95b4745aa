/**
 * A full filesystem under the bus (ENOSPC: a size-limited tmpfs as --base-dir): the calls it failed
 * are counted where they happened (failed sends in `integrity`, `call` errors); this says once, in
 * words, what happened and what to do.
 */
import { statfsSync } from 'node:fs';
import type { BenchRecord } from '../records/schema.ts';

const isFull = (text: string | undefined) => text !== undefined && text.includes('ENOSPC');

export function spaceNote(records: readonly BenchRecord[], baseDir: string, failure?: string): string | null {
  let calls = 0;
  let cells = 0;
  for (const r of records) {
    if (r.type !== 'error' || !(isFull(r.message) || isFull(r.stderr))) continue;
    if (r.kind === 'call') calls += r.calls ?? 1;
    else cells++;
  }
  if (calls === 0 && cells === 0 && !isFull(failure)) return null;
  let size = '';
  try {
    const s = statfsSync(baseDir);
    size = ` (${Math.round((s.blocks * s.bsize) / 1024)} KB, ${Math.round((s.bavail * s.bsize) / 1024)} KB free now)`;
  } catch {
    // gone or unreadable: say what we know
  }
  const what = [calls > 0 ? `${calls} call(s) failed (sends counted in failed_sends)` : '', cells > 0 ? `${cells} cell record(s) failed` : '', isFull(failure) ? 'the run stopped' : ''].filter(Boolean).join(', ');
  return `the filesystem of --base-dir ${baseDir}${size} ran out of space (ENOSPC): ${what}; give --base-dir a larger tmpfs (or fewer agents, --iterations or --payload-bytes)`;
}
