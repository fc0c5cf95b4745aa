import { relative } from 'node:path';
import type { Options } from '../config/options.ts';
import type { BenchRecord } from '../records/schema.ts';
import { writeHtmlBeside } from './html-out.ts';
import type { Terminal } from './terminal.ts';

/**
 * The end of every benchmark command: the HTML report beside the JSONL (none when the JSONL went
 * to stdout) and the one-line summary on stderr.
 */
export function finishRun(term: Terminal, options: Options, records: readonly BenchRecord[]): void {
  const html = options.out === '-' ? null : writeHtmlBeside(options.out, records);
  const summary = records.find((r) => r.type === 'summary');
  if (!summary || summary.type !== 'summary') return;
  const where = options.out === '-' ? 'stdout' : relative(process.cwd(), options.out) || options.out;
  const report = html ? ` · report: ${relative(process.cwd(), html) || html}` : '';
  term.err(
    `${summary.status} in ${summary.duration_s.toFixed(1)} s · ${summary.cells_ok} cells ok, ${summary.cells_failed} failed · ` +
      `lost ${summary.lost_total}, duplicated ${summary.duplicated_total} · results: ${where}${report}${summary.reason ? ` · ${summary.reason}` : ''}`,
  );
}
