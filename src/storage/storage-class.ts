import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { StorageProfile } from './storage-profile';
import { ValidationError } from '../core/errors';
import { MANAGED_BY } from '../core/labels';
import { Names } from '../core/naming';
import { clusterScoped, isSubdomain } from './private/validate';
import { IStorageClass } from '../core/workload/volumes';

/** What happens to a PersistentVolume (and the disk) when its claim is deleted. */
export enum ReclaimPolicy {
  /** Keep the volume and its data; an operator reclaims it by hand. */
  RETAIN = 'Retain',
  /** Delete the volume and the disk: the data is gone. */
  DELETE = 'Delete',
}

/** When a claim is bound and its volume provisioned. */
export enum VolumeBindingMode {
  /** Wait for the first pod, so the volume lands in the pod's zone or on its node. */
  WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer',
  /** Bind and provision as soon as the claim exists (may pick a zone no pod can run in). */
  IMMEDIATE = 'Immediate',
}

/** Props of a StorageClass. */
export interface StorageClassProps {
  /** Driver and its parameters, e.g. `StorageProfile.awsEbs({ type: EbsVolumeType.GP3 })`. */
  readonly profile: StorageProfile;
  /**
   * metadata.name. Stateful: claims refer to the class by name, and its parameters are immutable.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default ReclaimPolicy.RETAIN */
  readonly reclaimPolicy?: ReclaimPolicy;
  /** @default VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER */
  readonly volumeBindingMode?: VolumeBindingMode;
  /** @default - true when the driver can expand volumes */
  readonly allowVolumeExpansion?: boolean;
  /**
   * Provision volumes only in these zones (`allowedTopologies` under the driver's zone key).
   * @default - any zone
   */
  readonly zones?: string[];
  /** Mount options of every volume, e.g. `['noatime']`. @default - none */
  readonly mountOptions?: string[];
  /**
   * Make this the cluster's default class (`storageclass.kubernetes.io/is-default-class`).
   * @default false
   */
  readonly isDefault?: boolean;
}

/** Options of `StorageClass.fromName()`. */
export interface ExistingStorageClassOptions {
  /**
   * Whether the existing class allows volume expansion, if you know it.
   * @default - unknown
   */
  readonly allowVolumeExpansion?: boolean;
}

/**
 * A StorageClass with a typed driver profile and data-safe defaults: Retain, WaitForFirstConsumer,
 * and volume expansion where the driver supports it. Cluster-scoped: it never carries a namespace.
 * @see https://kubernetes.io/docs/concepts/storage/storage-classes/
 */
export class StorageClass extends Construct implements IStorageClass {
  /** A StorageClass that already exists in the cluster. */
  public static fromName(name: string, options: ExistingStorageClassOptions = {}): IStorageClass {
    if (!isSubdomain(name)) {
      throw new Error(`StorageClass.fromName: '${name}' is not a StorageClass name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')`);
    }
    return new ExistingStorageClass(name, options.allowVolumeExpansion);
  }

  /** metadata.name. */
  public readonly storageClassName: string;
  /**
   * Whether volumes of this class can grow. Always set here; optional only because it implements
   * `IStorageClass` (jsii forbids changing a property's optionality).
   */
  public readonly allowVolumeExpansion?: boolean;
  /** The reclaim policy of its volumes. */
  public readonly reclaimPolicy: ReclaimPolicy;
  /** The driver (provisioner) name. */
  public readonly provisioner: string;
  /** The StorageClass object. */
  public readonly apiObject: k8s.KubeStorageClass;

  constructor(scope: Construct, id: string, props: StorageClassProps) {
    super(scope, id);
    const config = props.profile.bind(this);
    this.storageClassName = props.name ?? id;
    Names.assertDns1123Subdomain(this, props.name === undefined ? "StorageClass name (the construct id; set 'name' to change it)" : 'StorageClass name', this.storageClassName);
    this.provisioner = config.provisioner;
    this.reclaimPolicy = props.reclaimPolicy ?? ReclaimPolicy.RETAIN;
    const allowVolumeExpansion = props.allowVolumeExpansion ?? config.supportsExpansion;
    this.allowVolumeExpansion = allowVolumeExpansion;
    if (allowVolumeExpansion && !config.supportsExpansion) {
      throw new ValidationError(`allowVolumeExpansion is true but ${config.provisioner} cannot expand volumes; leave it out`, this);
    }
    const noProvisioner = config.provisioner === StorageProfile.localStatic().provisioner;
    if (noProvisioner && this.reclaimPolicy === ReclaimPolicy.DELETE) {
      throw new ValidationError(
        'reclaimPolicy Delete does not work for hand-made local volumes: with no provisioner to wipe and re-create them the PersistentVolume goes Failed ' +
          '(kubernetes-retired/external-storage#782); use ReclaimPolicy.RETAIN, or a LocalVolumePool in discovery mode',
        this,
      );
    }
    const zones = props.zones ?? [];
    if (zones.length) {
      if (!config.zoneTopologyKey) {
        throw new ValidationError(`${config.provisioner} reports no zone topology, so zones [${zones.join(', ')}] cannot apply; leave zones out`, this);
      }
      const dup = zones.find((z, i) => zones.indexOf(z) !== i);
      if (dup) throw new ValidationError(`zone '${dup}' is listed twice`, this);
      if (zones.length < props.profile.minimumZones) {
        throw new ValidationError(`regional disks replicate across two zones: list at least ${props.profile.minimumZones} zones, got [${zones.join(', ')}]`, this);
      }
    }
    for (const o of props.mountOptions ?? []) {
      if (!o || /\s/.test(o)) throw new ValidationError(`mount option '${o}' must be a single non-empty word such as 'noatime'`, this);
    }

    const annotations = props.isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : undefined;
    this.apiObject = clusterScoped(new k8s.KubeStorageClass(this, 'Resource', {
      metadata: { name: this.storageClassName, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY }, annotations },
      provisioner: config.provisioner,
      parameters: Object.keys(config.parameters).length ? config.parameters : undefined,
      reclaimPolicy: this.reclaimPolicy,
      volumeBindingMode: props.volumeBindingMode ?? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
      allowVolumeExpansion,
      mountOptions: props.mountOptions?.length ? [...props.mountOptions] : undefined,
      allowedTopologies: zones.length
        ? [{ matchLabelExpressions: [{ key: config.zoneTopologyKey!, values: [...zones] }] }]
        : undefined,
    }));
  }
}

/** A class referred to by name (jsii needs a class, not an object literal, behind an interface). */
class ExistingStorageClass implements IStorageClass {
  constructor(public readonly storageClassName: string, public readonly allowVolumeExpansion?: boolean) {}
}
