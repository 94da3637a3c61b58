// The public types of the driver profiles (their *Profile functions stay internal: jsii exports
// classes, interfaces and enums only).
export { FsType, SecretReference, StorageProfileConfig } from './common';
export { AwsEbsOptions, EbsVolumeType } from './aws-ebs';
export { AzureCachingMode, AzureDiskOptions, AzureDiskSku } from './azure-disk';
export { CephRbdOptions, RbdImageFeature } from './ceph-rbd';
export { CustomProfileOptions } from './custom';
export { GcePdOptions, GcePdType } from './gce-pd';
export { LonghornDataLocality, LonghornOptions } from './longhorn';
export { OndatOptions } from './ondat';
export { OpenEbsLvmOptions } from './openebs-lvm';
export { OpenEbsZfsOptions, ZfsCompression } from './openebs-zfs';
export { TopolvmOptions } from './topolvm';
