import { statfsSync } from 'node:fs';

/** statfs(2) f_type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
const NAMES: Record<number, string> = { [TMPFS_MAGIC]: 'tmpfs', 0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs', 0x6969: 'nfs' };

export interface FsCheck {
  path: string;
  is_tmpfs: boolean;
  fs_type: string;
  free_bytes: number;
}

export function checkTmpfs(path: string): FsCheck {
  const s = statfsSync(path);
  return { path, is_tmpfs: s.type === TMPFS_MAGIC, fs_type: NAMES[s.type] ?? `0x${s.type.toString(16)}`, free_bytes: s.bavail * s.bsize };
}
