#!/usr/bin/env -S node --import tsx
// Capacity planning: sweep agent counts, fit the scaling model, predict, check budgets → JSONL + HTML.
//   npm run capacity -- [flags]        (see --help)
import { capacityMain } from '../lib/cli/capacity.ts';

process.exitCode = await capacityMain(process.argv.slice(2), process.env);
