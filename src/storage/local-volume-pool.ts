import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LocalVolumePoolCheck } from './aspects/local-volume-pool-check';
import { LocalDisk, LocalDiskSet, LocalVolumeDiscoveryOptions, LocalVolumePoolMode } from './local-volume-options';
import { collectDisks, Disk, newPersistentVolumes } from './private/local-disks';
import { newProvisioner, poolLabels } from './private/local-provisioner';
import { newStorageClassObject } from './private/storage-class-object';
import { NO_PROVISIONER } from './profiles/local-static';
import { ReclaimPolicy, VolumeBindingMode } from './storage-class';
import { ValidationError } from '../core/errors';
import { Names } from '../core/naming';
import { Warnings } from '../core/warnings';
import { IStorageClass, VolumeMode } from '../core/workload/volumes';

/** Props of a LocalVolumePool. */
export interface LocalVolumePoolProps {
  /** @default LocalVolumePoolMode.STATIC */
  readonly mode?: LocalVolumePoolMode;
  /**
   * StorageClass name, at most 63 characters (it is also the pools' `app.kubernetes.io/instance`
   * label value); at most 38 in discovery mode (it names the provisioner objects).
   * @default - the construct id
   */
  readonly storageClassName?: string;
  /**
   * Disks (with `diskSets`, at most 10000 per pool): in static mode one PersistentVolume each; in discovery mode what you expect the
   * provisioner to find (used only for the capacity warnings).
   * @default - none
   */
  readonly disks?: LocalDisk[];
  /** Disks as nodes × paths, like `disks`. @default - none */
  readonly diskSets?: LocalDiskSet[];
  /** @default VolumeMode.FILESYSTEM */
  readonly volumeMode?: VolumeMode;
  /**
   * Delete is allowed in discovery mode only: the provisioner wipes the disk and re-creates the PV.
   * @default ReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReclaimPolicy;
  /** Discovery-mode options. @default - the provisioner's defaults (hostDir /mnt/disks) */
  readonly discovery?: LocalVolumeDiscoveryOptions;
}

const WARNING_PREFIX = '@cdk8s-stateful/storage';

/**
 * Node-local disks as PersistentVolumes: a no-provisioner StorageClass (WaitForFirstConsumer,
 * Retain) plus either one PersistentVolume per disk (static) or the
 * sig-storage-local-static-provisioner v2.9.0 that discovers them (discovery). At synth, the
 * workloads using `pool.storageClass` are checked against the disks: an error in static mode,
 * a warning in discovery mode. `ApiObject.of(pool)` is the StorageClass object.
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#local
 */
export class LocalVolumePool extends Construct {
  /** The class to give data volumes. It cannot expand volumes. */
  public readonly storageClass: IStorageClass;
  /** The StorageClass object (the pool's default child). */
  public readonly storageClassObject: k8s.KubeStorageClass;
  /** The mode. */
  public readonly mode: LocalVolumePoolMode;
  /** PersistentVolumes of static mode, in the order the disks were given (empty in discovery mode). */
  public readonly persistentVolumes: k8s.KubePersistentVolume[];
  /** The provisioner's ServiceAccount (discovery mode). */
  public readonly serviceAccount?: k8s.KubeServiceAccount;
  /** The provisioner configuration (discovery mode). */
  public readonly configMap?: k8s.KubeConfigMap;
  /** The provisioner's ClusterRole (discovery mode). */
  public readonly clusterRole?: k8s.KubeClusterRole;
  /** The binding of the provisioner's ClusterRole to its ServiceAccount (discovery mode). */
  public readonly clusterRoleBinding?: k8s.KubeClusterRoleBinding;
  /** The provisioner DaemonSet (discovery mode). */
  public readonly daemonSet?: k8s.KubeDaemonSet;
  /** The node-cleanup controller's ServiceAccount (discovery mode with `nodeCleanup`). */
  public readonly nodeCleanupServiceAccount?: k8s.KubeServiceAccount;
  /** The node-cleanup controller's ClusterRole (discovery mode with `nodeCleanup`). */
  public readonly nodeCleanupClusterRole?: k8s.KubeClusterRole;
  /** The binding of the node-cleanup ClusterRole (discovery mode with `nodeCleanup`). */
  public readonly nodeCleanupClusterRoleBinding?: k8s.KubeClusterRoleBinding;
  /** The node-cleanup controller Deployment (discovery mode with `nodeCleanup`). */
  public readonly nodeCleanupDeployment?: k8s.KubeDeployment;

  private readonly disks: Disk[];
  private readonly className: string;

