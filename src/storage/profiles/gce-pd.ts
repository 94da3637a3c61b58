import { FsType } from './common';
import { FSTYPE, ProfileSpec, checkInt, fsTypeIn, profileSpec } from '../private/profile-rules';

/**
 * Google Compute Engine persistent disk and Hyperdisk types.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver
 */
export enum GcePdType {
  /** Standard (HDD) persistent disk. */
  PD_STANDARD = 'pd-standard',
  /** Balanced persistent disk (SSD). The default here. */
  PD_BALANCED = 'pd-balanced',
  /** Performance (SSD) persistent disk. */
  PD_SSD = 'pd-ssd',
  /** Extreme persistent disk (provisioned IOPS). */
  PD_EXTREME = 'pd-extreme',
  /** Hyperdisk Balanced (provisioned IOPS and throughput). */
  HYPERDISK_BALANCED = 'hyperdisk-balanced',
  /** Hyperdisk Throughput (provisioned throughput). */
  HYPERDISK_THROUGHPUT = 'hyperdisk-throughput',
  /** Hyperdisk Extreme (provisioned IOPS). */
  HYPERDISK_EXTREME = 'hyperdisk-extreme',
}

/** Options of `StorageProfile.gcePd()`. */
export interface GcePdOptions {
  /** @default GcePdType.PD_BALANCED */
  readonly type?: GcePdType;
  /**
   * Replicate each disk synchronously across two zones (`replication-type: regional-pd`);
   * pd-standard, pd-balanced and pd-ssd only.
   * @default false
   */
  readonly regional?: boolean;
  /**
   * IOPS provisioned at creation (pd-extreme, hyperdisk-balanced, hyperdisk-extreme).
   * @default - the type's default
   */
  readonly provisionedIops?: number;
  /**
   * Throughput in MiB/s provisioned at creation (hyperdisk-balanced, hyperdisk-throughput).
   * @default - the type's default
   */
  readonly provisionedThroughputMibps?: number;
  /**
   * Cloud KMS key (`projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`).
   * @default - Google-managed encryption
   */
  readonly kmsKey?: string;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/** Parameters and rule checks of `StorageProfile.gcePd()`. */
export function gcePdProfile(options: GcePdOptions): ProfileSpec {
  const p = 'gcePd';
  const type = options.type ?? GcePdType.PD_BALANCED;
  const problems: Array<string | undefined> = [];
  const regionalTypes = [GcePdType.PD_STANDARD, GcePdType.PD_BALANCED, GcePdType.PD_SSD];
  if (options.regional && !regionalTypes.includes(type)) {
    problems.push(`${p}: regional (replication-type regional-pd) is available for pd-standard, pd-balanced and pd-ssd only, not ${type}`);
  }
  const iopsTypes = [GcePdType.PD_EXTREME, GcePdType.HYPERDISK_BALANCED, GcePdType.HYPERDISK_EXTREME];
  if (options.provisionedIops !== undefined) {
    problems.push(iopsTypes.includes(type)
      ? checkInt(`${p}: provisionedIops`, options.provisionedIops, 1, 350000)
      : `${p}: provisionedIops applies to ${iopsTypes.join(', ')} only, not ${type}`);
  }
  const tputTypes = [GcePdType.HYPERDISK_BALANCED, GcePdType.HYPERDISK_THROUGHPUT];
  if (options.provisionedThroughputMibps !== undefined) {
    problems.push(tputTypes.includes(type)
      ? checkInt(`${p}: provisionedThroughputMibps`, options.provisionedThroughputMibps, 1, 10000)
      : `${p}: provisionedThroughputMibps applies to ${tputTypes.join(', ')} only, not ${type}`);
  }
  if (options.kmsKey !== undefined && !/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/.test(options.kmsKey)) {
    problems.push(`${p}: kmsKey '${options.kmsKey}' must look like 'projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>'`);
  }
  problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS, FsType.EXT3]));
  const parameters: { [key: string]: string } = { type };
  if (options.regional) parameters['replication-type'] = 'regional-pd';
  if (options.provisionedIops !== undefined) parameters['provisioned-iops-on-create'] = String(options.provisionedIops);
  if (options.provisionedThroughputMibps !== undefined) parameters['provisioned-throughput-on-create'] = `${options.provisionedThroughputMibps}Mi`;
  if (options.kmsKey !== undefined) parameters['disk-encryption-kms-key'] = options.kmsKey;
  parameters[FSTYPE] = options.fsType ?? FsType.EXT4;
  return profileSpec('StorageProfileGcePdInvalid', { provisioner: 'pd.csi.storage.gke.io', parameters, supportsExpansion: true, zoneTopologyKey: 'topology.gke.io/zone' }, problems, { minZones: options.regional ? 2 : 1 });
}
