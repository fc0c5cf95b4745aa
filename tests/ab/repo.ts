// A real git repository holding a copy of the example bash library (lib/drivers/shell/example/),
// with two commits: the library as shipped, then the same with one extra command in its send.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

export const PUBLISH = '  _bus_publish "$BUS_ROOT/tmp/$id.tmp" "$inbox/$name"\n';

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.email=test@busbench', '-c', 'user.name=busbench test', ...args], { encoding: 'utf8' }).trim();

/** Makes the repository in `dir`; returns the two commits and the driver config's path. */
export function exampleRepo(dir: string, extra: string): { config: string; base: string; changed: string; git: (...a: string[]) => string } {
  const example = join(ROOT, 'lib/drivers/shell/example');
  for (const f of ['bus.bash', 'layers.bash', 'busbench.json']) copyFileSync(join(example, f), join(dir, f));
  execFileSync('git', ['init', '-q', dir]);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'the example library');
  const base = git(dir, 'rev-parse', 'HEAD');
  const bus = readFileSync(join(dir, 'bus.bash'), 'utf8');
  if (!bus.includes(PUBLISH)) throw new Error('the example send_message no longer ends with the publish line this test edits');
  writeFileSync(join(dir, 'bus.bash'), bus.replace(PUBLISH, `  ${extra}\n${PUBLISH}`));
  git(dir, 'commit', '-qam', 'one extra command in send_message');
  const changed = git(dir, 'rev-parse', 'HEAD');
  return { config: join(dir, 'busbench.json'), base, changed, git: (...a) => git(dir, ...a) };
}
