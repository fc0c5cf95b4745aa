/**
 * What each config means for the shell driver, as bash. The layers and their order come from
 * lib/core/words.ts, exactly as for the reference bus (outermost first: shutdown, rate_limiting,
 * health, metrics), and each layer does what its reference counterpart does around the same
 * operation:
 *   send    = [shutdown check] [noop] [rate_limiting check] send [metrics op=send] [health op=send]
 *   receive = [shutdown check] [noop] receive, read its output [metrics op=receive per message] [health op=receive]
 * A layer whose operation is absent from the driver config is skipped (see skippedLayers).
 */
import { LAYERS, layersOf, type ConfigName, type LayerName } from '../../core/words.ts';
import type { LayerOptions } from '../../core/words.ts';
import type { ShellDriverConfig } from './config.ts';
import { COMMON, shQuote, toBash, varOf, type ShellOperation } from './placeholders.ts';

/** The operation a layer cannot do without. */

/** Layers this driver config cannot run, with the missing operation. */
export function skippedLayers(cfg: ShellDriverConfig): { layer: LayerName; missing: ShellOperation }[] {
  // Each layer's operation in a driver config has the layer's own name.
  return LAYERS.filter((l) => cfg.operations[l] === undefined).map((layer) => ({ layer, missing: layer }));
}

/** The layers a config has under this driver (absent ones dropped). */
export function shellLayersOf(config: ConfigName, cfg: ShellDriverConfig): (LayerName | 'noop')[] {
  const skipped = new Set(skippedLayers(cfg).map((s) => s.layer));
  return layersOf(config).filter((l) => l === 'noop' || !skipped.has(l));
}

export interface AgentValues {
  agent: string;
  index: number;
  dir: string;
  agents: number;
  layer: LayerOptions;
}

/** Values of the COMMON placeholders for one agent. */
export function commonValues(v: AgentValues): Record<(typeof COMMON)[number], string> {
  return {
    agent: v.agent,
    index: String(v.index),
    dir: v.dir,
    agents: String(v.agents),
    capacity: String(v.layer.capacity),
    backoff_ms: String(v.layer.backoffMs),
    max_retries: String(v.layer.maxRetries),
    health_interval_ms: String(v.layer.healthIntervalMs),
  };
}

/**
 * `busbench ab --b-delay-us`: both variants' send busy-wait lasts a base drawn afresh per call,
 * uniformly from `[from, from + spread)` µs, B's that plus its extra. The loop ends at the first turn
 * (about 3 µs) past its end: with a base of 0 or a fixed base the two waits need not end the same
 * way; a base spread over many turns makes B's extra turns average to the extra itself (a spread
 * of 20 µs left a 6 µs extra at 4.2-6.2 µs, of 60 µs at 5.1-6.5: docs/ab.md).
 */
export const SHELL_SEND_WAIT_BASE_US = { from: 5, spread: 60 } as const;

// `x; rc=$?` rather than `if x`: a library's `set -e` must act as it does in its own scripts.
const call = (op: string, failAs: string, status = 2) => `  __bb_op_${op}\n  __bb_frc=$?\n  if ((__bb_frc != 0)); then __bb_fop=${failAs}; __bb_st=${status}; return 0; fi\n`;

