import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../config/errors.ts';

/** Validates an --out value before anything is read or computed: '-' (stdout) or a writable path. */
export function outTarget(raw: string | undefined, flag = '--out'): string | null {
  if (raw === undefined) return null;
  if (raw === '-') return '-';
  const file = resolve(raw);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError([`${flag}: ${file} is a directory; give a file name inside it`]);
  if (!existsSync(dirname(file))) throw new UsageError([`${flag}: directory ${dirname(file)} does not exist; create it first or choose another path`]);
  return file;
}

/** Writes the text to the target (stdout when null or '-'). */
export function emit(text: string, target: string | null): void {
  if (target === null || target === '-') process.stdout.write(text);
  else writeFileSync(target, text);
}
