import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadShellConfig } from '../../../lib/drivers/shell/config.ts';
import { resolveOptions } from '../../../lib/config/options.ts';
import { UsageError } from '../../../lib/core/errors.ts';
import { EXAMPLE, tmpDir } from './helpers.ts';

const problemsOf = (dir: string, text: string) => {
  const f = join(dir, 'c.json');
  writeFileSync(f, text);
  return loadShellConfig(f).problems;
};

test('the example config loads', () => {
  const { config, problems } = loadShellConfig(EXAMPLE);
  assert.deepEqual(problems, []);
  assert.equal(config!.source.length, 2);
  assert.equal(config!.operations.send, 'send_message {from} {to} {payload}');
  assert.equal(config!.reject_status, 75);
});

test('bad configs: each problem names the key', () => {
  const t = tmpDir('cfg');
  try {
    writeFileSync(join(t.dir, 'lib.bash'), 'f() { :; }\n');
    assert.match(problemsOf(t.dir, '{ "source": [').join(), /not valid JSON/);
    const missing = problemsOf(t.dir, JSON.stringify({ source: ['lib.bash', 'nope.bash'], operations: { send: 'f {from} {to} {payload}', receive: 'f {agent}' } }));
    assert.equal(missing.length, 1);
    assert.match(missing[0]!, /source\[1\]: .*nope\.bash does not exist/);
    const noSend = problemsOf(t.dir, JSON.stringify({ source: ['lib.bash'], operations: { receive: 'f {agent}' } }));
    assert.match(noSend.join(), /operations\.send: missing/);
    const noRecv = problemsOf(t.dir, JSON.stringify({ source: ['lib.bash'], operations: { send: 'f' } }));
    assert.match(noRecv.join(), /operations\.receive: missing/);
    const unknown = problemsOf(t.dir, JSON.stringify({ source: ['lib.bash'], env: { X: '{nope}' }, operations: { send: 'f {form}', receive: 'f {payload}' } }));
    assert.equal(unknown.length, 3, unknown.join('\n'));
    assert.match(unknown.join('\n'), /env\.X: unknown placeholder \{nope\}/);
    assert.match(unknown.join('\n'), /operations\.send: unknown placeholder \{form\}/);
    assert.match(unknown.join('\n'), /operations\.receive: unknown placeholder \{payload\}/);
    const quoted = problemsOf(t.dir, JSON.stringify({ source: ['lib.bash'], operations: { send: "f '{payload}'", receive: 'f', bogus: 'x' } }));
    assert.match(quoted.join('\n'), /operations\.send: \{payload\} is inside single quotes/);
    assert.match(quoted.join('\n'), /operations\.bogus: unknown operation/);
  } finally {
    t.done();
  }
});

test('options: --driver shell needs a valid --driver-config; problems are a usage error (exit 2)', () => {
  const t = tmpDir('opt');
  try {
    const resolve = (flags: Record<string, unknown>) => resolveOptions({ flags: { _: [], ...flags }, env: {}, cores: 2, randomSeed: () => 1 });
    assert.throws(() => resolve({ driver: 'shell' }), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /--driver-config FILE/.test(e.message));
    assert.throws(() => resolve({ driver: 'bash' }), /--driver: unknown driver "bash"; choose from tmpfs, shell, nats, redis/);
    assert.throws(() => resolve({ 'driver-config': EXAMPLE }), /only used with --driver shell/);
    const bad = join(t.dir, 'bad.json');
    writeFileSync(bad, '{"source": []}');
    assert.throws(() => resolve({ driver: 'shell', 'driver-config': bad }), (e: unknown) => e instanceof UsageError && e.problems.some((p) => /source: missing or empty/.test(p)) && e.problems.some((p) => /operations: missing/.test(p)));
    assert.throws(() => resolve({ driver: 'shell', 'driver-config': EXAMPLE, 'op-timeout': '0' }), /--op-timeout: must be more than 0/);
    const ok = resolve({ driver: 'shell', 'driver-config': EXAMPLE, 'op-timeout': '2.5' }).options;
    assert.deepEqual(ok.drivers, ['shell']);
    const s = ok.driverSettings.shell as { opTimeoutS: number; config: { operations: Record<string, string> } };
    assert.equal(s.opTimeoutS, 2.5);
    assert.equal(s.config.operations.receive, 'receive_message {agent}');
  } finally {
    t.done();
  }
});
