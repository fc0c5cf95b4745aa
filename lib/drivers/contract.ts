/**
 * The driver seam. A driver is one folder under lib/drivers/ and one line in registry.ts; the
 * runner, the cells, the workers, the calibration and the resource monitor speak only of this
 * contract, never of a driver by name.
 *
 * Three parts, loaded where they run:
 *  - DriverEntry (the folder's index.ts): name, flags and their validation. Loaded everywhere and
 *    kept light: no client library, no server code.
 *  - DriverHost (orchestrator side, loaded lazily by the runner): what lives for the whole run (a
 *    server it starts, a connection to the user's server) and per cell (inboxes, streams).
 *  - DriverClient (worker side, loaded lazily by each worker): one config's clients for the agents
 *    of that worker, and the driver's calibration.
 * Everything that crosses from the host to the workers (`shared`, a cell's `spec`) is plain data:
 * it travels over IPC.
 */
import type { CallErrors, DriverCalibration, ConfigName, LayerName, LayerOptions } from '../core/words.ts';

/** Where one config's bus lives inside a cell's directory: configs of a cell never share inboxes. */
export function configDir(cellDir: string, config: string): string {
  return `${cellDir}/${config}`;
}

/** One flag a driver adds to the command line (parsed by the common options pipeline). */
export interface DriverFlag {
  /** Key of the value in the driver's flag values. */
  key: string;
  flag: string;
  env: string[];
  arg: string;
  help: string;
  /** Shown in help and docs. */
  default: string | number | null;
  /** Throws core/parse.ts Problem on a bad value. */
  parse: (raw: string, label: string) => unknown;
}

export interface FlagValues {
  /** Parsed values of this driver's flags that were given (absent: not given). */
  values: Readonly<Record<string, unknown>>;
  /** How to name a flag in a message: `--nats-url`, or `BENCH_NATS_URL (environment)`. */
  label(key: string): string;
  /** Common options a driver's checks may depend on. */
  cellTimeoutS: number;
}

export interface DriverEntry<S = unknown> {
  readonly name: string;
  /** One line for --help. */
  readonly summary: string;
  readonly flags: readonly DriverFlag[];
  /**
   * The driver's settings from its flag values (plain data), or null after pushing every problem,
   * each naming the flag and the fix. Synchronous and side-effect free: nothing is started here.
   */
  settings(f: FlagValues, problems: string[]): S | null;
  /** Layers this driver cannot run with these settings, and why. */
  skipped?(settings: S): { layer: LayerName; reason: string }[];
  /**
   * --fault restart-server: null when busbench can restart this driver's server with these
   * settings (one it starts itself), else why not and the fix. Absent: the driver has no server.
   */
  restartable?(settings: S): string | null;
  /** `--wait watch`: true when this driver's clients have `watch` (a notice of new mail), else absent. */
  readonly watches?: boolean;
  host(): Promise<DriverHost<S>>;
  client(): Promise<DriverClient>;
}

export interface HostContext<S> {
  settings: S;
  /** The run's own directory (tmpfs); the driver may keep files below `${runDir}/<driver>`. */
  runDir: string;
  /** A prefix unique to this run, for names on a server shared with others. */
  prefix: string;
  /**
   * --fault restart-server is in the run: the clients must live through a restart of the server
   * (reconnect, and find their inboxes again) instead of failing the cell at once.
   */
  restarts?: boolean;
  warn(text: string): void;
}

export interface DriverHost<S = unknown> {
  /**
   * Start what the run needs (a server, a connection). Bad input found only now (an unreachable
   * URL, a missing binary) throws core/errors.ts UsageError (exit 2), after undoing what it started.
   */
  open(ctx: HostContext<S>): Promise<DriverRun>;
}

export interface DriverRun {
  /** For the `run` record: server version and settings, URL without credentials… */
  readonly info: Record<string, unknown>;
  /** What every worker needs to reach the bus (plain data). */
  readonly shared: unknown;
  /** Processes besides the harness and its workers whose CPU/RSS belong to the bus (a server it started). */
  pids(): number[];
  /** Create one cell's bus for each of its configs: inboxes of `scale` agents. */
  openCell(cell: CellPlace): Promise<CellBus>;
  /** Stop and remove everything the run created (its server, its names on a user's server). Always safe to call. */
  close(): Promise<void>;
  /** Last resort in a process 'exit' handler: kill what was started, synchronously. */
  killSync(): void;
  /**
   * --fault restart-server: stop the server it started (SIGTERM, as a service manager's restart
   * does), keep it down `downMs`, start it again on the same port and settings, wait until it is
   * ready and reconnect the run's own connections. Resolves with the old and new pids and how long
   * the server was not answering. Asked for only when the driver's entry says restartable with the
   * run's settings (a run on a user's server has the method, and refuses: it started no server).
   */
  restartServer?(downMs: number): Promise<ServerRestart>;
}

export interface ServerRestart {
  pids: number[];
  /** From the stop's start to the restarted server's readiness. */
  outageMs: number;
}

export interface CellPlace {
  id: number;
  /** The cell's directory on tmpfs (created by the runner, removed after the cell). */
  dir: string;
  configs: readonly ConfigName[];
  scale: number;
}

