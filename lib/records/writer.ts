import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import ndjson from 'ndjson';
import { SCHEMA_VERSION, type BenchRecord, type Body } from './schema.ts';

/**
 * Writes records as JSONL (one object per line, via ndjson) to a file or stdout, as the run goes.
 * Each record is one write of one whole line, so a crash leaves only complete lines behind.
 */
export class RecordWriter {
  private readonly ser = ndjson.stringify();
  private readonly sink: Writable;
  private closed = false;
  /** Set when the output fails (a closed pipe, a full disk): the run should stop, not crash. */
  failure: Error | null = null;

  /** The driver the records written next belong to (a run of several drivers changes it as it goes). */
  constructor(readonly target: string, public driver: string) {
    this.sink = target === '-' ? process.stdout : createWriteStream(target, { flags: 'w' });
    this.sink.on('error', (e: Error) => {
      this.failure ??= e;
      this.closed = true;
    });
    this.ser.pipe(this.sink, { end: target !== '-' });
  }

  write(body: Body<BenchRecord>): BenchRecord {
    const rec = { schema: SCHEMA_VERSION, timestamp: new Date().toISOString(), driver: this.driver, ...body } as BenchRecord;
    if (this.closed) return rec;
    this.ser.write(rec);
    return rec;
  }

  /** Flush and close; resolves once every line is handed to the OS. */
  close(): Promise<void> {
    if (this.closed || this.failure) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve, reject) => {
      if (this.target === '-') {
        this.ser.end(() => (process.stdout.writableNeedDrain ? process.stdout.once('drain', () => resolve()) : resolve()));
        return;
      }
      this.sink.once('finish', () => resolve());
      this.sink.once('error', reject);
      this.ser.end();
    });
  }
}
