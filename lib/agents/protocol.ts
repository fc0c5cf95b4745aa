import type { ConfigName } from '../layers/names.ts';
import type { LayerOptions } from '../layers/stack.ts';

/** Operations timed inside the workers. Layer operations appear only where the layer is present. */
export const OPERATIONS = ['message_send', 'message_receive', 'delivery', 'health_query', 'shutdown_drain'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface CellSpec {
  id: number;
  dir: string;
  config: ConfigName;
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
}

export interface Calibration {
  timer_empty_p50_ns: number;
  harness_cost_per_call_ns: number;
  syscall_floor_round_trip_us: number;
  bus_round_trip_us: number;
  bus_send_us: number;
  bus_vs_floor_ratio: number;
  harness_pct_of_send: number;
}

export type ToWorker =
  | { type: 'calibrate'; dir: string; rounds: number }
  | { type: 'cell'; cell: CellSpec }
  | { type: 'drain'; id: number; coordinated: boolean }
  | { type: 'stop' };

export interface CellDone {
  type: 'cell-done';
  id: number;
  samples: Partial<Record<Operation, Float64Array>>;
  /** Messages each local agent got accepted by the bus (same order as `local`). */
  sent: number[];
  /** Pairs (sender index, seq) of every message received during the workload. */
  received: Uint32Array;
  rejected: number;
  emptyPolls: number;
  timedOut: boolean;
  /**
   * The workload's span on this worker: hrtime (CLOCK_MONOTONIC, shared by every process on the
   * host) just before the first send and just after the last message received.
   */
  startNs: number;
  endNs: number;
}

export interface Drained {
  type: 'drained';
  id: number;
  drained: Uint32Array;
  /** Time this worker took to drain and stop its agents (coordinated shutdown only). */
  drainNs: number | null;
}

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'calibrated'; calibration: Calibration }
  | CellDone
  | Drained
  | { type: 'error'; id: number; message: string };
