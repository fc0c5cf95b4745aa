import type { ConfigName } from '../core/words.ts';
import type { LayerOptions } from '../drivers/tmpfs/layers/stack.ts';
import type { ShellDriverConfig } from '../drivers/shell/config.ts';

export const DRIVERS = ['tmpfs', 'shell'] as const;
export type DriverName = (typeof DRIVERS)[number];

/** What a shell-driver cell needs besides the common spec. */
export interface ShellCellSpec {
  config: ShellDriverConfig;
  opTimeoutMs: number;
}

/** Operations timed inside the workers. Layer operations appear only where the layer is present. */
export const OPERATIONS = ['message_send', 'message_receive', 'delivery', 'health_query', 'shutdown_drain'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface CellSpec {
  id: number;
  /** The cell's directory; each config's bus lives in its own subdirectory (configDir). */
  dir: string;
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
  /** How long agents wait for mail still on its way before giving up (the drain then finds it). */
  receiveTimeoutMs: number;
  /** Which bus runs the agents; 'tmpfs' is the reference bus in this process. */
  driver: DriverName;
  shell?: ShellCellSpec;
}

export interface Calibration {
  timer_empty_p50_ns: number;
  harness_cost_per_call_ns: number;
  syscall_floor_round_trip_us: number;
  bus_round_trip_us: number;
  bus_send_us: number;
  bus_vs_floor_ratio: number;
  harness_pct_of_send: number;
  /** Shell driver only: the agent shells' own timing frame and start-up cost. */
  shell?: ShellCalibration;
}

export interface ShellCalibration {
  /** Median and mean of a timed empty function call inside an agent shell ($EPOCHREALTIME, 1 µs steps). */
  empty_command_p50_us: number;
  empty_command_mean_us: number;
  empty_command_n: number;
  /** Agent shells started at once (sourcing the libraries and running init), and how long that took. */
  shells_started: number;
  shells_start_ms: number;
}

/** Failed library calls of a cell (shell driver), grouped by operation and exit status. */
export interface CallErrors {
  operation: string;
  status: number;
  count: number;
  /** First lines of the library's stderr at the first such failure. */
  stderr: string;
}

export type ToWorker =
  | { type: 'calibrate'; dir: string; rounds: number }
  | { type: 'cell'; cell: CellSpec }
  | { type: 'calibrate-shell'; dir: string; shell: ShellCellSpec; layer: LayerOptions; shells: number; rounds: number }
  /** `coordinated`: the configs whose agents stop through the shutdown layer's drain. */
  | { type: 'drain'; id: number; coordinated: ConfigName[] }
  | { type: 'shutdown-request'; id: number };

/** What one config of a cell measured on one worker. */
export interface ConfigDone {
  config: ConfigName;
  samples: Partial<Record<Operation, Float64Array>>;
  /** Per sample of send, receive and delivery: the key of its message (workload.ts messageKey). */
  keys: Partial<Record<Operation, Float64Array>>;
  /** Messages each local agent got accepted by the bus (same order as `local`). */
  sent: number[];
  /** Pairs (sender index, seq) of every message received during the workload. */
  received: Uint32Array;
  rejected: number;
  /** Shell driver: failed library calls, and (sender, seq) of sends whose call failed. */
  calls?: CallErrors[];
  failedSends?: Uint32Array;
}

export interface CellDone {
  type: 'cell-done';
  id: number;
  /** One entry per config of the cell, in the spec's order. */
  parts: ConfigDone[];
  timedOut: boolean;
  /**
   * The workload's span on this worker: hrtime (CLOCK_MONOTONIC, shared by every process on the
   * host) just before the first send and just after the last message received.
   */
  startNs: number;
  endNs: number;
}

export interface ConfigDrained {
  config: ConfigName;
  drained: Uint32Array;
  /** Time this worker took to drain and stop its agents (coordinated shutdown only). */
  drainNs: number | null;
  /** Shell driver, coordinated shutdown: agents whose drain-and-stop succeeded. */
  stopped?: number;
  calls?: CallErrors[];
}

export interface Drained {
  type: 'drained';
  id: number;
  /** One entry per config of the cell, in the spec's order. */
  parts: ConfigDrained[];
}

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'calibrated'; calibration: Calibration }
  | { type: 'shell-calibrated'; shell: ShellCalibration }
  | { type: 'shutdown-requested'; id: number }
  | CellDone
  | Drained
  | { type: 'error'; id: number; message: string };
