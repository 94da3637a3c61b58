// Types every driver profile shares. A leaf: it imports nothing.

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

/** A Secret by name and namespace (CSI driver credentials). */
export interface SecretReference {
  /** Secret name. */
  readonly name: string;
  /** Secret namespace. */
  readonly namespace: string;
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
