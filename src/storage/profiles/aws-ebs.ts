import { FsType } from './common';
import { FSTYPE, ProfileSpec, ZONE, checkInt, fsTypeIn, profileSpec } from '../private/profile-rules';

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

/** Parameters and rule checks of `StorageProfile.awsEbs()`. */
export function awsEbsProfile(options: AwsEbsOptions): ProfileSpec {
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
  return profileSpec('StorageProfileAwsEbsInvalid', { provisioner: 'ebs.csi.aws.com', parameters, supportsExpansion: true, zoneTopologyKey: ZONE }, problems);
}
