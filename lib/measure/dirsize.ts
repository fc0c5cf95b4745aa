import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bytes and files below a directory (a small `du`), tolerant of files vanishing mid-walk.
 * Entries named in `skip` (the harness's own files, e.g. the shell driver's logs) are not counted.
 */
export function dirUsage(root: string, skip: readonly string[] = []): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  eachFile(root, skip, (_, size) => {
    bytes += size;
    files++;
  });
  return { bytes, files };
}

/** Calls `visit` with the path and size of every file below root (entries named in `skip` left out). */
export function eachFile(root: string, skip: readonly string[], visit: (path: string, size: number) => void): void {
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
        let size: number;
        try {
          size = lstatSync(p).size;
        } catch {
          continue; // consumed between the listing and the stat
        }
        visit(p, size);
      }
    }
  }
}
