import type { CellBus, CellPlace, DriverRun } from './contract.ts';

/**
 * The run of a driver whose bus lives in the run directory itself (no server, nothing shared with
 * the workers beyond each cell's directory): only its cells have anything to set up.
 */
export function localRun(openCell: (cell: CellPlace) => CellBus): DriverRun {
  return {
    info: {},
    shared: null,
    pids: () => [],
    openCell: async (cell) => openCell(cell),
    close: async () => undefined,
    killSync: () => undefined,
  };
}
