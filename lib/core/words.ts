/**
 * The shared words of busbench: configs, layers, operations, the layers' knobs and the calibration
 * a run records. Everything may import this module; it imports nothing of busbench's.
 */

/** The integration layers busbench measures, in no particular order. */
export const LAYERS = ['metrics', 'health', 'rate_limiting', 'shutdown'] as const;
export type LayerName = (typeof LAYERS)[number];

/** Configurations busbench measures. `baseline` is the bare bus; the rest wrap it. */
export const CONFIGS = ['baseline', 'noop', ...LAYERS, 'full_integration'] as const;
export type ConfigName = (typeof CONFIGS)[number];

/** The layers that make up each config, outermost first. */
export function layersOf(config: ConfigName): readonly (LayerName | 'noop')[] {
  switch (config) {
    case 'baseline':
      return [];
    case 'noop':
      return ['noop'];
    case 'full_integration':
      return ['shutdown', 'rate_limiting', 'health', 'metrics'];
    default:
      return [config];
  }
}

/**
 * Operations timed inside the workers. Layer operations appear only where the layer is present;
 * delivery_intended (delivery timed from the send's scheduled time) only in the open loop;
 * round_trip (a request sent to its answer taken) only with the request-reply pattern.
 */
export const OPERATIONS = ['message_send', 'message_receive', 'delivery', 'delivery_intended', 'round_trip', 'health_query', 'shutdown_drain'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The layers' knobs, the same for every driver. */
export interface LayerOptions {
  /** rate_limiting: inbox depth at which a sender must wait. */
  capacity: number;
  /** rate_limiting: first wait in ms, doubled on every retry. */
  backoffMs: number;
  /** rate_limiting: retries after the first check before the send is rejected. */
  maxRetries: number;
  /** health: least time between two heartbeats of one agent (0: every operation). */
  healthIntervalMs: number;
  /** noop: busy-wait this long per operation (a known cost the harness must find). */
  noopDelayUs: number;
  /**
   * A/B only (`busbench ab --b-delay-us`): how much longer than A's B's busy-wait inside every send
   * of the bare bus lasts (A gets 0): both wait a driver's random base plus this, in one wait after
   * the send's work, so the variants differ by this alone.
   */
  sendDelayUs?: number;
}

/**
 * What the harness and the bus cost on their own, measured in a worker before the matrix and kept
 * in the `run` record. Nothing is ever subtracted from a result.
 */
export interface Calibration {
  /** The share of the full calibration this run made (lib/run/runner.ts calibrationEffort; absent before 0.4: 1). */
  effort?: number;
  /** Median of an empty timed region (two clock reads). */
  timer_empty_p50_ns: number;
  /** Extra time per call of timing it and storing the sample. */
  harness_cost_per_call_ns: number;
  /** Median of a timed `await` of an already-resolved promise: what an async call pays at least (absent before 0.3). */
  await_empty_p50_ns?: number;
  /** The bare operation the driver is built from, and its round trip in µs (absent before 0.3: the tmpfs syscalls). */
  floor_name?: string;
  floor_round_trip_us?: number;
  /** The reference bus's floor under its historical name (tmpfs: the same figure as floor_round_trip_us). */
  syscall_floor_round_trip_us?: number;
  /** The driver's bus: send + receive at one agent, and a send alone (µs). */
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

/** Failed library calls of a cell (drivers that report them), grouped by operation and exit status. */
export interface CallErrors {
  operation: string;
  status: number;
  count: number;
  /** First lines of the library's stderr at the first such failure. */
  stderr: string;
}

/** What a driver's calibration measured (drivers/contract.ts DriverClient.calibrate). */
export interface DriverCalibration {
  floor_name: string;
  floor_round_trip_us: number;
  bus_round_trip_us: number;
  bus_send_us: number;
  /** Anything else the driver measured (kept in the calibration record under its name). */
  extra?: Record<string, unknown>;
}
