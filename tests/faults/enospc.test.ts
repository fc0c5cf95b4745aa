/**
 * A full tmpfs under the bus: busbench on a real 128 KB tmpfs, mounted for the test in an
 * unprivileged user+mount namespace (unshare -rm) where the kernel allows it, else directly when
 * the tests run as root; skipped, saying why, where neither is possible.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, newTag, parseJsonl, run, taggedPids } from '../helpers/cli.ts';
import { diskDir } from '../helpers/tmpfs.ts';

const SIZE = 'size=128k';
const MOUNT = `mount -t tmpfs -o ${SIZE} tmpfs "$0"`;

/** How this machine lets the test mount a small tmpfs, or why it cannot. */
function how(): 'unshare' | 'root' | string {
  const probe = mkdtempSync(join(tmpdir(), 'busbench-probe-'));
  try {
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', MOUNT, probe], { encoding: 'utf8' });
    if (r.status === 0) return 'unshare';
    if (process.getuid?.() === 0) return 'root';
    return `cannot mount a tmpfs: not root, and unshare -rm failed (${(r.stderr || r.error?.message || '').trim()})`;
  } finally {
    rmdirSync(probe);
  }
}

test('a full tmpfs: failed sends counted exactly, a clear message, the run ends and leaves nothing behind', async (t) => {
  const mode = how();
  if (mode !== 'unshare' && mode !== 'root') {
    t.skip(mode);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'busbench-full-'));
  const out = join(diskDir(), 'out.jsonl');
  // 4 agents on one worker, 10 rounds, 48 KB payloads: a message takes 13 pages (4 KB) of the 32,
  // so in every round two messages fit and the next two find no room; each round's mail is taken
  // before the next, so it repeats: 20 of 40 sends fail per config. The rest of the bus (empty
  // inboxes, directories) takes no pages.
  const args = [BIN, 'overhead', '--base-dir', dir, '--scales', '4', '--runs', '1', '--iterations', '10', '--warmup', '0', '--layers', 'noop', '--payload-bytes', String(48 * 1024), '--workers', '1', '--out', out];
  const tag = newTag();
  let left: string;
  let r;
  try {
    if (mode === 'unshare') {
      // Inside the namespace: mount, run, then list what is left in the mount before it vanishes.
      r = await run('unshare', ['-rm', 'sh', '-c', `${MOUNT} && "$@"; rc=$?; echo "LEFT:$(ls -A "$0")" >&2; exit $rc`, dir, process.execPath, ...args], { tag });
      left = /LEFT:(.*)/.exec(r.stderr)?.[1] ?? 'no listing';
    } else {
      assert.equal(spawnSync('sh', ['-c', MOUNT, dir]).status, 0);
      try {
        r = await run(process.execPath, args, { tag });
        left = readdirSync(dir).join(' ');
      } finally {
        spawnSync('umount', [dir]);
      }
    }
  } finally {
    rmdirSync(dir);
  }
  assert.equal(r.code, 1, r.stderr);
  assert.equal(left, '', 'the run directory was left on the full tmpfs');
  assert.deepEqual(taggedPids(tag), []);
  const recs = parseJsonl(readFileSync(out, 'utf8'));
  const integ = recs.filter((x) => x.type === 'integrity');
  assert.equal(integ.length, 2);
  for (const i of integ) assert.deepEqual([i.sent, i.received, i.failed_sends, i.lost, i.duplicated], [40, 20, 20, 0, 0], String(i.test_name));
  const calls = recs.filter((x) => x.type === 'error' && x.kind === 'call');
  assert.deepEqual(calls.map((c) => [c.operation, c.calls]), [['send', 20], ['send', 20]]);
  assert.match(r.stderr, /the filesystem of --base-dir .* ran out of space \(ENOSPC\): 40 call\(s\) failed .*give --base-dir a larger tmpfs/);
  const at = [...r.stderr.matchAll(/^\[(\d+(?:\.\d+)?) s\] \d+\/\d+ cells/gm)].map((m) => Number(m[1]));
  assert.ok(at[at.length - 1]! - at[0]! < 10, 'the cell did not end in bounded time');
});
