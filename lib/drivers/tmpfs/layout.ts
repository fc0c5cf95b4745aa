import { readdirSync } from 'node:fs';
import { agentId } from '../../core/agents.ts';
import { join } from 'node:path';

/** Where everything of one bus lives below its root directory. Shared by the bus and the layers. */
export interface Layout {
  readonly root: string;
  inbox(agent: string): string;
  readonly tmp: string;
  readonly metricsFile: string;
  readonly healthDir: string;
  healthFile(agent: string): string;
  readonly shutdownFlag: string;
  readonly stoppedDir: string;
}

export function layout(root: string): Layout {
  return {
    root,
    inbox: (agent) => join(root, 'agents', agent, 'inbox'),
    tmp: join(root, 'tmp'),
    metricsFile: join(root, 'metrics.jsonl'),
    healthDir: join(root, 'health'),
    healthFile: (agent) => join(root, 'health', `${agent}.json`),
    shutdownFlag: join(root, 'shutdown.flag'),
    stoppedDir: join(root, 'stopped'),
  };
}

/** Message files still in the inboxes of agents 0…scale−1 (dot files, a library's own, not counted). */
export function leftoverFiles(paths: Layout, scale: number): number {
  let n = 0;
  for (let i = 0; i < scale; i++) {
    try {
      n += readdirSync(paths.inbox(agentId(i))).filter((f) => !f.startsWith('.')).length;
    } catch {
      // an agent whose inbox was never made (a library with another layout) left nothing here
    }
  }
  return n;
}
