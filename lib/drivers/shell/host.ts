import { mkdirSync } from 'node:fs';
import { configDir, type DriverHost } from '../contract.ts';
import { localRun } from '../local.ts';
import { layout, leftoverFiles } from '../tmpfs/layout.ts';
import { LOG_DIR } from './start.ts';

/**
 * The shell driver needs no server: each config of a cell gets a directory that the library
 * makes its bus in ({dir}); the agent shells themselves start in the workers.
 */
export const host: DriverHost = {
  open: async () =>
    localRun((cell) => {
      for (const config of cell.configs) mkdirSync(configDir(cell.dir, config), { recursive: true });
      return {
        spec: null,
        usage: { dir: cell.dir, ignore: [LOG_DIR] },
        // Each agent reports whether the library's drain-and-stop succeeded.
        stopped: async () => null,
        // Files left in the reference layout's inboxes (a library with another layout leaves none there).
        leftover: async (config) => leftoverFiles(layout(configDir(cell.dir, config)), cell.scale),
        close: async () => undefined,
      };
    }),
};
