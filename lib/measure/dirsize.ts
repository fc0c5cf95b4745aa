import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bytes and files below a directory (a small `du`), tolerant of files vanishing mid-walk.
 * Entries named in `skip` (the harness's own files, e.g. the shell driver's logs) are not counted.
 */
export function dirUsage(root: string, skip: readonly string[] = []): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (skip.includes(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else {
        try {
          bytes += lstatSync(p).size;
          files++;
        } catch {
          // consumed between the listing and the stat
        }
      }
    }
  }
  return { bytes, files };
}
