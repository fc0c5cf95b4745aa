import { closeSync, constants, createWriteStream, openSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import ndjson from 'ndjson';
import { SCHEMA_VERSION, type BenchRecord, type Body } from './schema.ts';

/**
 * Writes records as JSONL (one object per line, via ndjson) to a file or stdout, as the run goes.
 * Each record is one write of one whole line, so a crash leaves only complete lines behind.
 */
export class RecordWriter {
  private readonly ser = ndjson.stringify();
  private sink: Writable | null = null;
  private closed = false;
  /** A FIFO's reader: resolves once the pipe has one (or the wait failed). */
  private readonly attached: Promise<void>;
  /** Set when the output fails (a closed pipe, a full disk, a FIFO nobody opens): the run should stop, not crash. */
  failure: Error | null = null;

  /** The driver the records written next belong to (a run of several drivers changes it as it goes). */
  constructor(readonly target: string, public driver: string, readerWaitMs = FIFO_READER_WAIT_MS) {
    if (target !== '-' && isFifo(target)) {
      // Opening a FIFO for writing blocks until a reader opens it, and a blocked open cannot be
      // interrupted: wait for the reader without blocking (records queue meanwhile), up to a limit.
      this.attached = waitForReader(target, readerWaitMs).then(
        (fd) => this.attach(createWriteStream('', { fd })),
        (e: Error) => {
          this.failure ??= e;
          this.closed = true;
        },
      );
    } else {
      this.attach(target === '-' ? process.stdout : createWriteStream(target, { flags: 'w' }));
      this.attached = Promise.resolve();
    }
  }

  private attach(sink: Writable): void {
    this.sink = sink;
    sink.on('error', (e: Error) => {
      this.failure ??= e;
      this.closed = true;
    });
    this.ser.pipe(sink, { end: this.target !== '-' });
  }

  write(body: Body<BenchRecord>): BenchRecord {
    const rec = { schema: SCHEMA_VERSION, timestamp: new Date().toISOString(), driver: this.driver, ...body } as BenchRecord;
    if (this.closed) return rec;
    this.ser.write(rec);
    return rec;
  }

  /** Flush and close; resolves once every line is handed to the OS. */
  async close(): Promise<void> {
    await this.attached;
    if (this.closed || this.failure) return;
    this.closed = true;
    const sink = this.sink!;
    return new Promise((resolve, reject) => {
      if (this.target === '-') {
        this.ser.end(() => (process.stdout.writableNeedDrain ? process.stdout.once('drain', () => resolve()) : resolve()));
        return;
      }
      sink.once('finish', () => resolve());
      sink.once('error', reject);
      this.ser.end();
    });
  }
}

/** How long a results FIFO may stay without a reader before the run gives up on it. */
export const FIFO_READER_WAIT_MS = 30_000;

function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO();
  } catch {
    return false;
  }
}

/**
 * A write descriptor of a FIFO once it has a reader: a non-blocking open fails (ENXIO) until one
 * opens it; then the blocking open returns at once, and the probe closes only after it, so the
 * reader never sees the writers drop to none.
 */
async function waitForReader(path: string, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let probe: number;
    try {
      probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
      if (Date.now() > deadline) throw new Error(`no reader opened the FIFO ${path} within ${waitMs / 1000} s; start the reader first (e.g. cat ${path} &)`);
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      return openSync(path, constants.O_WRONLY);
    } finally {
      closeSync(probe);
    }
  }
}
