import { Size } from 'cdk8s';
import { FsType } from './common';
import { kibibytes } from '../../core/units';
import { ProfileSpec, fsTypeIn, powerOfTwoKib, profileSpec } from '../private/profile-rules';

/** ZFS compression algorithms. */
export enum ZfsCompression {
  /** No compression. */
  OFF = 'off',
  /** ZFS's default algorithm. */
  ON = 'on',
  /** LZ4: fast, the usual choice. */
  LZ4 = 'lz4',
  /** Zstandard. */
  ZSTD = 'zstd',
  /** gzip. */
  GZIP = 'gzip',
  /** Zero-length encoding. */
  ZLE = 'zle',
  /** LZJB. */
  LZJB = 'lzjb',
}

/** Options of `StorageProfile.openebsZfs()`. */
export interface OpenEbsZfsOptions {
  /** The zpool on every node (`poolname`). */
  readonly poolName: string;
  /** FsType.ZFS for a dataset, or ext4/xfs/btrfs on a zvol. @default FsType.ZFS */
  readonly fsType?: FsType;
  /** Dataset record size, a power of two from 4 KiB to 1 MiB (datasets only). @default - ZFS default (128 KiB) */
  readonly recordSize?: Size;
  /** Zvol block size, a power of two from 4 KiB to 128 KiB (zvols only). @default - ZFS default */
  readonly volBlockSize?: Size;
  /** @default - ZFS default (off) */
  readonly compression?: ZfsCompression;
  /** @default false */
  readonly dedup?: boolean;
  /** @default false */
  readonly thinProvision?: boolean;
}

/** Parameters and rule checks of `StorageProfile.openebsZfs()`. */
export function openebsZfsProfile(options: OpenEbsZfsOptions): ProfileSpec {
  const p = 'openebsZfs';
  const problems: Array<string | undefined> = [];
  const fs = options.fsType ?? FsType.ZFS;
  if (!options.poolName) problems.push(`${p}: poolName is required; give the zpool name, e.g. 'zfspv-pool'`);
  problems.push(fsTypeIn(p, fs, [FsType.ZFS, FsType.EXT4, FsType.XFS, FsType.BTRFS]));
  if (options.recordSize !== undefined && fs !== FsType.ZFS) problems.push(`${p}: recordSize applies to ZFS datasets (fsType zfs) only; use volBlockSize for ${fs} on a zvol`);
  if (options.volBlockSize !== undefined && fs === FsType.ZFS) problems.push(`${p}: volBlockSize applies to zvols (fsType ext4, xfs or btrfs) only; use recordSize for a dataset`);
  problems.push(powerOfTwoKib(`${p}: recordSize`, options.recordSize, 4, 1024));
  problems.push(powerOfTwoKib(`${p}: volBlockSize`, options.volBlockSize, 4, 128));
  const parameters: { [key: string]: string } = { poolname: options.poolName, fstype: fs };
  if (options.recordSize !== undefined) parameters.recordsize = `${kibibytes(options.recordSize)}k`;
  if (options.volBlockSize !== undefined) parameters.volblocksize = `${kibibytes(options.volBlockSize)}k`;
  if (options.compression !== undefined) parameters.compression = options.compression;
  if (options.dedup !== undefined) parameters.dedup = options.dedup ? 'on' : 'off';
  if (options.thinProvision) parameters.thinprovision = 'yes';
  return profileSpec('StorageProfileOpenebsZfsInvalid', { provisioner: 'zfs.csi.openebs.io', parameters, supportsExpansion: true }, problems);
}
