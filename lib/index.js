// The package's entry (`import { overhead, capacity, runScenario } from 'busbench'`). Plain JS so
// it loads in Node without a build step or a loader flag: it compiles lib/api.ts for plain Node
// (core/compile.js), or, where that cannot be done, registers the TypeScript loader; then it hands
// over to lib/api.ts (whose types TypeScript users get through package.json "exports").
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from './core/compile.js';

const API = fileURLToPath(new URL('./api.ts', import.meta.url));
const [compiled] = (await compile([API])) ?? [];
if (compiled === undefined) (await import('tsx/esm/api')).register();
/** @type {typeof import('./api.ts')} */
const api = await import(pathToFileURL(compiled ?? API).href);

export const { overhead, capacity, soak, runScenario, UsageError, EXIT } = api;
