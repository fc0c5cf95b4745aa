/**
 * The shell driver's agent runner, inside a worker process: the same workload as the reference
 * runner (lib/agents/worker.ts) — every local agent sends its round, then takes what is in its
 * inbox, the coordinator queries health every N rounds — but each operation runs in the agent's
 * own bash process, which times it and reports back. Agents of one worker take turns, as in the
 * reference runner, so as many agents run at once as there are workers.
 */
import type { CellDone, CellSpec, ConfigDone, Drained } from '../../agents/protocol.ts';
import { configDir, messageKey, peerOf } from '../../agents/workload.ts';
import type { ConfigName } from '../../core/words.ts';
import { Samples } from '../../measure/samples.ts';
import type { AgentShell } from './agent-shell.ts';
import { shellLayersOf } from './compose.ts';
import { FailureLog, fields, parseFailure, parseMarks, type Mark } from './reports.ts';
import { filler, startShells, stopAll } from './start.ts';

interface Current {
  spec: CellSpec;
  shells: AgentShell[];
}
let current: Current | null = null;

const endsSend = (l: string) => l.startsWith('S ');
const endsRecv = (l: string) => l.startsWith('R ') && (l.startsWith('R 2 ') || fields(l)[4] === '0');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runShellCell(spec: CellSpec): Promise<CellDone> {
  if (!spec.shell) throw new Error('shell driver cell without its shell spec');
  // Each config's agents are their own bash processes: the shell driver measures one config per cell.
  if (spec.configs.length !== 1) throw new Error(`shell driver cell with ${spec.configs.length} configs; it runs one per cell`);
  if (current !== null) await abandon();
  const sh = spec.shell;
  const config = spec.configs[0]!;
  const shells = await startShells({ dir: configDir(spec.dir, config), config, scale: spec.scale, layer: spec.layer, shell: sh.config, opTimeoutMs: sh.opTimeoutMs, fill: filler(spec.payloadBytes) }, spec.local);
  current = { spec, shells };
  try {
    const n = spec.iterations * spec.local.length;
    const send = new Samples(n);
    const recv = new Samples(n);
    const delivery = new Samples(n);
    // Message keys of the samples (workload.ts messageKey); a receive call that took several
    // messages is keyed by its first (NaN, never matched, when it carried no busbench marker).
    const sendKeys = new Samples(n);
    const recvKeys = new Samples(n);
    const deliveryKeys = new Samples(n);
    const health = new Samples(Math.ceil(spec.iterations / spec.healthQueryEvery) + 1);
    const sent = new Array<number>(shells.length).fill(0);
    const got = new Array<number>(shells.length).fill(0);
    const received: number[] = [];
    const failedSends: number[] = [];
    const failures = new FailureLog();
    let rejected = 0;
    const layers = shellLayersOf(config, sh.config);
    const queries = spec.coordinator && layers.includes('health') && sh.config.operations.health_query !== undefined;

    const take = async (slot: number): Promise<number> => {
      const lines = await shells[slot]!.ask('r', endsRecv);
      let taken = 0;
      for (const line of lines) {
        if (line.startsWith('X ')) failures.add(parseFailure(line));
        if (!line.startsWith('R ')) continue;
        const f = fields(line);
        const count = Number(f[4]);
        if (count === 0) continue;
        const end = Number(f[3]);
        const marks = parseMarks(f, 5);
        recv.push(Number(f[2]) * 1000);
        recvKeys.push(marks.length > 0 ? messageKey(marks[0]!.sender, marks[0]!.seq) : Number.NaN);
        for (const m of marks) {
          delivery.push((end - m.sentUs) * 1000);
          deliveryKeys.push(messageKey(m.sender, m.seq));
          received.push(m.sender, m.seq);
          taken++;
        }
      }
      return taken;
    };

    const startNs = Number(process.hrtime.bigint());
    for (let k = 0; k < spec.iterations; k++) {
      for (let slot = 0; slot < shells.length; slot++) {
        const lines = await shells[slot]!.ask(`s ${peerOf(spec.local[slot]!, k, spec.scale)}`, endsSend);
        for (const line of lines) {
          if (line.startsWith('X ')) failures.add(parseFailure(line));
          if (!line.startsWith('S ')) continue;
          const [, status, us, seq] = fields(line);
          if (status === '1') rejected++;
          else {
            sent[slot]!++;
            if (status === '0') {
              send.push(Number(us) * 1000);
              sendKeys.push(messageKey(spec.local[slot]!, Number(seq)));
            }
            else failedSends.push(spec.local[slot]!, Number(seq));
          }
        }
      }
      for (let slot = 0; slot < shells.length; slot++) got[slot]! += await take(slot);
      if (queries && k % spec.healthQueryEvery === spec.healthQueryEvery - 1) {
        for (const line of await shells[0]!.ask('h', (l) => l.startsWith('H '))) {
          if (line.startsWith('X ')) failures.add(parseFailure(line));
          else if (line.startsWith('H 0 ')) health.push(Number(fields(line)[2]) * 1000);
        }
      }
    }

    // Mail from agents on other workers may still be on its way: poll, sleeping between rounds.
    const deadline = Date.now() + spec.receiveTimeoutMs;
    let timedOut = false;
    for (;;) {
      let missing = 0;
      for (let slot = 0; slot < shells.length; slot++) {
        if (got[slot]! < spec.iterations) {
          got[slot]! += await take(slot);
          if (got[slot]! < spec.iterations) missing++;
        }
      }
      if (missing === 0) break;
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      await sleep(1);
    }
    const endNs = Number(process.hrtime.bigint());

    const samples: ConfigDone['samples'] = { message_send: send.values(), message_receive: recv.values(), delivery: delivery.values() };
    if (health.length > 0) samples.health_query = health.values();
    return {
      type: 'cell-done',
      id: spec.id,
      parts: [{ config, samples, keys: { message_send: sendKeys.values(), message_receive: recvKeys.values(), delivery: deliveryKeys.values() }, sent, received: Uint32Array.from(received), rejected, calls: failures.list(), failedSends: Uint32Array.from(failedSends) }],
      timedOut,
      startNs,
      endNs,
    };
  } catch (e) {
    await abandon();
    throw e;
  }
}

