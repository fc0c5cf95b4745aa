/**
 * What a soak samples, every interval: the resident memory of each kind of process (the harness,
 * its workers, their agent shells, a server busbench started: lib/measure/lifecycle.ts), and
 * per config the bytes and files below its bus directory and the size of every file in it that
 * lasts (the metrics file, heartbeat files; message files come and go and are not followed).
 * Memory is bounded by the number of samples, never by the traffic: a file seen once is forgotten
 * when it goes, and at most MAX_FILES files are followed per config.
 */
import { relative } from 'node:path';
import { eachFile } from '../measure/dirsize.ts';
import { PROCESS_KINDS, rssByKind, type ProcessKind } from '../measure/lifecycle.ts';


export type Point = [number, number];

/** One config's bus directory, and names in it that are the harness's own (a driver's logs). */
export interface Watched {
  /** The config, or null for a bus directory shared by every config (a broker's store). */
  config: string | null;
  dir: string;
  ignore: readonly string[];
}

interface FileSeries {
  points: Point[];
  /** The sample it was last seen in. */
  last: number;
}

export const MAX_FILES = 200;

export interface SoakSeries {
  resource: 'rss' | `rss_${ProcessKind}` | 'tmpfs' | 'tmpfs_files' | 'file';
  config: string | null;
  path: string | null;
  unit: 'bytes' | 'files';
  points: Point[];
}

export class SoakSampler {
  private n = 0;
  private readonly rss = new Map<ProcessKind | 'all', Point[]>();
  private readonly bytes = new Map<Watched, Point[]>();
  private readonly files = new Map<Watched, Point[]>();
  private readonly followed = new Map<Watched, Map<string, FileSeries>>();
  /** Files not followed because MAX_FILES were already, per config. */
  readonly dropped = new Map<string | null, number>();

  constructor(
    private readonly pids: () => { harness: number[]; workers: number[]; server: number[] },
    private readonly watched: readonly Watched[],
  ) {
    for (const k of ['all', ...PROCESS_KINDS] as const) this.rss.set(k, []);
    for (const w of watched) {
      this.bytes.set(w, []);
      this.files.set(w, []);
      this.followed.set(w, new Map());
    }
  }

  get samples(): number {
    return this.n;
  }

  /** One sample at `tS` seconds into the soak (synchronous: /proc and the directories). */
  sample(tS: number): void {
    const p = this.pids();
    const mb = rssByKind({ harness: p.harness[0]!, workers: p.workers, server: p.server });
    let all = 0;
    for (const k of PROCESS_KINDS) {
      const bytes = Math.round((mb[k] ?? 0) * 1048576);
      this.rss.get(k)!.push([tS, bytes]);
      all += bytes;
    }
    this.rss.get('all')!.push([tS, all]);
    for (const w of this.watched) {
      const seen = walk(w.dir, w.ignore);
      let total = 0;
      const followed = this.followed.get(w)!;
      for (const [path, size] of seen) {
        total += size;
        const rel = relative(w.dir, path);
        let f = followed.get(rel);
        if (!f) {
          if (followed.size >= MAX_FILES) {
            this.dropped.set(w.config, (this.dropped.get(w.config) ?? 0) + 1);
            continue;
          }
          f = { points: [], last: this.n };
          followed.set(rel, f);
        }
        f.points.push([tS, size]);
        f.last = this.n;
      }
      // A file seen in one sample only and gone now was a message: forget it.
      for (const [rel, f] of followed) if (f.last !== this.n && f.points.length < 2) followed.delete(rel);
      this.bytes.get(w)!.push([tS, total]);
      this.files.get(w)!.push([tS, seen.size]);
    }
    this.n++;
  }

  /** Every series: RSS per kind of process (kinds with no process left out), bytes and files per directory, each lasting file. */
  series(): SoakSeries[] {
    const out: SoakSeries[] = [{ resource: 'rss', config: null, path: null, unit: 'bytes', points: this.rss.get('all')! }];
    for (const k of PROCESS_KINDS) {
      const pts = this.rss.get(k)!;
      if (pts.some((x) => x[1] > 0)) out.push({ resource: `rss_${k}`, config: null, path: null, unit: 'bytes', points: pts });
    }
    for (const w of this.watched) {
      out.push({ resource: 'tmpfs', config: w.config, path: null, unit: 'bytes', points: this.bytes.get(w)! });
      out.push({ resource: 'tmpfs_files', config: w.config, path: null, unit: 'files', points: this.files.get(w)! });
      // A lasting file: there at the last sample and seen in three samples at least.
      for (const [rel, f] of this.followed.get(w)!) {
        if (f.last === this.n - 1 && f.points.length >= 3) out.push({ resource: 'file', config: w.config, path: rel, unit: 'bytes', points: f.points });
      }
    }
    return out;
  }
}

/** Files below dir with their sizes. */
function walk(root: string, skip: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  eachFile(root, skip, (path, size) => out.set(path, size));
  return out;
}