export interface CellBus {
  /** What the workers need for this cell (plain data). */
  readonly spec: unknown;
  /** Directory whose bytes and files are the bus's tmpfs use, and names in it that are not. */
  readonly usage?: { dir: string; ignore: readonly string[] };
  /**
   * Agents the coordinated shutdown marked stopped, read from the bus itself; null when the
   * driver relies on the agents' own reports (DrainResult.stopped).
   */
  stopped(config: ConfigName): Promise<number | null>;
  /** Messages still waiting in the config's inboxes after the drain. */
  leftover(config: ConfigName): Promise<number>;
  /** Remove the cell's inboxes and names. Always safe to call. */
  close(): Promise<void>;
}

/** Worker side. */
export interface DriverClient {
  /**
   * The driver's calibration floor and its bus at one agent, measured in a worker: the bare
   * operation the bus is built from (a syscall sequence, a PING) and the bus's own round trip.
   * `effort` in (0, 1]: scale the calibration's rounds by it (a smoke run calibrates less).
   */
  calibrate(ctx: ClientContext & { dir: string; effort: number }): Promise<DriverCalibration>;
  /** One config's clients for the agents of this worker. */
  open(ctx: ClientContext & { cell: unknown; dir: string; config: ConfigName; scale: number; local: readonly number[]; layer: LayerOptions; payloadBytes: number }): Promise<ConfigClient>;
}

export interface ClientContext {
  settings: unknown;
  shared: unknown;
}

export type { DriverCalibration } from '../core/words.ts';

/** The message body the harness sends: the sender's round number, then the payload. */
export interface Body {
  k: number;
  data: string;
}

/**
 * What a receive returns: the message as the bus delivered it. `from` is the sender's agent id,
 * `sent_at_ns` the sender's CLOCK_MONOTONIC stamp, `payload` the Body sent.
 * A driver that times its own calls (the shell driver: the agent shell times itself) sets
 * `selfNs` (the call's duration) and `endNs` (when it ended, on the clock of `sent_at_ns`), and
 * hands any further messages the same call returned in `more`.
 */
export interface Receipt {
  readonly from: string;
  readonly sent_at_ns: string | number;
  readonly payload: unknown;
  readonly selfNs?: number;
  readonly endNs?: bigint;
  readonly more?: readonly Receipt[];
}

/** The send was refused by backpressure (rate_limiting): nothing was written. */
export class Rejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Rejected';
  }
}

/** The send's library call failed: the message may or may not have gone out. */
export class SendFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendFailed';
  }
}

export interface DrainResult {
  /** Messages the drain took. */
  got: Receipt[];
  /** Duration of a coordinated drain-and-stop (ns), when the driver times it itself. */
  selfNs?: number;
  /**
   * Coordinated: the agent's drain-and-stop succeeded (true) or not (false); null when the driver
   * has no drain-and-stop for this config (a library without one), or the drain was not coordinated.
   */
  stopped: boolean | null;
}

/**
 * One config's bus, layers included, for the agents of one worker; agents are addressed by
 * their slot in `local`, recipients by agent index. Methods return values (sync drivers) or
 * promises (async drivers); the harness times each call and awaits only when `sync` is false.
 */
export interface ConfigClient {
  /** Every call returns a plain value, never a promise. */
  readonly sync: boolean;
  /** Async drivers: the agents of a worker run their calls concurrently (else one at a time). */
  readonly concurrent: boolean;
  /**
   * Send `body` from the agent in `slot` to agent `to`. Returns the call's own duration (ns) when
   * the driver times itself. Throws Rejected (backpressure) or SendFailed; anything else fails the cell.
   */
  send(slot: number, to: number, body: Body): number | void | Promise<number | void>;
  /** Take the oldest message of the agent in `slot`, or null when its inbox is empty. */
  receive(slot: number): Receipt | null | Promise<Receipt | null>;
  /**
   * `--wait watch`: call `onMail` when mail may have arrived for the agent in `slot` (tmpfs: an
   * inotify watch on its inbox); returns the function that stops watching. A driver whose clients
   * have it says so with `watches: true` in its entry.
   */
  watch?(slot: number, onMail: () => void): () => void;
  /**
   * The coordinator's health query of every agent (configs with health). Returns its own duration
   * when self-timed, null when the call failed (reported through `calls`).
   */
  healthQuery?(): number | null | void | Promise<number | null | void>;
  /**
   * The agents (indices) the last health query found stale or dead (missing), as the health layer
   * reported them; null when no query has answered yet. Read right after a query (--fault's detection time).
   */
  staleAgents?(): number[] | null;
  /**
   * Per local agent (slot order): ms from its spawn (an agent process, a connection) to its first
   * successful operation (the library's init, the handshake), and what an agent is here.
   */
  startupMs?(): { what: string; ms: number[] };
  /** The coordinator raises the coordinated shutdown (configs with shutdown; called on one worker). */
  requestShutdown?(): void | Promise<void>;
  /** End of cell: take what is left; `coordinated`: through the shutdown layer's drain-and-stop. */
  drain(slot: number, coordinated: boolean): DrainResult | Promise<DrainResult>;
  /** Failed library calls so far (drivers that report them). */
  calls?(): CallErrors[];
  /**
   * Drivers whose agents are processes of their own: the agent's pid, leader of a process group
   * holding everything it started (--fault signals that group). Absent: agents share the worker.
   */
  agentPid?(slot: number): number | null;
  /** Release connections and processes. Always safe to call. */
  close(): void | Promise<void>;
}
