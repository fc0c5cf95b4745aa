import { writeFileSync } from 'node:fs';
import type { BenchRecord } from '../records/schema.ts';
import { renderHtml } from '../report/html.ts';

/** The HTML report's path beside a JSONL file: results/x.jsonl → results/x.html. */
export function htmlPathFor(jsonl: string): string {
  return jsonl.replace(/\.jsonl?$/i, '') + '.html';
}

/** Write the HTML report beside the JSONL; returns its path. */
export function writeHtmlBeside(jsonl: string, records: readonly BenchRecord[]): string {
  const path = htmlPathFor(jsonl);
  writeFileSync(path, renderHtml(records));
  return path;
}
