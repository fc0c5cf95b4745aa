#!/usr/bin/env node
// The `busbench` command (npx busbench <command> …). Plain JS so it runs without a build step: it
// compiles lib/cli/commands.ts for plain Node (lib/core/compile.js), or, where that cannot be done,
// registers the TypeScript loader; then it hands over.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../lib/core/compile.js';

const COMMANDS = fileURLToPath(new URL('../lib/cli/commands.ts', import.meta.url));
const [compiled] = (await compile([COMMANDS])) ?? [];
if (compiled === undefined) (await import('tsx/esm/api')).register();
/** @type {typeof import('../lib/cli/commands.ts')} */
const { dispatch } = await import(pathToFileURL(compiled ?? COMMANDS).href);
process.exitCode = await dispatch(process.argv.slice(2), process.env);
