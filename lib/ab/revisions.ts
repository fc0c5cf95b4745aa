/**
 * A bash library at a git revision (busbench ab --a-rev/--b-rev): the revision is checked before
 * anything runs, then its tree is written with `git archive` into the run directory, where the
 * variant's driver config is read from. Nothing in the user's checkout or its .git is written:
 * no worktree, no checkout, no index change.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface Revision {
  /** The repository's top directory. */
  repo: string;
  /** As given (branch, tag, commit…) and the commit it names. */
  rev: string;
  sha: string;
  /** The driver config's path inside the repository. */
  configPath: string;
}

function git(cwd: string, args: string[], input?: Buffer): Buffer {
  return execFileSync('git', ['-C', cwd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30, ...(input ? { input } : {}) });
}

/** The top of the git repository holding `file`, or null after a problem naming `flag`. */
export function findRepo(file: string, flag: string, problems: string[]): string | null {
  try {
    return git(dirname(file), ['rev-parse', '--show-toplevel']).toString().trim();
  } catch {
    problems.push(`${flag}: ${file} is not inside a git repository, so it has no revisions; give --driver-config a file in the repository of your library`);
    return null;
  }
}

/** The commit `rev` names in `repo`, with the config at that commit; null after a problem naming `flag`. */
export function resolveRevision(repo: string, rev: string, configFile: string, flag: string, problems: string[]): Revision | null {
  let sha: string;
  try {
    sha = git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]).toString().trim();
  } catch {
    problems.push(`${flag}: no commit "${rev}" in the repository at ${repo}; give a branch, tag or commit that exists there (see git log)`);
    return null;
  }
  const configPath = relative(repo, configFile);
  try {
    git(repo, ['cat-file', '-e', `${sha}:${configPath}`]);
  } catch {
    problems.push(`${flag}: revision "${rev}" (${sha.slice(0, 12)}) has no ${configPath}; give a revision in which the driver config exists`);
    return null;
  }
  return { repo, rev, sha, configPath };
}

/** Writes the revision's tree into `dest` (created); returns the driver config's path there. */
export function materialise(r: Revision, dest: string): string {
  mkdirSync(dest, { recursive: true });
  const tar = git(r.repo, ['archive', '--format=tar', r.sha]);
  execFileSync('tar', ['-x', '-f', '-', '-C', dest], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
  const config = join(dest, r.configPath);
  if (!existsSync(config)) throw new Error(`git archive of ${r.sha.slice(0, 12)} wrote no ${r.configPath} into ${dest}`);
  return config;
}
