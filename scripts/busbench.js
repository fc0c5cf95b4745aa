#!/usr/bin/env node
// The `busbench` command (npx busbench <command> …). Plain JS so it runs without a build step: it
// loads lib/cli/commands.ts compiled for plain Node (lib/core/compile.js importTs), or under the
// TypeScript loader where that cannot be done; then it hands over.
import { fileURLToPath } from 'node:url';
import { importTs } from '../lib/core/compile.js';

const { dispatch } = /** @type {typeof import('../lib/cli/commands.ts')} */ (await importTs(fileURLToPath(new URL('../lib/cli/commands.ts', import.meta.url))));
process.exitCode = await dispatch(process.argv.slice(2), process.env);