  constructor(scope: Construct, id: string, props: LocalVolumePoolProps = {}) {
    super(scope, id);
    // Registered first, so warnings it adds to this construct are printed in the same pass (the
    // printing hook of Warnings is registered on the first add, after this one).
    this.node.addValidation({ validate: () => this.checkUsage() });
    this.mode = props.mode ?? LocalVolumePoolMode.STATIC;
    const name = props.storageClassName ?? id;
    this.className = name;
    Names.assertDns1123Subdomain(this, 'storageClassName', name);
    if (name.length > 63) {
      // The name is the pool's app.kubernetes.io/instance label value (StorageClass, PVs, provisioner).
      throw new ValidationError('LocalVolumePoolNameTooLong',
        `storageClassName '${name}' is ${name.length} characters; a pool's class name is also its app.kubernetes.io/instance label value, so use at most 63`, this);
    }
    const reclaim = props.reclaimPolicy ?? ReclaimPolicy.RETAIN;
    const isStatic = this.mode === LocalVolumePoolMode.STATIC;
    if (isStatic && reclaim === ReclaimPolicy.DELETE) {
      throw new ValidationError(
        'LocalVolumePoolReclaimDeleteUnsupported',
        'reclaimPolicy Delete needs the static provisioner to wipe the disk and re-create the PersistentVolume; a hand-made local PV with Delete goes Failed ' +
          'when its claim is deleted (kubernetes-retired/external-storage#782). Use ReclaimPolicy.RETAIN, or mode LocalVolumePoolMode.DISCOVERY',
        this,
      );
    }
    if (isStatic && props.discovery) {
      throw new ValidationError('LocalVolumePoolDiscoveryOptionsUnused',
        "discovery options are set but mode is static; set mode: LocalVolumePoolMode.DISCOVERY or drop 'discovery'", this);
    }
    const volumeMode = props.volumeMode ?? VolumeMode.FILESYSTEM;
    this.disks = collectDisks(this, props.disks ?? [], props.diskSets ?? [], volumeMode);
    if (isStatic && !this.disks.length) {
      throw new ValidationError('LocalVolumePoolDisksMissing',
        "a static pool needs disks: list them in 'disks' or 'diskSets', or use mode LocalVolumePoolMode.DISCOVERY", this);
    }

    this.storageClass = new PoolStorageClass(name);
    const storageLabels = poolLabels(name, 'storage').stable;
    this.storageClassObject = newStorageClassObject(this, 'StorageClass', {
      name,
      labels: storageLabels,
      provisioner: NO_PROVISIONER,
      reclaimPolicy: reclaim,
      // Binding waits for the pod so the scheduler picks a node that has a free disk.
      volumeBindingMode: VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
      allowVolumeExpansion: false,
    });
    this.node.defaultChild = this.storageClassObject;

    if (isStatic) {
      // Hand-made local PVs support only Retain (see above).
      this.persistentVolumes = newPersistentVolumes(this, name, this.disks, storageLabels, ReclaimPolicy.RETAIN);
      return;
    }
    this.persistentVolumes = [];
    const p = newProvisioner(this, name, volumeMode, props.discovery ?? {});
    this.serviceAccount = p.serviceAccount;
    this.configMap = p.configMap;
    this.clusterRole = p.clusterRole;
    this.clusterRoleBinding = p.clusterRoleBinding;
    this.daemonSet = p.daemonSet;
    this.nodeCleanupServiceAccount = p.nodeCleanup?.serviceAccount;
    this.nodeCleanupClusterRole = p.nodeCleanup?.clusterRole;
    this.nodeCleanupClusterRoleBinding = p.nodeCleanup?.clusterRoleBinding;
    this.nodeCleanupDeployment = p.nodeCleanup?.deployment;
  }

  /**
   * Workloads in the app whose data volumes use this pool, against the disks: in static mode the
   * problems are one validation message; in discovery mode the provisioner may find more disks
   * than declared, so they are warnings.
   */
  private checkUsage(): string[] {
    const problems = LocalVolumePoolCheck.run(this.node.root, this.className, this.disks);
    if (!problems.size) return [];
    if (this.mode === LocalVolumePoolMode.STATIC) return [[...problems.values()].flat().join('; ')];
    // Added to this construct during its own validation: Warnings' printing hook for it runs after this one.
    for (const [id, messages] of problems) Warnings.of(this).add(`${WARNING_PREFIX}:${id}`, messages.join('; '));
    return [];
  }
}

/** `pool.storageClass`: the pool's class, which never expands. */
class PoolStorageClass implements IStorageClass {
  public readonly allowVolumeExpansion = false;
  constructor(public readonly storageClassName: string) {}
}
