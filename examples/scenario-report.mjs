#!/usr/bin/env zx
// Runs a scenario file through the busbench API and prints one line per step and config: the
// step's verdict, the messages lost, and the delivery p50 at each scale.
//
//   npx zx examples/scenario-report.mjs [FILE] [--scales 1,10] [--iterations 20]
//
// Flags after FILE override the file's values, as with `busbench run`.
import { runScenario, UsageError } from 'busbench';

const file = argv._[0] ?? 'scenarios/smoke.json';
const overrides = {};
for (const key of ['scales', 'runs', 'iterations', 'warmup']) if (argv[key] !== undefined) overrides[key] = String(argv[key]);

let result;
try {
  result = await runScenario(file, overrides);
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  echo(`bad scenario: ${e.message}`);
  process.exit(2);
}

for (const step of result.steps) {
  const summary = step.records.find((r) => r.type === 'summary');
  echo(`${result.name}/${step.name}: ${summary.status}, lost ${summary.lost_total}, exit ${step.exitCode}`);
  const delivery = step.records.filter((r) => r.type === 'statistics' && r.operation === 'delivery');
  for (const config of [...new Set(delivery.map((r) => r.test_name))]) {
    const cells = delivery.filter((r) => r.test_name === config).map((r) => `${r.agent_count} agents ${(r.p50_ms * 1000).toFixed(1)} µs`);
    echo(`  ${config} delivery p50: ${cells.join(', ')}`);
  }
}
process.exitCode = result.exitCode;
