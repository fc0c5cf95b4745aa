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
