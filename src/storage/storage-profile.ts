import { Duration, Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { checkInt, isSubdomain, kibibytes, wholeMinutes } from './private/validate';

/** Filesystem a driver formats a Filesystem-mode volume with (`csi.storage.k8s.io/fstype`). */
export enum FsType {
  /** ext4: every driver's default. */
  EXT4 = 'ext4',
  /** XFS: preferred by many databases (e.g. MongoDB, ScyllaDB). */
  XFS = 'xfs',
  /** ext3. */
  EXT3 = 'ext3',
  /** Btrfs (OpenEBS LVM/ZFS, TopoLVM). */
  BTRFS = 'btrfs',
  /** A ZFS dataset (OpenEBS ZFS only). */
  ZFS = 'zfs',
}

/**
 * AWS EBS volume types.
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
 */
export enum EbsVolumeType {
  /** General purpose SSD, baseline 3000 IOPS / 125 MiB/s, provisionable. The driver default. */
  GP3 = 'gp3',
  /** Previous-generation general purpose SSD (IOPS scale with size). */
  GP2 = 'gp2',
  /** Provisioned IOPS SSD. Needs `iops` or `iopsPerGb`. */
  IO1 = 'io1',
  /** Provisioned IOPS SSD (Block Express). Needs `iops` or `iopsPerGb`. */
  IO2 = 'io2',
  /** Throughput-optimized HDD. */
  ST1 = 'st1',
  /** Cold HDD. */
  SC1 = 'sc1',
}

/** Options of `StorageProfile.awsEbs()`. */
export interface AwsEbsOptions {
  /** @default EbsVolumeType.GP3 */
  readonly type?: EbsVolumeType;
  /**
   * Provisioned IOPS of every volume: gp3 3000–80000, io1 100–64000, io2 100–256000.
   * @default - the type's baseline (gp3: 3000)
   */
  readonly iops?: number;
  /**
   * IOPS per GiB of the requested size (gp3, io1, io2); the alternative to `iops`.
   * @default - not set
   */
  readonly iopsPerGb?: number;
  /**
   * Throughput in MiB/s, gp3 only: 125–2000.
   * @default - 125 (the gp3 baseline)
   */
  readonly throughputMibps?: number;
  /**
   * Encrypt volumes at rest.
   * @default true
   */
  readonly encrypted?: boolean;
  /**
   * Full ARN of the KMS key that encrypts the volumes (`arn:aws:kms:<region>:<account>:key/<id>`).
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

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

/**
 * Azure managed disk SKUs.
 * @see https://github.com/kubernetes-sigs/azuredisk-csi-driver/blob/master/docs/driver-parameters.md
 */
export enum AzureDiskSku {
  /** Standard SSD, locally redundant. The driver default. */
  STANDARD_SSD_LRS = 'StandardSSD_LRS',
  /** Standard SSD, zone redundant. */
  STANDARD_SSD_ZRS = 'StandardSSD_ZRS',
  /** Standard HDD. */
  STANDARD_LRS = 'Standard_LRS',
  /** Premium SSD, locally redundant. */
  PREMIUM_LRS = 'Premium_LRS',
  /** Premium SSD, zone redundant. */
  PREMIUM_ZRS = 'Premium_ZRS',
  /** Premium SSD v2 (provisioned IOPS/throughput; host caching must be None). */
  PREMIUM_V2_LRS = 'PremiumV2_LRS',
  /** Ultra Disk (provisioned IOPS/throughput; host caching must be None). */
  ULTRA_SSD_LRS = 'UltraSSD_LRS',
}

/** Azure disk host caching. */
export enum AzureCachingMode {
  /** No host caching: required by PremiumV2_LRS and UltraSSD_LRS, and for disks of 4 TiB and more. */
  NONE = 'None',
  /** Read caching: the driver default. */
  READ_ONLY = 'ReadOnly',
  /** Read-write caching (risks data loss on host failure for databases). */
  READ_WRITE = 'ReadWrite',
}

/** Options of `StorageProfile.azureDisk()`. */
export interface AzureDiskOptions {
  /** @default AzureDiskSku.STANDARD_SSD_LRS */
  readonly sku?: AzureDiskSku;
  /** @default - the driver's default (ReadOnly), or None for PremiumV2_LRS and UltraSSD_LRS */
  readonly cachingMode?: AzureCachingMode;
  /** `DiskIOPSReadWrite`, PremiumV2_LRS (3000–80000) and UltraSSD_LRS only. @default - the SKU's baseline */
  readonly iops?: number;
  /** `DiskMBpsReadWrite`, PremiumV2_LRS (125–1200) and UltraSSD_LRS only. @default - the SKU's baseline */
  readonly throughputMbps?: number;
  /**
   * Resource id of a disk encryption set (customer-managed keys):
   * `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/diskEncryptionSets/<name>`.
   * @default - platform-managed keys
   */
  readonly diskEncryptionSetId?: string;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/** A Secret by name and namespace (CSI driver credentials). */
export interface SecretReference {
  /** Secret name. */
  readonly name: string;
  /** Secret namespace. */
  readonly namespace: string;
}

/** RBD image features Ceph CSI can enable. */
export enum RbdImageFeature {
  /** Copy-on-write cloning (required). */
  LAYERING = 'layering',
  /** Exclusive lock (needed by object-map, journaling). */
  EXCLUSIVE_LOCK = 'exclusive-lock',
  /** Object map (needs exclusive-lock). */
  OBJECT_MAP = 'object-map',
  /** Fast diff (needs object-map). */
  FAST_DIFF = 'fast-diff',
  /** Deep flatten. */
  DEEP_FLATTEN = 'deep-flatten',
  /** Journaling, for RBD mirroring (needs exclusive-lock). */
  JOURNALING = 'journaling',
}

/** Options of `StorageProfile.cephRbd()`. */
export interface CephRbdOptions {
  /** The RBD pool that stores the images. */
  readonly pool: string;
  /**
   * Namespace of the Rook operator: the provisioner is `<namespace>.rbd.csi.ceph.com`.
   * @default 'rook-ceph'
   */
  readonly operatorNamespace?: string;
  /**
   * Ceph cluster id (with Rook: the CephCluster's namespace).
   * @default 'rook-ceph'
   */
  readonly clusterId?: string;
  /** Erasure-coded data pool, with `pool` holding the metadata. @default - none */
  readonly dataPool?: string;
  /** @default [RbdImageFeature.LAYERING] */
  readonly imageFeatures?: RbdImageFeature[];
  /** @default - Secret `rook-csi-rbd-provisioner` in the cluster id namespace */
  readonly provisionerSecret?: SecretReference;
  /** @default - the provisioner secret */
  readonly controllerExpandSecret?: SecretReference;
  /** @default - Secret `rook-csi-rbd-node` in the cluster id namespace */
  readonly nodeStageSecret?: SecretReference;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/**
 * Where Longhorn keeps a replica relative to the pod.
 * @see https://longhorn.io/docs/latest/references/storage-class-parameters/
 */
export enum LonghornDataLocality {
  /** Replicas anywhere. */
  DISABLED = 'disabled',
  /** Try to keep one replica on the pod's node. */
  BEST_EFFORT = 'best-effort',
  /** Keep the only replica on the pod's node (requires 1 replica). */
  STRICT_LOCAL = 'strict-local',
}

/** Options of `StorageProfile.longhorn()`. */
export interface LonghornOptions {
  /** `numberOfReplicas`, 1–20. @default 3 */
  readonly replicas?: number;
  /** @default LonghornDataLocality.DISABLED */
  readonly dataLocality?: LonghornDataLocality;
  /** How long a failed replica may stay before Longhorn removes it (whole minutes). @default - Longhorn's default */
  readonly staleReplicaTimeout?: Duration;
  /** Place replicas only on disks with these Longhorn disk tags. @default - any disk */
  readonly diskSelector?: string[];
  /** Place replicas only on nodes with these Longhorn node tags. @default - any node */
  readonly nodeSelector?: string[];
  /**
   * Encrypt volumes with the passphrase in this Secret (`CRYPTO_KEY_VALUE`...), passed as the
   * provisioner, node-publish, node-stage and node-expand secret (expansion needs the key).
   * @default - not encrypted
   */
  readonly encryptionSecret?: SecretReference;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/** Options of `StorageProfile.openebsLvm()`. Set exactly one of volumeGroup and volumeGroupPattern. */
export interface OpenEbsLvmOptions {
  /** LVM volume group on every node (`volgroup`). @default - none */
  readonly volumeGroup?: string;
  /** Regular expression of volume groups to choose from (`vgpattern`). @default - none */
  readonly volumeGroupPattern?: string;
  /** Thin-provisioned logical volumes. @default false */
  readonly thinProvision?: boolean;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

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

/** Options of `StorageProfile.topolvm()`. */
export interface TopolvmOptions {
  /** TopoLVM device class (`topolvm.io/device-class`). @default - the default device class */
  readonly deviceClass?: string;
  /** @default FsType.XFS */
  readonly fsType?: FsType;
}

/** Options of `StorageProfile.ondat()`. */
export interface OndatOptions {
  /** Replicas of each volume besides the primary, 0–5 (`storageos.com/replicas`). @default 1 */
  readonly replicas?: number;
  /** Encrypt volumes at rest (`storageos.com/encryption`). @default false */
  readonly encryption?: boolean;
  /**
   * Compress data. Ondat's key is `storageos.com/nocompress` (there is no `compression` key), so
   * `compression: false` writes `nocompress: "true"`.
   * @default - Ondat's default
   */
  readonly compression?: boolean;
  /** Spread replicas over failure domains (`storageos.com/topology-aware`). @default false */
  readonly topologyAware?: boolean;
  /** API credentials. @default - Secret `storageos-api` in namespace `storageos` */
  readonly apiSecret?: SecretReference;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/** Options of `StorageProfile.custom()`. */
export interface CustomProfileOptions {
  /** Topology key the driver reports zones under, for `zones`. @default - the class cannot take zones */
  readonly zoneTopologyKey?: string;
  /** Whether the driver can expand volumes. @default true */
  readonly supportsExpansion?: boolean;
}

/** What a profile resolves to, for a StorageClass. */
export interface StorageProfileConfig {
  /** CSI driver (provisioner) name. */
  readonly provisioner: string;
  /** StorageClass parameters. */
  readonly parameters: { [key: string]: string };
  /** Whether the driver can expand volumes. */
  readonly supportsExpansion: boolean;
  /** Topology key of zones. @default - the driver takes no zones */
  readonly zoneTopologyKey?: string;
}

const ZONE = 'topology.kubernetes.io/zone';
const FSTYPE = 'csi.storage.k8s.io/fstype';
/** The provisioner of hand-made local PersistentVolumes. */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

function fsTypeIn(profile: string, fs: FsType | undefined, allowed: FsType[]): string | undefined {
  if (fs !== undefined && !allowed.includes(fs)) {
    return `${profile}: fsType '${fs}' is not supported by this driver; use one of ${allowed.join(', ')}`;
  }
  return undefined;
}

/**
 * What the API server accepts as `StorageClass.provisioner`: a qualified name of the lower-cased
 * value (ValidateStorageClass → validateProvisioner → ValidateQualifiedName), so CSI names
 * (`ebs.csi.aws.com`) and external provisioners with a prefix (`rancher.io/local-path`,
 * `openebs.io/local`, `k8s-sigs.io/nfs-subdir-external-provisioner`) are both valid.
 */
function isProvisionerName(provisioner: string): boolean {
  const parts = provisioner.toLowerCase().split('/');
  if (parts.length > 2) return false;
  const name = parts.pop()!;
  if (parts.length === 1 && !isSubdomain(parts[0])) return false;
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(name);
}

function secretParams(prefix: string, s: SecretReference): { [key: string]: string } {
  return { [`${prefix}-name`]: s.name, [`${prefix}-namespace`]: s.namespace };
}

function powerOfTwoKib(what: string, size: Size | undefined, minKib: number, maxKib: number): string | undefined {
  if (size === undefined) return undefined;
  const k = kibibytes(size);
  if (!Number.isInteger(k) || k < minKib || k > maxKib || !Number.isInteger(Math.log2(k))) {
    return `${what} must be a power of two from ${minKib}Ki to ${maxKib}Ki, e.g. Size.kibibytes(128)`;
  }
  return undefined;
}

/**
 * Which driver a StorageClass provisions with and how, with the driver's parameters typed and
 * validated against its documented rules.
 */
export class StorageProfile {
  /**
   * AWS EBS (`ebs.csi.aws.com`).
   * @see https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md
   */
  public static awsEbs(options: AwsEbsOptions = {}): StorageProfile {
    const p = 'awsEbs';
    const type = options.type ?? EbsVolumeType.GP3;
    const problems: Array<string | undefined> = [];
    const provisioned = [EbsVolumeType.GP3, EbsVolumeType.IO1, EbsVolumeType.IO2];
    if (options.iops !== undefined && options.iopsPerGb !== undefined) {
      problems.push(`${p}: set either iops (${options.iops}) or iopsPerGb (${options.iopsPerGb}), not both`);
    }
    if ((options.iops !== undefined || options.iopsPerGb !== undefined) && !provisioned.includes(type)) {
      problems.push(`${p}: ${type} volumes do not take provisioned IOPS; use gp3, io1 or io2, or leave iops out`);
    }
    if ((type === EbsVolumeType.IO1 || type === EbsVolumeType.IO2) && options.iops === undefined && options.iopsPerGb === undefined) {
      problems.push(`${p}: ${type} volumes need provisioned IOPS; set iops (e.g. 10000) or iopsPerGb`);
    }
    // Ranges: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
    if (type === EbsVolumeType.GP3) problems.push(checkInt(`${p}: gp3 iops`, options.iops, 3000, 80000));
    if (type === EbsVolumeType.IO1) problems.push(checkInt(`${p}: io1 iops`, options.iops, 100, 64000));
    if (type === EbsVolumeType.IO2) problems.push(checkInt(`${p}: io2 iops`, options.iops, 100, 256000));
    if (type === EbsVolumeType.GP3) problems.push(checkInt(`${p}: gp3 iopsPerGb`, options.iopsPerGb, 1, 500));
    if (type === EbsVolumeType.IO1) problems.push(checkInt(`${p}: io1 iopsPerGb`, options.iopsPerGb, 1, 50));
    if (type === EbsVolumeType.IO2) problems.push(checkInt(`${p}: io2 iopsPerGb`, options.iopsPerGb, 1, 1000));
    if (options.throughputMibps !== undefined) {
      problems.push(type === EbsVolumeType.GP3
        ? checkInt(`${p}: gp3 throughputMibps`, options.throughputMibps, 125, 2000)
        : `${p}: throughputMibps applies to gp3 only, not ${type}; leave it out`);
    }
    if (options.kmsKeyId !== undefined) {
      if (options.encrypted === false) problems.push(`${p}: kmsKeyId is set but encrypted is false; drop kmsKeyId or set encrypted: true`);
      if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/.test(options.kmsKeyId)) {
        problems.push(`${p}: kmsKeyId '${options.kmsKeyId}' must be a full KMS key ARN, e.g. 'arn:aws:kms:eu-west-1:123456789012:key/<key-id>'`);
      }
    }
    problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS, FsType.EXT3]));
    const parameters: { [key: string]: string } = { type, encrypted: String(options.encrypted ?? true) };
    if (options.iops !== undefined) parameters.iops = String(options.iops);
    if (options.iopsPerGb !== undefined) parameters.iopsPerGB = String(options.iopsPerGb);
    if (options.throughputMibps !== undefined) parameters.throughput = String(options.throughputMibps);
    if (options.kmsKeyId !== undefined) parameters.kmsKeyId = options.kmsKeyId;
    parameters[FSTYPE] = options.fsType ?? FsType.EXT4;
    return new StorageProfile({ provisioner: 'ebs.csi.aws.com', parameters, supportsExpansion: true, zoneTopologyKey: ZONE }, problems);
  }

  /**
   * Google Compute Engine persistent disk and Hyperdisk (`pd.csi.storage.gke.io`).
   * @see https://github.com/kubernetes-sigs/gcp-compute-persistent-disk-csi-driver#createvolume-parameters
   */
  public static gcePd(options: GcePdOptions = {}): StorageProfile {
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
    return new StorageProfile({ provisioner: 'pd.csi.storage.gke.io', parameters, supportsExpansion: true, zoneTopologyKey: 'topology.gke.io/zone' }, problems, options.regional ? 2 : 1);
  }

  /**
   * Azure managed disks (`disk.csi.azure.com`).
   * @see https://github.com/kubernetes-sigs/azuredisk-csi-driver/blob/master/docs/driver-parameters.md
   */
  public static azureDisk(options: AzureDiskOptions = {}): StorageProfile {
    const p = 'azureDisk';
    const sku = options.sku ?? AzureDiskSku.STANDARD_SSD_LRS;
    const problems: Array<string | undefined> = [];
    const provisioned = [AzureDiskSku.PREMIUM_V2_LRS, AzureDiskSku.ULTRA_SSD_LRS];
    const isProvisioned = provisioned.includes(sku);
    if (isProvisioned && options.cachingMode !== undefined && options.cachingMode !== AzureCachingMode.NONE) {
      problems.push(`${p}: ${sku} does not support host caching; set cachingMode to AzureCachingMode.NONE (got ${options.cachingMode})`);
    }
    for (const [k, v] of [['iops', options.iops], ['throughputMbps', options.throughputMbps]] as const) {
      if (v !== undefined && !isProvisioned) problems.push(`${p}: ${k} applies to PremiumV2_LRS and UltraSSD_LRS only, not ${sku}`);
    }
    if (sku === AzureDiskSku.PREMIUM_V2_LRS) {
      problems.push(checkInt(`${p}: PremiumV2_LRS iops`, options.iops, 3000, 80000));
      problems.push(checkInt(`${p}: PremiumV2_LRS throughputMbps`, options.throughputMbps, 125, 1200));
    }
    if (sku === AzureDiskSku.ULTRA_SSD_LRS) {
      problems.push(checkInt(`${p}: UltraSSD_LRS iops`, options.iops, 100, 400000));
      problems.push(checkInt(`${p}: UltraSSD_LRS throughputMbps`, options.throughputMbps, 1, 10000));
    }
    if (options.diskEncryptionSetId !== undefined &&
      !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/diskEncryptionSets\/[^/]+$/i.test(options.diskEncryptionSetId)) {
      problems.push(`${p}: diskEncryptionSetId '${options.diskEncryptionSetId}' must be a resource id '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/diskEncryptionSets/<name>'`);
    }
    problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS, FsType.EXT3, FsType.BTRFS]));
    const parameters: { [key: string]: string } = { skuName: sku };
    const caching = options.cachingMode ?? (isProvisioned ? AzureCachingMode.NONE : undefined);
    if (caching !== undefined) parameters.cachingMode = caching;
    if (options.iops !== undefined) parameters.DiskIOPSReadWrite = String(options.iops);
    if (options.throughputMbps !== undefined) parameters.DiskMBpsReadWrite = String(options.throughputMbps);
    if (options.diskEncryptionSetId !== undefined) parameters.diskEncryptionSetID = options.diskEncryptionSetId;
    parameters[FSTYPE] = options.fsType ?? FsType.EXT4;
    return new StorageProfile({ provisioner: 'disk.csi.azure.com', parameters, supportsExpansion: true, zoneTopologyKey: 'topology.disk.csi.azure.com/zone' }, problems);
  }

  /**
   * Rook Ceph RBD block images (`<operator namespace>.rbd.csi.ceph.com`).
   * @see https://rook.io/docs/rook/latest/Storage-Configuration/Block-Storage-RBD/block-storage/
   */
  public static cephRbd(options: CephRbdOptions): StorageProfile {
    const p = 'cephRbd';
    const problems: Array<string | undefined> = [];
    const operatorNs = options.operatorNamespace ?? 'rook-ceph';
    const clusterId = options.clusterId ?? 'rook-ceph';
    if (!isSubdomain(operatorNs, 63)) problems.push(`${p}: operatorNamespace '${operatorNs}' is not a namespace name; use the namespace the Rook operator runs in, e.g. 'rook-ceph'`);
    if (!options.pool) problems.push(`${p}: pool is required; give the CephBlockPool name, e.g. 'replicapool'`);
    if (!clusterId) problems.push(`${p}: clusterId must not be empty; with Rook it is the CephCluster namespace, e.g. 'rook-ceph'`);
    const features = options.imageFeatures ?? [RbdImageFeature.LAYERING];
    if (!features.includes(RbdImageFeature.LAYERING)) problems.push(`${p}: imageFeatures must include 'layering' (Ceph CSI needs it for clones and snapshots)`);
    const needsLock = [RbdImageFeature.OBJECT_MAP, RbdImageFeature.JOURNALING].filter((f) => features.includes(f));
    if (needsLock.length && !features.includes(RbdImageFeature.EXCLUSIVE_LOCK)) {
      problems.push(`${p}: imageFeatures ${needsLock.join(', ')} need 'exclusive-lock'; add RbdImageFeature.EXCLUSIVE_LOCK`);
    }
    if (features.includes(RbdImageFeature.FAST_DIFF) && !features.includes(RbdImageFeature.OBJECT_MAP)) {
      problems.push(`${p}: imageFeature 'fast-diff' needs 'object-map'; add RbdImageFeature.OBJECT_MAP`);
    }
    problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS]));
    const provisionerSecret = options.provisionerSecret ?? { name: 'rook-csi-rbd-provisioner', namespace: clusterId };
    const parameters: { [key: string]: string } = {
      clusterID: clusterId,
      pool: options.pool,
      imageFormat: '2',
      imageFeatures: features.join(','),
      ...secretParams('csi.storage.k8s.io/provisioner-secret', provisionerSecret),
      ...secretParams('csi.storage.k8s.io/controller-expand-secret', options.controllerExpandSecret ?? provisionerSecret),
      ...secretParams('csi.storage.k8s.io/node-stage-secret', options.nodeStageSecret ?? { name: 'rook-csi-rbd-node', namespace: clusterId }),
      [FSTYPE]: options.fsType ?? FsType.EXT4,
    };
    if (options.dataPool) parameters.dataPool = options.dataPool;
    return new StorageProfile({ provisioner: `${operatorNs}.rbd.csi.ceph.com`, parameters, supportsExpansion: true }, problems);
  }

  /**
   * Longhorn (`driver.longhorn.io`).
   * @see https://longhorn.io/docs/latest/references/storage-class-parameters/
   */
  public static longhorn(options: LonghornOptions = {}): StorageProfile {
    const p = 'longhorn';
    const problems: Array<string | undefined> = [];
    const replicas = options.replicas ?? 3;
    const locality = options.dataLocality ?? LonghornDataLocality.DISABLED;
    problems.push(checkInt(`${p}: replicas`, replicas, 1, 20));
    if (locality === LonghornDataLocality.STRICT_LOCAL && replicas !== 1) {
      problems.push(`${p}: dataLocality strict-local keeps the only replica on the pod's node and requires replicas: 1, got ${replicas}`);
    }
    let staleMinutes: number | undefined;
    if (options.staleReplicaTimeout !== undefined) {
      staleMinutes = wholeMinutes(options.staleReplicaTimeout);
      if (staleMinutes === undefined) problems.push(`${p}: staleReplicaTimeout must be a whole number of minutes ≥ 1, e.g. Duration.minutes(30)`);
    }
    problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS]));
    const parameters: { [key: string]: string } = {
      numberOfReplicas: String(replicas),
      dataLocality: locality,
      fsType: options.fsType ?? FsType.EXT4,
    };
    if (staleMinutes !== undefined) parameters.staleReplicaTimeout = String(staleMinutes);
    if (options.diskSelector?.length) parameters.diskSelector = options.diskSelector.join(',');
    if (options.nodeSelector?.length) parameters.nodeSelector = options.nodeSelector.join(',');
    if (options.encryptionSecret) {
      parameters.encrypted = 'true';
      Object.assign(parameters,
        secretParams('csi.storage.k8s.io/provisioner-secret', options.encryptionSecret),
        secretParams('csi.storage.k8s.io/node-publish-secret', options.encryptionSecret),
        secretParams('csi.storage.k8s.io/node-stage-secret', options.encryptionSecret),
        // The kubelet needs the key to resize the LUKS device when an encrypted volume grows
        // (CSINodeExpandSecret, beta and on in 1.27+); Longhorn's volume-encryption docs list it.
        secretParams('csi.storage.k8s.io/node-expand-secret', options.encryptionSecret));
    }
    return new StorageProfile({ provisioner: 'driver.longhorn.io', parameters, supportsExpansion: true }, problems);
  }

  /**
   * OpenEBS LVM LocalPV (`local.csi.openebs.io`): node-local logical volumes, capacity-aware.
   * @see https://github.com/openebs/lvm-localpv/blob/develop/docs/storageclasses.md
   */
  public static openebsLvm(options: OpenEbsLvmOptions): StorageProfile {
    const p = 'openebsLvm';
    const problems: Array<string | undefined> = [];
    if ((options.volumeGroup === undefined) === (options.volumeGroupPattern === undefined)) {
      problems.push(`${p}: set exactly one of volumeGroup (e.g. 'lvmvg') and volumeGroupPattern (e.g. 'lvmvg.*')`);
    }
    if (options.volumeGroupPattern !== undefined) {
      try {
        new RegExp(options.volumeGroupPattern);
      } catch {
        problems.push(`${p}: volumeGroupPattern '${options.volumeGroupPattern}' is not a regular expression`);
      }
    }
    problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS, FsType.BTRFS]));
    const parameters: { [key: string]: string } = { storage: 'lvm', fsType: options.fsType ?? FsType.EXT4 };
    if (options.volumeGroup !== undefined) parameters.volgroup = options.volumeGroup;
    if (options.volumeGroupPattern !== undefined) parameters.vgpattern = options.volumeGroupPattern;
    if (options.thinProvision) parameters.thinProvision = 'yes';
    return new StorageProfile({ provisioner: 'local.csi.openebs.io', parameters, supportsExpansion: true }, problems);
  }

  /**
   * OpenEBS ZFS LocalPV (`zfs.csi.openebs.io`): datasets or zvols on a node-local zpool.
   * @see https://github.com/openebs/zfs-localpv/blob/develop/docs/storageclasses.md
   */
  public static openebsZfs(options: OpenEbsZfsOptions): StorageProfile {
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
    return new StorageProfile({ provisioner: 'zfs.csi.openebs.io', parameters, supportsExpansion: true }, problems);
  }

  /**
   * TopoLVM (`topolvm.io`): node-local LVM with capacity-aware scheduling.
   * @see https://github.com/topolvm/topolvm/blob/main/docs/user-manual.md
   */
  public static topolvm(options: TopolvmOptions = {}): StorageProfile {
    const p = 'topolvm';
    const problems: Array<string | undefined> = [];
    problems.push(fsTypeIn(p, options.fsType, [FsType.XFS, FsType.EXT4, FsType.BTRFS]));
    if (options.deviceClass !== undefined && !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/i.test(options.deviceClass)) {
      problems.push(`${p}: deviceClass '${options.deviceClass}' is not a device class name from the lvmd configuration`);
    }
    const parameters: { [key: string]: string } = { [FSTYPE]: options.fsType ?? FsType.XFS };
    if (options.deviceClass !== undefined) parameters['topolvm.io/device-class'] = options.deviceClass;
    return new StorageProfile({ provisioner: 'topolvm.io', parameters, supportsExpansion: true }, problems);
  }

  /**
   * Ondat, formerly StorageOS (`csi.storageos.com`).
   * @see https://docs.ondat.io/docs/reference/labels/
   */
  public static ondat(options: OndatOptions = {}): StorageProfile {
    const p = 'ondat';
    const problems: Array<string | undefined> = [];
    const replicas = options.replicas ?? 1;
    problems.push(checkInt(`${p}: replicas`, replicas, 0, 5));
    problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS]));
    const secret = options.apiSecret ?? { name: 'storageos-api', namespace: 'storageos' };
    const parameters: { [key: string]: string } = {
      ...secretParams('csi.storage.k8s.io/secret', secret),
      'storageos.com/replicas': String(replicas),
      [FSTYPE]: options.fsType ?? FsType.EXT4,
    };
    if (options.encryption) parameters['storageos.com/encryption'] = 'true';
    if (options.compression !== undefined) parameters['storageos.com/nocompress'] = String(!options.compression);
    if (options.topologyAware) parameters['storageos.com/topology-aware'] = 'true';
    return new StorageProfile({ provisioner: 'csi.storageos.com', parameters, supportsExpansion: true }, problems);
  }

  /**
   * Hand-made local PersistentVolumes (`kubernetes.io/no-provisioner`): no dynamic provisioning,
   * no expansion, and only the Retain reclaim policy. `LocalVolumePool` builds on it.
   * @see https://kubernetes.io/docs/concepts/storage/storage-classes/#local
   */
  public static localStatic(): StorageProfile {
    return new StorageProfile({ provisioner: NO_PROVISIONER, parameters: {}, supportsExpansion: false }, []);
  }

  /** Any other driver, with its parameters as the driver documents them. */
  public static custom(provisioner: string, parameters: { [key: string]: string } = {}, options: CustomProfileOptions = {}): StorageProfile {
    const problems: Array<string | undefined> = [];
    if (!isProvisionerName(provisioner)) {
      problems.push(`custom: provisioner '${provisioner}' is not a provisioner name: a CSI driver name such as 'nfs.csi.k8s.io', or '<domain>/<name>' such as 'rancher.io/local-path'`);
    }
    for (const k of Object.keys(parameters)) {
      if (!k) problems.push('custom: parameter keys must not be empty');
    }
    return new StorageProfile({
      provisioner,
      parameters: { ...parameters },
      supportsExpansion: options.supportsExpansion ?? true,
      zoneTopologyKey: options.zoneTopologyKey,
    }, problems);
  }

  private constructor(
    private readonly config: StorageProfileConfig,
    private readonly problems: Array<string | undefined>,
    private readonly minZones: number = 1,
  ) {}

  /** The CSI driver (provisioner) name. */
  public get provisioner(): string {
    return this.config.provisioner;
  }

  /**
   * Resolve the profile for a StorageClass: throws a ValidationError scoped to `scope` for the
   * first parameter that breaks the driver's rules.
   */
  public bind(scope: IConstruct): StorageProfileConfig {
    const problem = this.problems.find((x) => x !== undefined);
    if (problem) throw new ValidationError(problem, scope);
    return { ...this.config, parameters: { ...this.config.parameters } };
  }

  /** Fewest zones `zones` must list (regional disks replicate across two). */
  public get minimumZones(): number {
    return this.minZones;
  }
}
