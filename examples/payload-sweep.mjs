#!/usr/bin/env zx
// What a layer costs as messages grow: one overhead run per payload size through the busbench
// API, then a CSV of the bare bus's send p50 and the layer's overhead on send, per size and scale.
//
//   npx zx examples/payload-sweep.mjs [--sizes 64,4096,65536] [--layer metrics] [--scales 1,10] [--runs 3] [--iterations 100]
import { overhead } from 'busbench';

const list = (v, d) => String(v ?? d).split(',').map(Number);
const sizes = list(argv.sizes, '64,4096,65536');
const layer = argv.layer ?? 'metrics';
const options = { layers: [layer], scales: list(argv.scales, '1,10'), runs: Number(argv.runs ?? 3), iterations: Number(argv.iterations ?? 100), warmup: Number(argv.warmup ?? 10) };

echo(`payload_bytes,agents,baseline_send_p50_us,${layer}_send_overhead_pct`);
let exitCode = 0;
for (const payloadBytes of sizes) {
  const r = await overhead({ ...options, payloadBytes });
  if (exitCode === 0) exitCode = r.exitCode;
  const base = r.records.filter((x) => x.type === 'statistics' && x.test_name === 'baseline' && x.operation === 'message_send');
  for (const b of base) {
    const o = r.records.find((x) => x.type === 'overhead' && x.test_name === layer && x.operation === 'message_send' && x.agent_count === b.agent_count);
    echo(`${payloadBytes},${b.agent_count},${(b.p50_ms * 1000).toFixed(2)},${o ? o.overhead_pct.toFixed(2) : ''}`);
  }
}
process.exitCode = exitCode;
