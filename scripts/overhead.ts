#!/usr/bin/env -S node --import tsx
// The main job: bare bus, each layer, all layers, at each agent scale → JSONL + breakdown table.
//   npm run bench -- [flags]        (see --help)
import { overheadMain, OVERHEAD } from '../lib/cli/overhead.ts';

process.exitCode = await overheadMain(OVERHEAD, process.argv.slice(2), process.env);
