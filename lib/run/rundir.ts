import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The mark busbench leaves in every run directory it creates; it cleans nothing without it. */
export const MARK = '.busbench-run';

export interface RunDir {
  path: string;
  token: string;
}

export function createRunDir(baseDir: string): RunDir {
  const path = mkdtempSync(join(baseDir, 'busbench-'));
  const token = randomBytes(16).toString('hex');
  writeFileSync(join(path, MARK), JSON.stringify({ token, pid: process.pid, created_at: new Date().toISOString() }) + '\n');
  return { path, token };
}

export class NotOurs extends Error {}

/** Remove a run directory, only if it carries our mark with the same token. */
export function removeRunDir(dir: RunDir): void {
  const mark = join(dir.path, MARK);
  if (!existsSync(dir.path)) return;
  let token: unknown;
  try {
    token = (JSON.parse(readFileSync(mark, 'utf8')) as { token?: unknown }).token;
  } catch {
    throw new NotOurs(`refusing to remove ${dir.path}: it has no busbench mark (${MARK})`);
  }
  if (token !== dir.token) throw new NotOurs(`refusing to remove ${dir.path}: its mark belongs to another run`);
  rmSync(dir.path, { recursive: true, force: true, maxRetries: 5 });
}
