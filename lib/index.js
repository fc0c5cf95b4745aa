// The package's entry (`import { overhead, capacity, runScenario } from 'busbench'`). Plain JS so
// it loads in Node without a build step or a loader flag: it registers the TypeScript loader, then
// hands over to lib/api.ts (whose types TypeScript users get through package.json "exports").
import { register } from 'tsx/esm/api';

register();
const api = await import('./api.ts');

export const { overhead, capacity, soak, runScenario, UsageError, EXIT } = api;
