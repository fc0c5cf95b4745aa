/** Where human output goes and how it looks: stderr, colour only on a TTY with NO_COLOR unset. */
export interface Terminal {
  colour: boolean;
  err(line: string): void;
  warn(line: string): void;
  progress(done: number, total: number, label: string): void;
  endProgress(): void;
}

export function terminal(env: Record<string, string | undefined>, stream: NodeJS.WriteStream = process.stderr): Terminal {
  const tty = Boolean(stream.isTTY);
  const colour = tty && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  const t0 = performance.now();
  let lastRun = '';
  let drawn = false;
  const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
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
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      if (tty) {
        const width = 24;
        const filled = total > 0 ? Math.round((width * done) / total) : width;
        stream.write(`\r\x1b[2K${paint('36', '█'.repeat(filled))}${'░'.repeat(width - filled)} ${done}/${total} ${label} · ${secs} s`);
        drawn = true;
        return;
      }
      // Not a terminal (CI logs): one line whenever a new run starts.
      const run = label.split(' · ')[0] ?? '';
      if (run !== lastRun) {
        lastRun = run;
        stream.write(`[${secs} s] ${done}/${total} cells · ${run}\n`);
      }
    },
    endProgress: clear,
  };
}
