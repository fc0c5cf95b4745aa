#!/usr/bin/env node
// The `busbench` command (npx busbench <command> …). Plain JS so it runs without a build step:
// it registers the TypeScript loader, then hands over to lib/cli/commands.ts.
import { register } from 'tsx/esm/api';

register();
const { dispatch } = await import('../lib/cli/commands.ts');
process.exitCode = await dispatch(process.argv.slice(2), process.env);
