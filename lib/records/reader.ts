import { existsSync, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import ndjson from 'ndjson';
import { UsageError } from '../core/errors.ts';
import { SCHEMA_VERSION, type BenchRecord } from './schema.ts';

const TYPES = new Set(['run', 'sample', 'statistics', 'overhead', 'resource', 'integrity', 'error', 'threshold', 'summary', 'capacity', 'ab', 'fault', 'lifecycle', 'soak']);

/**
 * Reads a busbench JSONL file (ndjson, strict). Any problem — a missing or empty file, a line that
 * is not JSON, not an object, of another schema version or of no known type — is a UsageError
 * (exit 2) naming the file and the line. Blank lines are allowed.
 */
export async function readRecords(file: string): Promise<BenchRecord[]> {
  if (!existsSync(file)) throw new UsageError([`${file}: no such file`]);
  if (statSync(file).isDirectory()) throw new UsageError([`${file}: is a directory, not a JSONL results file`]);
  const text = readFileSync(file, 'utf8');
  // ndjson skips empty lines; map the k-th row it parses back to its line number in the file.
  const lineOf: number[] = [];
  text.split(/\r?\n/).forEach((row, i) => {
    if (row !== '') lineOf.push(i + 1);
  });
  const records: BenchRecord[] = [];
  let row = 0;
  let line = 0;
  await new Promise<void>((resolve, reject) => {
    const parser = ndjson.parse({ strict: true });
    const fail = (why: string) => {
      parser.destroy();
      reject(new UsageError([`${file}:${line}: ${why}`]));
    };
    parser.on('data', (obj: unknown) => {
      line = lineOf[row++] ?? row;
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return fail('not a JSON object');
      const o = obj as Record<string, unknown>;
      if (o.schema !== SCHEMA_VERSION) return fail(`schema version ${JSON.stringify(o.schema)}, expected ${SCHEMA_VERSION} (a busbench results file)`);
      if (typeof o.type !== 'string' || !TYPES.has(o.type)) return fail(`unknown record type ${JSON.stringify(o.type)}`);
      records.push(o as unknown as BenchRecord);
    });
    parser.on('error', (e: Error) => {
      line = lineOf[row] ?? row + 1;
      reject(new UsageError([`${file}:${line}: not valid JSON (${e.message.split('\n')[0]})`]));
    });
    parser.on('end', () => resolve());
    Readable.from([text]).pipe(parser);
  });
  if (records.length === 0) throw new UsageError([`${file}: empty — no records (is this a busbench results file?)`]);
  return records;
}
