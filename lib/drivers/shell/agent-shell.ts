/**
 * One agent shell seen from node: a long-lived `bash` running agent.bash in its own process group,
 * commands written to its fd 3, report lines read from its fd 4, the library's stdout and stderr
 * in files. Every command has a deadline per report line (--op-timeout); a shell that misses it or
 * exits is killed with its whole process group, and the error says why, with the library's stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';

export const AGENT_SCRIPT = fileURLToPath(new URL('./agent.bash', import.meta.url));

export interface ShellStart {
  agent: string;
  libs: readonly string[];
  /** Environment on top of the worker's own. */
  env: Readonly<Record<string, string>>;
  defs: string;
  fill: string;
  /** Files for the library's stdout and stderr. */
  outFile: string;
  errFile: string;
  timeoutMs: number;
}

/** A library call or the shell itself failed in a way that ends the shell (exit, timeout, source). */
export class ShellFault extends Error {
  constructor(message: string, readonly kind: 'exit' | 'timeout' | 'start', readonly stderr: string) {
    super(message);
    this.name = 'ShellFault';
  }
}

interface Waiter {
  until: (line: string) => boolean;
  got: string[];
  resolve: (lines: string[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
  what: string;
}

/** Every shell still running in this process, so an exiting process can take them along. */
const live = new Set<AgentShell>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const s of live) s.kill();
  });
}

export class AgentShell {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly cmd: Writable;
  private buf = '';
  private queue: string[] = [];
  private waiter: Waiter | null = null;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private early = '';
  private readonly exitPromise: Promise<void>;

  private constructor(readonly opts: ShellStart) {
    hookExit();
    this.child = spawn('bash', ['--noprofile', '--norc', AGENT_SCRIPT, ...opts.libs], {
      env: { ...process.env, ...opts.env, __BB_DEFS: opts.defs, __BB_FILL: opts.fill, __BB_OUT: opts.outFile, __BB_ERR: opts.errFile },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    if (this.child.pid === undefined) throw new ShellFault('could not start bash (is it installed?)', 'start', '');
    this.pid = this.child.pid;
    live.add(this);
    this.cmd = this.child.stdio[3] as Writable;
    this.cmd.on('error', () => undefined); // EPIPE after the shell died: the exit handler reports it
    const rep = this.child.stdio[4] as Readable;
    rep.setEncoding('utf8');
    rep.on('data', (d: string) => this.onData(d));
    const err = this.child.stdio[2] as Readable;
    err.setEncoding('utf8');
    err.on('data', (d: string) => {
      if (this.early.length < 4000) this.early += d;
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        live.delete(this);
        // Let the last report lines arrive before failing a waiter.
        setImmediate(() => {
          this.fail(new ShellFault(`agent shell ${opts.agent} (pid ${this.pid}) exited (${signal ?? `status ${code}`})${this.describe()}`, 'exit', this.stderrTail()));
          resolve();
        });
      });
    });
  }

  /** Start a shell and wait for it to have sourced the libraries and run `init`. */
  /** ms from the spawn of bash to its READY (libraries sourced, `init` run). */
  readyMs = 0;

  static async start(opts: ShellStart): Promise<AgentShell> {
    const t0 = performance.now();
    const s = new AgentShell(opts);
    const lines = await s.wait('start', (l) => l.startsWith('READY ') || l.startsWith('F '));
    s.readyMs = performance.now() - t0;
    const last = lines[lines.length - 1]!;
    if (last.startsWith('F ')) {
      s.kill();
      throw new ShellFault(`agent shell ${opts.agent}: ${describeF(last, opts.libs)}`, 'start', decodeText(last.split(' ').slice(3).join(' ')));
    }
    return s;
  }

  /** Write one command; resolve with the report lines up to and including the one `until` accepts. */
  ask(command: string, until: (line: string) => boolean): Promise<string[]> {
    const p = this.wait(command, until);
    if (this.exited === null) this.cmd.write(command + '\n');
    return p;
  }

  private wait(what: string, until: (line: string) => boolean): Promise<string[]> {
    if (this.waiter) return Promise.reject(new Error(`agent shell ${this.opts.agent}: '${what}' while '${this.waiter.what}' is in flight`));
    return new Promise((resolve, reject) => {
      this.waiter = { until, got: [], resolve, reject, timer: null, what };
      this.arm();
      this.pump();
      if (this.waiter && this.exited !== null) this.fail(new ShellFault(`agent shell ${this.opts.agent} is not running${this.describe()}`, 'exit', this.stderrTail()));
    });
  }

  private arm(): void {
    const w = this.waiter;
    if (!w) return;
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      const tail = this.stderrTail();
      this.kill();
      this.fail(new ShellFault(`agent shell ${this.opts.agent}: '${w.what}' did not finish within --op-timeout ${this.opts.timeoutMs / 1000} s; the shell and its children were killed`, 'timeout', tail));
    }, this.opts.timeoutMs);
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      this.queue.push(this.buf.slice(0, nl));
      this.buf = this.buf.slice(nl + 1);
    }
    if (this.waiter) this.arm();
    this.pump();
  }

  private pump(): void {
    while (this.waiter && this.queue.length > 0) {
      const line = this.queue.shift()!;
      const w = this.waiter;
      w.got.push(line);
      if (w.until(line)) {
        if (w.timer) clearTimeout(w.timer);
        this.waiter = null;
        w.resolve(w.got);
      }
    }
  }

  private fail(e: Error): void {
    const w = this.waiter;
    if (!w) return;
    if (w.timer) clearTimeout(w.timer);
    this.waiter = null;
    w.reject(e);
  }

  private describe(): string {
    const t = this.stderrTail() || this.early.trim();
    return t ? `; stderr: ${t.split('\n').slice(0, 5).join(' | ')}` : '';
  }

  /** The last lines the library wrote to stderr (up to 2 KB). */
  stderrTail(): string {
    try {
      const fd = openSync(this.opts.errFile, 'r');
      try {
        const size = fstatSync(fd).size;
        const len = Math.min(size, 2048);
        const b = Buffer.alloc(len);
        readSync(fd, b, 0, len, size - len);
        return b.toString('utf8').trim().split('\n').slice(-5).join('\n');
      } finally {
        closeSync(fd);
      }
    } catch {
      return '';
    }
  }

  /** Ask the shell to leave; kill its process group if it has not after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited === null) {
      this.cmd.end('x\n');
      const t = setTimeout(() => this.kill(), graceMs);
      await this.exitPromise;
      clearTimeout(t);
    }
    this.kill();
  }

  /** SIGKILL the shell's process group (it and anything the library started). Always safe. */
  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Resolves once the shell has exited. */
  get done(): Promise<void> {
    return this.exitPromise;
  }
}

/** Report text fields use \x1f between lines. */
export function decodeText(s: string): string {
  return s.split('\x1f').join('\n');
}

function describeF(line: string, libs: readonly string[]): string {
  const [, stage = '', rc = '', ...rest] = line.split(' ');
  const text = decodeText(rest.join(' ')).trim();
  const where = stage.startsWith('source:') ? `sourcing ${libs[Number(stage.slice(7))] ?? stage}` : stage;
  return `${where} failed (status ${rc})${text ? `: ${text.split('\n').slice(0, 5).join(' | ')}` : ''}`;
}