/** The definitions an agent shell evaluates once: placeholder variables, op functions, composed send/receive. */
export function agentDefinitions(cfg: ShellDriverConfig, config: ConfigName, v: AgentValues): string {
  const layers = shellLayersOf(config, cfg);
  const has = (l: LayerName | 'noop') => layers.includes(l);
  const lines: string[] = [];
  for (const [k, val] of Object.entries(commonValues(v))) lines.push(`${varOf(k)}=${shQuote(val)}`);
  for (const k of ['from', 'to', 'payload', 'seq', 'op', 'message']) lines.push(`${varOf(k)}=''`);
  lines.push(`__bb_st=0 __bb_frc=0 __bb_fop='' __bb_lines=()`);
  for (const [op, template] of Object.entries(cfg.operations)) lines.push(`__bb_op_${op}() {\n${toBash(template)}\n}`);
  // A busy-wait of `us` µs, plus `RANDOM % spread` µs drawn per call when a spread is given.
  const loop = (name: string, us: number, spread = 0) => `${name}() { local e=$((\${EPOCHREALTIME//[!0-9]/} + ${Math.round(us)}${spread > 0 ? ` + RANDOM % ${spread}` : ''})); while ((\${EPOCHREALTIME//[!0-9]/} < e)); do :; done; }`;
  lines.push(v.layer.noopDelayUs > 0 ? loop('__bb_op_noop', v.layer.noopDelayUs) : '__bb_op_noop() { :; }');
  // busbench ab --b-delay-us: the same busy-wait in both variants' send, after the library's send
  // command, A's for a random base alone, B's for the base + its extra (SHELL_SEND_WAIT_BASE_US).
  // Before the command, B's extra measured about 3 µs short whatever its size (6 → 2.5-4.2 µs,
  // 30 → 26.3-27.8 µs); after it, 30 → 29.8-30.1 µs: a wall-clock wait at the start of the send
  // overlaps what the machine is still busy with as the send begins (docs/ab.md).
  const sendDelay = v.layer.sendDelayUs;
  if (sendDelay !== undefined) lines.push(loop('__bb_send_delay', SHELL_SEND_WAIT_BASE_US.from + sendDelay, SHELL_SEND_WAIT_BASE_US.spread));

  let send = '__bb_send() {\n  __bb_st=0\n';
  if (has('shutdown')) send += call('shutdown', 'shutdown');
  if (has('noop')) send += '  __bb_op_noop\n';
  if (has('rate_limiting')) send += `  __bb_op_rate_limiting\n  __bb_frc=$?\n  if ((__bb_frc == ${cfg.reject_status})); then __bb_st=1; return 0; fi\n  if ((__bb_frc != 0)); then __bb_fop=rate_limiting; __bb_st=2; return 0; fi\n`;
  send += call('send', 'send');
  if (sendDelay !== undefined) send += '  __bb_send_delay\n';
  if (has('metrics')) send += `  ${varOf('op')}=send\n` + call('metrics', 'metrics');
  if (has('health')) send += `  ${varOf('op')}=send\n` + call('health', 'health');
  send += '}';

  let recv = '__bb_recv() {\n  __bb_st=0\n';
  // The reference receive checks the flag and receives either way (inboxes must drain).
  if (has('shutdown')) recv += '  __bb_op_shutdown || :\n';
  if (has('noop')) recv += '  __bb_op_noop\n';
  recv += call('receive', 'receive');
  recv += '  mapfile -t -u "$__bb_outr" __bb_lines\n';
  if (has('metrics')) {
    // The driver reads sender and seq from its marker to fill {from}/{seq}: parameter expansion, not a
    // regex + printf (about 10 µs instead of 17 µs per message here). This parse is inside the timed
    // receive of the metrics configs; docs/drivers.md says so.
    recv += `  local __bb_m __bb_r __bb_i\n  for __bb_m in "\${__bb_lines[@]}"; do\n    if [[ $__bb_m == *busbench:* ]]; then\n`;
    recv += `      __bb_r=\${__bb_m#*busbench:} __bb_i=00000\${__bb_m#*busbench:}\n      __bb_i=\${__bb_i%%:*}\n      ${varOf('from')}=agent-\${__bb_i: -5}\n      __bb_r=\${__bb_r#*:}\n`;
    recv += `      ${varOf('seq')}=\${__bb_r%%:*} ${varOf('to')}=$${varOf('agent')} ${varOf('message')}=$__bb_m ${varOf('op')}=receive\n`;
    recv += call('metrics', 'metrics').replace(/^ {2}/gm, '      ');
    recv += '    fi\n  done\n';
  }
  if (has('health')) recv += `  ${varOf('op')}=receive\n` + call('health', 'health');
  recv += '}';
  lines.push(send, recv);
  return lines.join('\n') + '\n';
}
