import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A fresh directory on the real tmpfs, removed when the scope that made it ends (as diskDir). */
export function shmDir(prefix = 'busbench-test-'): string {
  const dir = mkdtempSync(join('/dev/shm', prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A fresh directory under the OS temp dir (a disk, usually), removed when the scope that made it
 * ends: the test file at top level, the test inside a test (not inside before(): the hook's end).
 */
export function diskDir(prefix = 'busbench-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
