#!/usr/bin/env -S node --import tsx
// Smoke-sized overhead run (scales 1,3; 2 runs; 20 messages per agent): npm run bench:quick
import { overheadMain, QUICK_CMD } from '../lib/cli/overhead.ts';
import { QUICK } from '../lib/config/options.ts';

process.exitCode = await overheadMain({ ...QUICK_CMD, preset: QUICK }, process.argv.slice(2), process.env);
