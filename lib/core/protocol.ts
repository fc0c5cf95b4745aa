/** The IPC protocol between the orchestrator and its worker processes. Only messages live here. */
import type { CallErrors, Calibration, ConfigName, LayerOptions, Operation } from './words.ts';

/** What a worker needs to reach a driver's bus: the driver, its settings and the run's shared data. */
export interface DriverRef {
  name: string;
  settings: unknown;
  shared: unknown;
}

export interface CellSpec {
  id: number;
  /** The cell's directory; each config's bus lives in its own subdirectory (contract.ts configDir). */
  dir: string;
  driver: DriverRef;
  /** The driver's data for this cell (CellBus.spec). */
  bus: unknown;
  /**
   * Configs measured in this cell. More than one: interleaved, round by round, in an order
   * shuffled afresh every round from `orderSeed` (the same order on every worker).
   */
  configs: ConfigName[];
  orderSeed: number;
  /** Agents at this scale. */
  scale: number;
  /** Indices of the agents this worker runs. */
  local: number[];
  iterations: number;
  payloadBytes: number;
  layer: LayerOptions;
  healthQueryEvery: number;
  /** This worker runs the coordinator's periodic health query. */
  coordinator: boolean;
  /** The longest agents wait for mail still on its way, whatever they were told to expect. */
  receiveTimeoutMs: number;
  /** Once told what to expect: how long nothing may arrive before the rest counts as lost. */
  quietMs: number;
  /**
   * A soak (lib/soak/): rounds go on for this long after 'go' instead of `iterations`, one every
   * `soakEveryMs` at most, and only counts are kept (no samples, no per-message record).
   */
  soakMs?: number;
  soakEveryMs?: number;
  /** Who sends to whom (lib/workloads/index.ts); absent: rotation. */
  pattern?: string;
  /** The open loop's load (lib/workloads/open.ts); absent: the closed loop. */
  open?: OpenLoad;
  /** Keep every sample of the operations recorded in histograms too (--raw). */
  raw?: boolean;
  /**
   * A/B (busbench ab): the variants measured side by side. Each part of the cell is then one
   * (variant, config): variant-major, every config under each variant, each with the variant's
   * driver, bus and layer options, and its bus in the variant's directory. Absent: one variant,
   * the spec's own driver, bus, layer and dir.
   */
  variants?: VariantSpec[];
  /** --fault: every fault of the cell, and this worker's index (lib/faults/agent.ts picks its own). */
  faults?: { worker: number; list: FaultSpec[] };
}

/** One variant of an A/B cell: what differs between A and B. */
export interface VariantSpec {
  name: string;
  driver: DriverRef;
  bus: unknown;
  layer: LayerOptions;
  dir: string;
}

export type ToWorker =
  /** `effort` in (0, 1]: the share of the full calibration a run of this size gets (runner.ts calibrationEffort). */
  | { type: 'calibrate'; driver: DriverRef; dir: string; effort: number }
  | { type: 'cell'; cell: CellSpec }
  /** Every worker has its agents ready: start sending (the open loop: its schedule starts at `atNs`, CLOCK_MONOTONIC). */
  | { type: 'go'; id: number; atNs?: number }
  /** Once every worker has sent: per config (in the spec's order), what each local agent is to receive. */
  | { type: 'expect'; id: number; counts: number[][] }
  | { type: 'shutdown-request'; id: number; configs: ConfigName[] }
  /** `coordinated`: the configs whose agents stop through the shutdown layer's drain. */
  | { type: 'drain'; id: number; coordinated: ConfigName[] };

/** What one config of a cell measured on one worker. */
export interface ConfigDone {
  config: ConfigName;
  /** A/B: the part's variant (CellSpec.variants). */
  variant?: string;
  samples: Partial<Record<Operation, Float64Array>>;
  /** Per sample of send, receive and delivery: the key of its message (workload.ts messageKey). */
  keys: Partial<Record<Operation, Float64Array>>;
  /** Per local agent (same order as `local`), per round k: 0 not sent (rejected), 1 sent, 2 the send's call failed. */
  sent: Uint8Array[];
  /** Pairs (sender index, k) of every message received during the workload. */
  received: Uint32Array;
  /** Messages received during the workload (in a soak, the only record of them). */
  receivedN: number;
  rejected: number;
  /** The open loop: how the schedule held on this worker. */
  schedule?: ScheduleDone;
  /** Operations recorded in histograms (their samples are in `samples` only with --raw). */
  histograms?: Partial<Record<Operation, EncodedHistogram>>;
}

export interface CellDone {
  type: 'cell-done';
  id: number;
  /** One entry per config of the cell, in the spec's order. */
  parts: ConfigDone[];
  /** Agents stopped waiting at the hard deadline (receiveTimeoutMs), not because their mail was in. */
  timedOut: boolean;
  /** Agents stopped waiting after a quiet period with mail still missing (the drain counts the rest). */
  quietEnded: boolean;
  /**
   * The workload's span on this worker: hrtime (CLOCK_MONOTONIC, shared by every process on the
   * host) just before the first send and just after the last message received.
   */
  startNs: number;
  endNs: number;
  /** --fault, coordinator: what its health queries saw of the struck agents. */
  faultHealth?: FaultHealth[];
}

