import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redis } from '../../../lib/drivers/redis/index.ts';
import { driverSettings } from '../servers.ts';

/** Raw flag values through the flags' parsers and settings(), as the options pipeline does. */
function settingsOf(v: Record<string, string>, problems: string[]) {
  const r = driverSettings(redis, v);
  problems.push(...r.problems);
  return r.s;
}

test('settings: defaults are a private server with persistence off', () => {
  const problems: string[] = [];
  assert.deepEqual(settingsOf({}, problems), { url: null, serverBin: 'redis-server', persistence: 'off' });
  assert.deepEqual(problems, []);
});

test('settings: redis:// and rediss:// URLs with a password and a database are accepted', () => {
  for (const url of ['redis://127.0.0.1:6379', 'redis://:secret@127.0.0.1:6380/2', 'rediss://user:pw@localhost:6390/0', 'redis://localhost']) {
    const problems: string[] = [];
    assert.equal(settingsOf({ url }, problems)?.url, url, url);
    assert.deepEqual(problems, [], url);
  }
});

test('settings: every bad value is reported at once, naming the flag and the fix', () => {
  const problems: string[] = [];
  const s = settingsOf({ url: 'http://127.0.0.1:6379', serverBin: '  ', persistence: 'sometimes' }, problems);
  assert.equal(s, null);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /^--redis-url: .*scheme http, not redis or rediss; use e\.g\. --redis-url redis:\/\//);
  assert.match(problems[1]!, /^--redis-server: empty; name the redis-server binary/);
  assert.match(problems[2]!, /^--redis-persistence: "sometimes" .*choose from off, rdb, aof/);
});

test('settings: a path other than a database number, a query, or no URL at all are refused', () => {
  for (const [url, why] of [
    ['redis://127.0.0.1:6379/queue', /only path allowed is a database number/],
    ['redis://127.0.0.1:6379/?db=1', /query or fragment/],
    ['127.0.0.1:6379', /scheme|not a URL/],
    ['not a url', /is not a URL/],
  ] as const) {
    const problems: string[] = [];
    assert.equal(settingsOf({ url }, problems), null, url);
    assert.match(problems[0] ?? '', why, url);
    assert.match(problems[0] ?? '', /^--redis-url: /, url);
  }
});

test('settings: persistence on a user server is a contradiction', () => {
  const problems: string[] = [];
  assert.equal(settingsOf({ url: 'redis://127.0.0.1:6379', persistence: 'aof' }, problems), null);
  assert.match(problems[0]!, /--redis-persistence: applies only to the private server/);
});
