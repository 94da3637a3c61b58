import { FsType } from './common';
import { FSTYPE, ProfileSpec, checkInt, fsTypeIn, profileSpec } from '../private/profile-rules';

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

/** Parameters and rule checks of `StorageProfile.azureDisk()`. */
export function azureDiskProfile(options: AzureDiskOptions): ProfileSpec {
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
  return profileSpec('StorageProfileAzureDiskInvalid', { provisioner: 'disk.csi.azure.com', parameters, supportsExpansion: true, zoneTopologyKey: 'topology.disk.csi.azure.com/zone' }, problems);
}
