// The public types of the driver profiles (their *Profile functions stay internal: jsii exports
// classes, interfaces and enums only).
export { FsType } from './common';
export type { SecretReference, StorageProfileConfig } from './common';
export { EbsVolumeType } from './aws-ebs';
export type { AwsEbsOptions } from './aws-ebs';
export { AzureCachingMode, AzureDiskSku } from './azure-disk';
export type { AzureDiskOptions } from './azure-disk';
export { RbdImageFeature } from './ceph-rbd';
export type { CephRbdOptions } from './ceph-rbd';
export type { CustomProfileOptions } from './custom';
export { GcePdType } from './gce-pd';
export type { GcePdOptions } from './gce-pd';
export { LonghornDataLocality } from './longhorn';
export type { LonghornOptions } from './longhorn';
export type { OndatOptions } from './ondat';
export type { OpenEbsLvmOptions } from './openebs-lvm';
export { ZfsCompression } from './openebs-zfs';
export type { OpenEbsZfsOptions } from './openebs-zfs';
export type { TopolvmOptions } from './topolvm';