export interface ConfigDrained {
  config: ConfigName;
  variant?: string;
  drained: Uint32Array;
  /** Time this worker took to drain and stop its agents (coordinated shutdown only). */
  drainNs: number | null;
  /** Agents of this worker whose drain-and-stop succeeded; null when the driver has none for this config. */
  stopped: number | null;
  /** Failed library calls of the whole cell, workload and drain (drivers that report them). */
  calls: CallErrors[];
}

export interface Drained {
  type: 'drained';
  id: number;
  /** One entry per config of the cell, in the spec's order. */
  parts: ConfigDrained[];
}

/** Sent by a worker, unasked, when its agents have sent everything: per config, messages per recipient. */
export interface SentAll {
  type: 'sent';
  id: number;
  perRecipient: number[][];
}

/** Sent by a worker, unasked, when its agents are ready (clients open); it sends nothing before 'go'. */
export interface Opened {
  type: 'opened';
  id: number;
  /** Per config: its agents' spawn-to-ready and the open's duration (measure/lifecycle.ts). */
  startup?: OpenedStartup[];
}

/** Sent by a worker, unasked, when it injects a --fault (kill-worker: asks the orchestrator to SIGKILL it). */
export interface FaultEvent {
  type: 'fault';
  id: number;
  kind: FaultKind;
  text: string;
  target: number;
  atPct: number;
  /** The worker's round at which it struck. */
  round: number;
  /** hrtime (CLOCK_MONOTONIC) when it struck. */
  atNs: number;
  /** Processes signalled (process groups for agent shells); empty for an agent sharing its worker. */
  pids: number[];
  signal: 'SIGKILL' | 'SIGSTOP' | null;
  durationMs?: number;
}

/** The coordinator's health queries under --fault: since when each struck agent was reported stale, per config (null: never). */
export interface FaultHealth {
  config: ConfigName;
  agent: number;
  staleSinceNs: number | null;
}

/** What a worker says without being asked, while a cell runs. */
export type WorkerEvent = Opened | SentAll | FaultEvent;

export type FromWorker =
  | { type: 'ready'; pid: number }
  | Opened
  | { type: 'calibrated'; calibration: Calibration }
  | { type: 'shutdown-requested'; id: number }
  | SentAll
  | FaultEvent
  | CellDone
  | Drained
  | { type: 'error'; id: number; message: string };

// What the messages carry, declared here so the protocol depends on nothing above it; the modules
// that make these values re-export them.

/** --fault kinds (lib/faults/spec.ts). */
export type FaultKind = 'kill-agent' | 'stall-agent' | 'kill-worker' | 'restart-server';

/** The open loop's arrivals (lib/workloads/flags.ts). */
export type Arrivals = 'constant' | 'poisson';

export interface FaultSpec {
  kind: FaultKind;
  /** Agent index (kill-agent, stall-agent) or worker index (kill-worker), from 0; 0 for restart-server. */
  target: number;
  /** Share of the cell's workload done when the fault strikes, 0–100. */
  atPct: number;
  /** stall-agent: how long the agent stays stopped; restart-server: how long the server stays down (absent: 0). */
  durationMs?: number;
  /** As given, for messages and records. */
  text: string;
}

/** One worker's report for one config: its agents' spawn-to-ready, and how long its open() took in all. */
export interface OpenedStartup {
  config: string;
  what: string | null;
  agentMs: number[];
  openMs: number;
}

/** A histogram as it crosses IPC: the compressed counts, and the exact count, minimum and maximum (ns). */
export interface EncodedHistogram {
  counts: string;
  n: number;
  min: number;
  max: number;
}

export interface ScheduleSpec {
  /** Messages per second of each sending agent. */
  ratePerAgent: number;
  arrivals: Arrivals;
  durationMs: number;
  seed: number;
}

/** What a cell's worker needs to run the open loop (CellSpec.open). */
export interface OpenLoad extends ScheduleSpec {
  /** How receivers wait for mail: `poll:INTERVAL` (flags.ts parseWait). */
  wait: string;
  /**
   * --find-max-rate's steps: the p99 budget. Once the bus accepted more than 1 % (plus one) of the
   * cell's scheduled sends of a config later than this after their intended time, that config's
   * p99 from intended send times is over the budget whatever follows (a message is delivered after
   * it is sent), so the worker sends no more in that config; what it did not send is counted
   * `unsent` (open.ts giveUpOf).
   */
  giveUpLateNs?: number;
}

/** How the schedule held on one worker for one config: per send, how long after its intended time it began. */
export interface ScheduleDone {
  lagNs: Float64Array;
  /** Scheduled sends not attempted: the worker gave up (OpenLoad.giveUpLateNs). */
  unsent: number;
}
