import { mkdirSync } from 'node:fs';
import { agentId } from '../../core/agents.ts';
import { configDir, type CellBus, type CellPlace, type DriverHost } from '../contract.ts';
import { localRun } from '../local.ts';
import { ShutdownLayer } from './layers/shutdown.ts';
import { layout, leftoverFiles } from './layout.ts';

/** The reference bus needs no server: a cell is a directory per config with an inbox per agent. */
export const host: DriverHost = {
  open: async () => localRun(openCell),
};

/** Inboxes of every config's bus, made before the agents start (the runner removes the cell's directory). */
function openCell(cell: CellPlace): CellBus {
  for (const config of cell.configs) {
    const paths = layout(configDir(cell.dir, config));
    for (let i = 0; i < cell.scale; i++) mkdirSync(paths.inbox(agentId(i)), { recursive: true });
    mkdirSync(paths.tmp, { recursive: true });
  }
  return {
    spec: null,
    usage: { dir: cell.dir, ignore: [] },
    stopped: async (config) => ShutdownLayer.stoppedAgents(layout(configDir(cell.dir, config))).length,
    leftover: async (config) => leftoverFiles(layout(configDir(cell.dir, config)), cell.scale),
    close: async () => undefined,
  };
}
