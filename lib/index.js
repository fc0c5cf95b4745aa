// The package's entry (`import { overhead, capacity, runScenario } from 'busbench'`). Plain JS so
// it loads in Node without a build step or a loader flag: it loads lib/api.ts compiled for plain
// Node (core/compile.js importTs), or under the TypeScript loader where that cannot be done (its
// types TypeScript users get through package.json "exports").
import { fileURLToPath } from 'node:url';
import { importTs } from './core/compile.js';

const api = /** @type {typeof import('./api.ts')} */ (await importTs(fileURLToPath(new URL('./api.ts', import.meta.url))));

export const { overhead, capacity, soak, runScenario, UsageError, EXIT } = api;
