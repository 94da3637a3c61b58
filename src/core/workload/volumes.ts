import { Size } from 'cdk8s';

/**
 * A StorageClass a data volume can use: one this app creates (`StorageClass`,
 * `LocalVolumePool.storageClass`) or one that already exists (`StorageClass.fromName()`).
 */
export interface IStorageClass {
  /** The StorageClass's metadata.name. */
  readonly storageClassName: string;
  /**
   * Whether the class allows volume expansion, when known.
   * @default - unknown (a class that already exists in the cluster)
   */
  readonly allowVolumeExpansion?: boolean;
}

/** What happens to a claim when its StatefulSet is deleted or scaled down. */
export enum RetentionPolicy {
  /** Keep the PersistentVolumeClaim (and its data). */
  RETAIN = 'Retain',
  /** Delete the PersistentVolumeClaim: with a Delete reclaim policy this destroys the data. */
  DELETE = 'Delete',
}

/** How a volume may be mounted. */
export enum AccessMode {
  /** Read-write by a single node. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-write by a single pod (CSI only). */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
  /** Read-only by many nodes. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by many nodes. */
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** Whether a volume is a filesystem or a raw block device. */
export enum VolumeMode {
  /** A mounted filesystem. */
  FILESYSTEM = 'Filesystem',
  /** A raw block device (`volumeDevices`). */
  BLOCK = 'Block',
}

/** A persistent data volume: one volumeClaimTemplate of the StatefulSet. */
export interface DataVolumeOptions {
  /** Where the main container mounts it. */
  readonly mountPath: string;
  /** Requested size. Must be at least 1 MiB. */
  readonly size: Size;
  /**
   * The StorageClass.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: IStorageClass;
  /** @default AccessMode.READ_WRITE_ONCE */
  readonly accessMode?: AccessMode;
  /** @default VolumeMode.FILESYSTEM */
  readonly volumeMode?: VolumeMode;
  /**
   * Mount only this sub path of the volume (e.g. to skip `lost+found`).
   * @default - the volume root
   */
  readonly subPath?: string;
  /**
   * Also emit the per-ordinal PersistentVolumeClaims (`<volume>-<statefulset>-<ordinal>`) that
   * the StatefulSet adopts, so raising `size` in code expands the disks on the next apply
   * (claim templates are immutable). Requires a class that allows expansion when the class is known.
   * @default false
   */
  readonly expandable?: boolean;
  /**
   * The request written into the volumeClaimTemplate of an `expandable` volume. It never
   * follows `size` (claim templates are immutable, so a change would be rejected); the
   * per-ordinal claims carry `size`. To make a running workload expandable without recreating
   * its StatefulSet, set it to the size the StatefulSet was created with.
   * @default - Size.gibibytes(1) for an expandable volume; ignored otherwise (the template carries `size`)
   */
  readonly claimTemplateSize?: Size;
}

/** A data volume as the workload records it (for checks by storage constructs). */
export interface DataVolumeInfo extends DataVolumeOptions {
  /** The claim template name. */
  readonly name: string;
}
