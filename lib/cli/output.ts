import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { Terminal } from './terminal.ts';

/** Validates an --out value before anything is read or computed: '-' (stdout) or a writable path. */
export function outTarget(raw: string | undefined): string | null {
  const flag = '--out';
  if (raw === undefined) return null;
  if (raw === '-') return '-';
  const file = resolve(raw);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError([`${flag}: ${file} is a directory; give a file name inside it`]);
  if (!existsSync(dirname(file))) throw new UsageError([`${flag}: directory ${dirname(file)} does not exist; create it first or choose another path`]);
  return file;
}

/** Colour for text going to `stream`: only when that stream is a terminal (and NO_COLOR is unset). */
export function colourFor(term: Terminal, stream: NodeJS.WriteStream): boolean {
  return term.colour && Boolean(stream.isTTY);
}

/** Writes the text to the target (stdout when null or '-'). */
export function emit(text: string, target: string | null): void {
  if (target === null || target === '-') process.stdout.write(text);
  else writeFileSync(target, text);
}
