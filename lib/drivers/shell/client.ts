/**
 * The shell driver in a worker: one config's agents are long-lived bash processes (agent.bash),
 * one per agent, each sourcing the user's libraries; every operation runs in the agent's own
 * shell, which times it with $EPOCHREALTIME and reports back, so each call returns its own
 * duration (`selfNs`). Agents of one worker take turns: a shell's timing must not include the
 * other shells' work on the same cores.
 */
import { agentId, agentIndices } from '../../core/agents.ts';
import type { ConfigClient, DrainResult, DriverClient, Receipt } from '../contract.ts';
import { Rejected, SendFailed } from '../contract.ts';
import type { CallErrors, ConfigName } from '../../core/words.ts';
import type { AgentShell } from './agent-shell.ts';
import { calibrateShell } from './calibrate.ts';
import { shellLayersOf } from './compose.ts';
import type { ShellSettings } from './index.ts';
import { FailureLog, fields, parseFailure, parseMarks, type Mark } from './reports.ts';
import { filler, startShells, stopAll } from './start.ts';

const endsSend = (l: string) => l.startsWith('S ');
const endsRecv = (l: string) => l.startsWith('R ') && (l.startsWith('R 2 ') || fields(l)[4] === '0');

export const client: DriverClient = {
  calibrate: async ({ settings, dir, effort }) => calibrateShell(dir, settings as ShellSettings, Math.max(10, Math.round(100 * effort)), Math.max(500, Math.round(5000 * effort))),
  async open({ settings, dir, config, scale, local, layer, payloadBytes }) {
    const s = settings as ShellSettings;
    const shells = await startShells({ dir, config, scale, layer, shell: s.config, opTimeoutMs: s.opTimeoutS * 1000, fill: filler(payloadBytes) }, local);
    return new ShellClient(shells, config, s);
  },
};

/** Agents named stale (or unreadable: no heartbeat to read) in a health query's JSON line; null when the line says nothing of them. */
function staleIn(line: string): number[] | null {
  try {
    const r = JSON.parse(line) as { stale?: unknown; unreadable?: unknown };
    if (!Array.isArray(r.stale)) return null;
    const names = [...r.stale, ...(Array.isArray(r.unreadable) ? r.unreadable : [])].filter((x): x is string => typeof x === 'string');
    return agentIndices(names);
  } catch {
    return null;
  }
}

/** A mark (sender:k:sent_µs) as the message it stands for; times on the shell's clock, in ns. */
function receiptOf(m: Mark, extra?: { selfNs: number; endNs: bigint; more: Receipt[] }): Receipt {
  return { from: agentId(m.sender), sent_at_ns: `${m.sentUs}000`, payload: { k: m.seq }, ...extra };
}

class ShellClient implements ConfigClient {
  readonly sync = false;
  readonly concurrent = false;
  readonly healthQuery?: () => Promise<number | null>;
  readonly requestShutdown?: () => Promise<void>;
  private readonly failures = new FailureLog();
  /** Receive calls one `r` command made that have not been handed out yet, per slot. */
  private readonly pending: Receipt[][];
  private stale: number[] | null = null;

  constructor(private readonly shells: AgentShell[], private readonly config: ConfigName, private readonly s: ShellSettings) {
    this.pending = shells.map(() => []);
    const layers = shellLayersOf(config, s.config);
    const ops = s.config.operations;
    if (layers.includes('health') && ops.health_query !== undefined) this.healthQuery = () => this.query();
    if (layers.includes('shutdown') && ops.shutdown_request !== undefined) this.requestShutdown = () => this.request();
  }

  async send(slot: number, to: number, body: { k: number }): Promise<number> {
    const lines = await this.shells[slot]!.ask(`s ${to} ${body.k}`, endsSend);
    let result: number | Error = new SendFailed('the agent shell reported no send');
    for (const line of lines) {
      if (line.startsWith('X ')) this.failures.add(parseFailure(line));
      if (!line.startsWith('S ')) continue;
      const [, status, us] = fields(line);
      result = status === '0' ? Number(us) * 1000 : status === '1' ? new Rejected('rate_limiting rejected the send') : new SendFailed('the library call failed');
    }
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * One `r` command runs the library's receive until it comes back empty, reporting each call;
   * the calls are handed out one by one, and the empty end as null.
   */
  async receive(slot: number): Promise<Receipt | null> {
    const queue = this.pending[slot]!;
    if (queue.length > 0) return queue.shift()!;
    const lines = await this.shells[slot]!.ask('r', endsRecv);
    for (const line of lines) {
      if (line.startsWith('X ')) this.failures.add(parseFailure(line));
      if (!line.startsWith('R ')) continue;
      const f = fields(line);
      if (Number(f[4]) === 0) continue;
      const marks = parseMarks(f, 5);
      const endNs = BigInt(f[3]!) * 1000n;
      queue.push(receiptOf(marks[0]!, { selfNs: Number(f[2]) * 1000, endNs, more: marks.slice(1).map((m) => receiptOf(m)) }));
    }
    // The batch's empty end is reported now; the queued calls come with the next receives.
    return queue.length > 0 ? queue.shift()! : null;
  }

  private async query(): Promise<number | null> {
    for (const line of await this.shells[0]!.ask('h', (l) => l.startsWith('H '))) {
      if (line.startsWith('X ')) this.failures.add(parseFailure(line));
      else if (line.startsWith('H 0 ')) {
        this.stale = staleIn(line.split(' ').slice(3).join(' '));
        return Number(fields(line)[2]) * 1000;
      }
    }
    return null;
  }

  /** From the health query's report line, when it is JSON with a `stale` list (the example library's is). */
  staleAgents(): number[] | null {
    return this.stale;
  }

  private async request(): Promise<void> {
    const lines = await this.shells[0]!.ask('q', (l) => l.startsWith('Q '));
    const x = lines.find((l) => l.startsWith('X '));
    if (x) {
      const f = parseFailure(x);
      throw new Error(`shutdown_request failed (status ${f.status})${f.stderr ? `: ${f.stderr.split('\n')[0]}` : ''}`);
    }
  }

  /** With a coordinated shutdown the library's drain-and-stop (timed by the shell); else receive until empty. */
  async drain(slot: number, coordinated: boolean): Promise<DrainResult> {
    const viaLibrary = coordinated && shellLayersOf(this.config, this.s.config).includes('shutdown') && this.s.config.operations.shutdown_drain !== undefined;
    // Receive calls not yet handed out are taken by the drain (their messages were received, but not by the workload).
    const got: Receipt[] = this.pending[slot]!.splice(0);
    let selfNs = 0;
    let stopped: boolean | null = null;
    for (const line of await this.shells[slot]!.ask(viaLibrary ? 'd 1' : 'd 0', (l) => l.startsWith('G '))) {
      if (line.startsWith('X ')) this.failures.add(parseFailure(line));
      if (!line.startsWith('G ')) continue;
      const f = fields(line);
      selfNs += Number(f[2]) * 1000;
      if (viaLibrary) stopped = f[1] === '0';
      for (const m of parseMarks(f, 4)) got.push(receiptOf(m));
    }
    return viaLibrary ? { got, selfNs, stopped } : { got, stopped };
  }

  calls(): CallErrors[] {
    return this.failures.list();
  }

  startupMs(): { what: string; ms: number[] } {
    return { what: 'agent shell', ms: this.shells.map((s) => s.readyMs) };
  }

  agentPid(slot: number): number | null {
    return this.shells[slot]?.pid ?? null;
  }

  async close(): Promise<void> {
    await stopAll(this.shells);
  }
}
