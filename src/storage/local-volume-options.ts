// The public option types of LocalVolumePool (disks, discovery mode), apart from the construct so
// that its private builders can use them without importing the construct.
import { Size } from 'cdk8s';
import { FsType } from './profiles/common';
import { Toleration } from '../core/workload/scheduling';
import { VolumeMode } from '../core/workload/volumes';


/** How a LocalVolumePool's PersistentVolumes come to exist. */
export enum LocalVolumePoolMode {
  /** One PersistentVolume per disk you list, written into the output. */
  STATIC = 'static',
  /** sig-storage-local-static-provisioner discovers disks under a host directory on each node. */
  DISCOVERY = 'discovery',
}

/** One node-local disk. */
export interface LocalDisk {
  /** The node's `kubernetes.io/hostname` label value. */
  readonly node: string;
  /** Mount point (Filesystem) or device symlink (Block) on the node, e.g. `/mnt/disks/<fs-uuid>`. */
  readonly path: string;
  /** Usable capacity. */
  readonly capacity: Size;
  /** @default - the pool's volumeMode */
  readonly volumeMode?: VolumeMode;
  /** PersistentVolume name. @default `<storage class>-<node>-<path>` */
  readonly name?: string;
}

/** The same disk paths on several nodes (nodes × paths). */
export interface LocalDiskSet {
  /** `kubernetes.io/hostname` label values. */
  readonly nodes: string[];
  /** Paths present on every node. */
  readonly paths: string[];
  /** Capacity of each disk. */
  readonly capacity: Size;
  /** @default - the pool's volumeMode */
  readonly volumeMode?: VolumeMode;
}

/**
 * How the static provisioner wipes a Block volume before re-creating its PV (Delete reclaim).
 * @see https://github.com/kubernetes-sigs/sig-storage-local-static-provisioner/blob/master/docs/provisioner.md
 */
export class BlockCleaner {
  /** `quick_reset.sh`: wipes filesystem signatures only (fast; the provisioner's default). */
  public static quickReset(): BlockCleaner {
    return new BlockCleaner(['/scripts/quick_reset.sh']);
  }

  /** `shred.sh N`: overwrite the device N times (slow on large disks). */
  public static shred(passes: number): BlockCleaner {
    return new BlockCleaner(['/scripts/shred.sh', String(passes)], passes);
  }

  /** `dd_zero.sh N`: zero the device N times. */
  public static ddZero(passes: number): BlockCleaner {
    return new BlockCleaner(['/scripts/dd_zero.sh', String(passes)], passes);
  }

  /** `blkdiscard.sh`: discard all blocks (fast on SSDs that support it). */
  public static blkdiscard(): BlockCleaner {
    return new BlockCleaner(['/scripts/blkdiscard.sh']);
  }

  private constructor(public readonly command: string[], private readonly passes?: number) {}

  /** The number of passes, when the cleaner takes one. */
  public get passCount(): number | undefined {
    return this.passes;
  }
}

/** Options of discovery mode (the static provisioner DaemonSet). */
export interface LocalVolumeDiscoveryOptions {
  /**
   * Directory on the node whose first-level entries become volumes: not a system directory, an
   * ancestor or (except /dev with a `namePattern`) a descendant of one, and without `..`.
   * @default '/mnt/disks'
   */
  readonly hostDir?: string;
  /** Where the provisioner container sees `hostDir`; not a path the container needs (/dev, /etc, /scripts...). @default - hostDir */
  readonly mountDir?: string;
  /** Filesystem of Block-device volumes consumed as Filesystem (`fsType`). @default - none */
  readonly fsType?: FsType;
  /** @default BlockCleaner.quickReset() */
  readonly blockCleaner?: BlockCleaner;
  /** Only entries matching this file name glob become volumes (`namePattern`; required below /dev). @default '*' */
  readonly namePattern?: string;
  /** Run the provisioner only on nodes with these labels (plus `kubernetes.io/os: linux`). @default - every Linux node */
  readonly nodeSelector?: { [key: string]: string };
  /** Taints the provisioner tolerates (e.g. of dedicated database nodes). @default - none */
  readonly tolerations?: Toleration[];
  /**
   * Deploy the node-cleanup controller: after a node is deleted it removes the claims and PVs
   * pinned to it, so the StatefulSet can recreate the pod elsewhere (with empty disks).
   * @default false
   */
  readonly nodeCleanup?: boolean;
  /**
   * Namespace of the provisioner (a privileged DaemonSet: the namespace's Pod Security admission must allow it).
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /** @default 'registry.k8s.io/sig-storage/local-volume-provisioner:v2.9.0' */
  readonly image?: string;
  /** @default 'registry.k8s.io/sig-storage/local-volume-node-cleanup:v2.9.0' */
  readonly nodeCleanupImage?: string;
}
