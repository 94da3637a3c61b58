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
   * Provisioned IOPS of every volume: gp3 3000–80000, io1 100–64000, io2 100–256000, and per
   * volume at most 500 (gp3), 50 (io1) or 1000 (io2) per GiB of its size (checked at synth for
   * every claim of the class).
   * @default - the type's baseline (gp3: 3000)
   */
  readonly iops?: number;
  /**
   * IOPS per GiB of the requested size (gp3, io1, io2); the alternative to `iops`. A volume whose
   * size yields fewer IOPS than the type's minimum is rejected (checked at synth).
   * @default - not set
   */
  readonly iopsPerGb?: number;
  /**
   * Throughput in MiB/s, gp3 only: 125–2000, and at most 0.25 MiB/s per IOPS of the volume.
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
 * What EBS accepts per volume type: size in GiB, total IOPS, IOPS per GiB (the AWS limits since
 * September 2025: gp3 up to 64 TiB, 80000 IOPS and 2000 MiB/s; io2 is Block Express, 1000 IOPS/GiB).
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
 */
const LIMITS: { [type: string]: { minGib: number; maxGib: number; minIops?: number; maxIops?: number; iopsPerGib?: number } } = {
  gp3: { minGib: 1, maxGib: 65536, minIops: 3000, maxIops: 80000, iopsPerGib: 500 },
  gp2: { minGib: 1, maxGib: 16384 },
  io1: { minGib: 4, maxGib: 16384, minIops: 100, maxIops: 64000, iopsPerGib: 50 },
  io2: { minGib: 4, maxGib: 65536, minIops: 100, maxIops: 256000, iopsPerGib: 1000 },
  st1: { minGib: 125, maxGib: 16384 },
  sc1: { minGib: 125, maxGib: 16384 },
};

/** gp3 throughput per provisioned IOPS: at most 0.25 MiB/s. */
const GP3_MIBPS_PER_IOPS = 0.25;
const GP3_BASELINE_IOPS = 3000;

/**
 * The rules of one volume of `gib` GiB (the driver rounds a request up to whole GiB): the type's
 * size range, IOPS per GiB for `iops`, the IOPS `iopsPerGb` yields (the driver rejects fewer than
 * the type's minimum and caps more than its maximum), and gp3 throughput per IOPS.
 */
function volumeProblem(type: EbsVolumeType, options: AwsEbsOptions, gib: number): string | undefined {
  const l = LIMITS[type];
  if (gib < l.minGib || gib > l.maxGib) {
    return `${type} volumes are ${l.minGib} GiB to ${l.maxGib} GiB, so EBS rejects this one; give a size in that range${l.minGib > 1 ? ` (at least Size.gibibytes(${l.minGib}))` : ''}`;
  }
  let iops = type === EbsVolumeType.GP3 ? GP3_BASELINE_IOPS : undefined;
  if (options.iops !== undefined && l.iopsPerGib) {
    if (options.iops > l.iopsPerGib * gib) {
      return `${options.iops} IOPS exceed ${l.iopsPerGib} IOPS per GiB (at most ${l.iopsPerGib * gib} for ${gib} GiB), so EBS rejects the volume; ` +
        `make it at least Size.gibibytes(${Math.ceil(options.iops / l.iopsPerGib)}) or lower iops to ${l.iopsPerGib * gib}`;
    }
    iops = options.iops;
  }
  if (options.iopsPerGb !== undefined && l.minIops !== undefined && l.maxIops !== undefined) {
    const total = options.iopsPerGb * gib;
    if (total < l.minIops) {
      return `iopsPerGb ${options.iopsPerGb} × ${gib} GiB = ${total} IOPS, below the ${type} minimum of ${l.minIops}, so the driver rejects the volume; ` +
        `make it at least Size.gibibytes(${Math.ceil(l.minIops / options.iopsPerGb)}) or raise iopsPerGb`;
    }
    iops = Math.min(total, l.maxIops);
  }
  const tput = options.throughputMibps;
  if (type === EbsVolumeType.GP3 && tput !== undefined && iops !== undefined && tput > iops * GP3_MIBPS_PER_IOPS) {
    return `throughputMibps ${tput} needs at least ${Math.ceil(tput / GP3_MIBPS_PER_IOPS)} IOPS (gp3 allows ${GP3_MIBPS_PER_IOPS} MiB/s per IOPS), ` +
      `but the volume gets ${iops}; raise iops or lower throughputMibps to ${Math.floor(iops * GP3_MIBPS_PER_IOPS)}`;
  }
  return undefined;
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
  // Without iopsPerGb the IOPS do not depend on the size: the throughput per IOPS is known now.
  const fixedIops = options.iops ?? GP3_BASELINE_IOPS;
  const tput = options.throughputMibps;
  if (type === EbsVolumeType.GP3 && options.iopsPerGb === undefined && tput !== undefined && Number.isInteger(tput) &&
    Number.isInteger(fixedIops) && tput > fixedIops * GP3_MIBPS_PER_IOPS) {
    problems.push(`${p}: gp3 throughputMibps ${tput} needs at least ${Math.ceil(tput / GP3_MIBPS_PER_IOPS)} IOPS ` +
      `(${GP3_MIBPS_PER_IOPS} MiB/s per IOPS) but volumes get ${fixedIops}${options.iops === undefined ? ' (the baseline)' : ''}; raise iops or lower throughputMibps`);
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
  return profileSpec('StorageProfileAwsEbsInvalid', { provisioner: 'ebs.csi.aws.com', parameters, supportsExpansion: true, zoneTopologyKey: ZONE }, problems, {
    volumeProblem: (gib) => volumeProblem(type, options, gib),
  });
}
