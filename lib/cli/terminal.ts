import { duration, Eta, type ProgressState } from './progress.ts';

/** Where human output goes and how it looks: stderr, colour only on a TTY with NO_COLOR unset. */
export interface Terminal {
  colour: boolean;
  err(line: string): void;
  warn(line: string): void;
  progress(done: number, total: number, label: string): void;
  endProgress(): void;
}

/** In CI logs (no TTY) a progress line comes at least this often, even in the middle of a long cell. */
export const LOG_EVERY_MS = 30_000;

export function terminal(env: Record<string, string | undefined>, stream: NodeJS.WriteStream = process.stderr, o: { now?: () => number; logEveryMs?: number } = {}): Terminal {
  const now = o.now ?? (() => performance.now());
  const tty = Boolean(stream.isTTY);
  const colour = tty && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  const t0 = now();
  const eta = new Eta(now);
  let lastRun = '';
  let drawn = false;
  let state: ProgressState | null = null;
  let lastLine = t0;
  let timer: NodeJS.Timeout | null = null;
  const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const tail = (s: ProgressState) => {
    const left = eta.left(s);
    return left === null ? '' : ` · ETA ${duration(left)}`;
  };
  /** One log line: cells done, the run, elapsed (in the brackets) and the ETA. */
  const logLine = (s: ProgressState) => {
    lastLine = now();
    stream.write(`[${((lastLine - t0) / 1000).toFixed(1)} s] ${s.done}/${s.total} cells · ${s.label.split(' · ')[0] ?? ''}${tail(s)}\n`);
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  return {
    colour,
    err: (line) => {
      clear();
      stream.write(line + '\n');
    },
    warn: (line) => {
      clear();
      stream.write(`${paint('33', 'warning:')} ${line}\n`);
    },
    progress(done, total, label) {
      state = { done, total, label };
      eta.update(state);
      const secs = ((now() - t0) / 1000).toFixed(1);
      if (tty) {
        const width = 24;
        const filled = total > 0 ? Math.round((width * done) / total) : width;
        stream.write(`\r\x1b[2K${paint('36', '█'.repeat(filled))}${'░'.repeat(width - filled)} ${done}/${total} ${label} · ${secs} s${tail(state)}`);
        drawn = true;
        return;
      }
      // Not a terminal (CI logs): a line whenever a new run starts, and at least every LOG_EVERY_MS.
      const run = label.split(' · ')[0] ?? '';
      if (run !== lastRun) {
        lastRun = run;
        logLine(state);
      }
      if (done >= total) stopTimer();
      else if (timer === null) {
        const every = o.logEveryMs ?? LOG_EVERY_MS;
        timer = setInterval(() => {
          if (state && now() - lastLine >= every * 0.9) logLine(state);
        }, every);
        timer.unref();
      }
    },
    endProgress: () => {
      stopTimer();
      clear();
    },
  };
}