/** The coordinator raises the shutdown through the library (first local agent's shell). */
export async function requestShellShutdown(id: number): Promise<{ type: 'shutdown-requested'; id: number }> {
  const cur = current;
  if (cur === null || cur.spec.id !== id) throw new Error(`shutdown request for cell ${id}, but no such cell is running here`);
  const lines = await cur.shells[0]!.ask('q', (l) => l.startsWith('Q '));
  const x = lines.find((l) => l.startsWith('X '));
  if (x) {
    const f = parseFailure(x);
    throw new Error(`shutdown_request failed (status ${f.status})${f.stderr ? `: ${f.stderr.split('\n')[0]}` : ''}`);
  }
  return { type: 'shutdown-requested', id };
}

/**
 * End of cell: with a coordinated shutdown each agent runs the library's drain-and-stop (timed);
 * otherwise each takes what is left with its receive. Then every shell is stopped.
 */
export async function drainShellCell(id: number, coordinated: readonly ConfigName[]): Promise<Drained> {
  const cur = current;
  if (cur === null || cur.spec.id !== id) throw new Error(`drain for cell ${id}, but no such cell is running here`);
  const sh = cur.spec.shell!;
  const config = cur.spec.configs[0]!;
  const viaLibrary = coordinated.includes(config) && shellLayersOf(config, sh.config).includes('shutdown') && sh.config.operations.shutdown_drain !== undefined;
  const out: number[] = [];
  const failures = new FailureLog();
  let drainUs = 0;
  let stopped = 0;
  try {
    for (const shell of cur.shells) {
      const lines = await shell.ask(viaLibrary ? 'd 1' : 'd 0', (l) => l.startsWith('G '));
      for (const line of lines) {
        if (line.startsWith('X ')) failures.add(parseFailure(line));
        if (!line.startsWith('G ')) continue;
        const f = fields(line);
        drainUs += Number(f[2]);
        if (f[1] === '0') stopped++;
        parseMarks(f, 4).forEach((m: Mark) => out.push(m.sender, m.seq));
      }
    }
  } finally {
    await abandon();
  }
  return {
    type: 'drained',
    id,
    parts: [{ config, drained: Uint32Array.from(out), drainNs: viaLibrary ? drainUs * 1000 : null, ...(viaLibrary ? { stopped } : {}), calls: failures.list() }],
  };
}

/** Stop and forget the current cell's shells. */
export async function abandon(): Promise<void> {
  const cur = current;
  current = null;
  if (cur) await stopAll(cur.shells);
}
