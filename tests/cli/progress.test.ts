/** Progress on stderr: the ETA, and in logs (no TTY) a line at least every interval, even inside a long cell. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminal } from '../../lib/cli/terminal.ts';
import { duration } from '../../lib/cli/progress.ts';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  const stream = { isTTY, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('no TTY: a line per run, one more every interval while a cell runs, each with cells done, elapsed and the ETA', async () => {
  let clock = 0;
  const { stream, lines } = sink(false);
  const term = terminal({}, stream, { now: () => clock, logEveryMs: 20 });
  term.progress(0, 4, 'run 1/2 · baseline @ 1 agent');
  clock = 10_000;
  term.progress(1, 4, 'run 1/2 · baseline @ 10 agents');
  // Same run: nothing yet; then the interval passes with the cell still running.
  assert.equal(lines.length, 1);
  await sleep(60);
  clock = 20_000;
  term.progress(2, 4, 'run 2/2 · baseline @ 1 agent');
  term.progress(4, 4, 'done');
  const n = lines.length;
  await sleep(60);
  term.endProgress();
  assert.equal(lines.length, n, 'lines after the matrix was done');
  // 10 s per cell: 3 cells left after the first → 30 s; 2 left after two in 20 s → 20 s.
  assert.equal(lines[0], '[0.0 s] 0/4 cells · run 1/2\n');
  assert.ok(lines.slice(1, -2).length >= 1 && lines.slice(1, -2).every((l) => l === '[10.0 s] 1/4 cells · run 1/2 · ETA 30 s\n'), JSON.stringify(lines));
  assert.equal(lines[lines.length - 2], '[20.0 s] 2/4 cells · run 2/2 · ETA 20 s\n');
  assert.equal(lines[lines.length - 1], '[20.0 s] 4/4 cells · done\n');
});

test('TTY: the bar carries the ETA once a cell is done', () => {
  let clock = 0;
  const { stream, lines } = sink(true);
  const term = terminal({ NO_COLOR: '1' }, stream, { now: () => clock });
  term.progress(0, 3, 'run 1/1 · a');
  assert.doesNotMatch(lines.at(-1)!, /ETA/);
  clock = 65_000;
  term.progress(1, 3, 'run 1/1 · b');
  assert.match(lines.at(-1)!, / 1\/3 run 1\/1 · b · 65\.0 s · ETA 2m 10s$/);
  term.endProgress();
});

test('durations read as a person says them', () => {
  assert.deepEqual([duration(44_600), duration(185_000), duration(3_720_000)], ['45 s', '3m 05s', '1h 02m']);
});
