/**
 * Starting the agent shells of one worker for one cell: all at once, each sourcing the libraries
 * and running `init` with its own placeholder values. If any fails, every one started is killed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigName } from '../../core/words.ts';
import type { LayerOptions } from '../../core/words.ts';
import { agentId } from '../../core/agents.ts';
import type { ShellDriverConfig } from './config.ts';
import { AgentShell } from './agent-shell.ts';
import { agentDefinitions, commonValues } from './compose.ts';
import { substitute } from './placeholders.ts';

/** Where the library's stdout and stderr go, inside the cell's directory. */
export const LOG_DIR = '.busbench-shell';

/** The payload text after the marker: fills it up to about `bytes`. */
export function filler(bytes: number): string {
  return 'x'.repeat(Math.max(0, bytes - 40));
}

export interface StartSpec {
  dir: string;
  config: ConfigName;
  scale: number;
  layer: LayerOptions;
  shell: ShellDriverConfig;
  opTimeoutMs: number;
  fill: string;
}

export async function startShells(spec: StartSpec, agents: readonly number[]): Promise<AgentShell[]> {
  const logs = join(spec.dir, LOG_DIR);
  mkdirSync(logs, { recursive: true });
  const results = await Promise.allSettled(
    agents.map((i) => {
      const agent = agentId(i);
      const values = { agent, index: i, dir: spec.dir, agents: spec.scale, layer: spec.layer };
      const common = commonValues(values);
      const env = Object.fromEntries(Object.entries(spec.shell.env).map(([k, v]) => [k, substitute(v, common)]));
      return AgentShell.start({
        agent,
        libs: spec.shell.source,
        env,
        defs: agentDefinitions(spec.shell, spec.config, values),
        fill: spec.fill,
        outFile: join(logs, `${agent}.out`),
        errFile: join(logs, `${agent}.err`),
        timeoutMs: spec.opTimeoutMs,
      });
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const shells = results.filter((r): r is PromiseFulfilledResult<AgentShell> => r.status === 'fulfilled').map((r) => r.value);
  if (failed) {
    await stopAll(shells, 0);
    throw failed.reason;
  }
  return shells;
}

/** Stop every shell (gracefully within `graceMs`, then SIGKILL of its process group). */
export async function stopAll(shells: readonly AgentShell[], graceMs = 2000): Promise<void> {
  await Promise.all(shells.map((s) => (graceMs > 0 ? s.stop(graceMs) : (s.kill(), s.done))));
}
