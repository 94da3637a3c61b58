import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ClaimsOfClassVisitor } from './aspects/claims-of-class';
import { zoneValueError } from './private/profile-rules';
import { newStorageClassObject } from './private/storage-class-object';
import { NO_PROVISIONER } from './profiles/local-static';
import { StorageProfile } from './storage-profile';
import { ValidationError } from '../core/errors';
import { LabelKeys, MANAGED_BY } from '../core/labels';
import { isDns1123Subdomain, Names } from '../core/naming';
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
  /**
   * A StorageClass that already exists in the cluster, by name. Like cdk8s-plus
   * `Secret.fromSecretName(scope, id, name)`, it takes a scope and an id: an invalid name is a
   * ValidationError (code `StorageClassNameInvalid`) at that path. It writes no object.
   */
  public static fromName(scope: Construct, id: string, name: string, options: ExistingStorageClassOptions = {}): IStorageClass {
    return new ImportedStorageClass(scope, id, name, options.allowVolumeExpansion);
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
    const volumeProblem = props.profile._volumeProblem;
    if (volumeProblem) this.node.addValidation({ validate: () => this.checkVolumes(volumeProblem, props.isDefault ?? false) });
    Names.assertDns1123Subdomain(this, props.name === undefined ? "StorageClass name (the construct id; set 'name' to change it)" : 'StorageClass name', this.storageClassName);
    this.provisioner = config.provisioner;
    this.reclaimPolicy = props.reclaimPolicy ?? ReclaimPolicy.RETAIN;
    const allowVolumeExpansion = props.allowVolumeExpansion ?? config.supportsExpansion;
    this.allowVolumeExpansion = allowVolumeExpansion;
    if (allowVolumeExpansion && !config.supportsExpansion) {
      throw new ValidationError('StorageClassExpansionUnsupported', `allowVolumeExpansion is true but ${config.provisioner} cannot expand volumes; leave it out`, this);
    }
    const noProvisioner = config.provisioner === NO_PROVISIONER;
    if (noProvisioner && this.reclaimPolicy === ReclaimPolicy.DELETE) {
      throw new ValidationError(
        'StorageClassLocalDeleteUnsupported',
        'reclaimPolicy Delete does not work for hand-made local volumes: with no provisioner to wipe and re-create them the PersistentVolume goes Failed ' +
          '(kubernetes-retired/external-storage#782); use ReclaimPolicy.RETAIN, or a LocalVolumePool in discovery mode',
        this,
      );
    }
    const zones = props.zones ?? [];
    if (zones.length) {
      if (!config.zoneTopologyKey) {
        throw new ValidationError('StorageClassZonesUnsupported', `${config.provisioner} reports no zone topology, so zones [${zones.join(', ')}] cannot apply; leave zones out`, this);
      }
      const bad = zones.map(zoneValueError).find((e) => e);
      if (bad) throw new ValidationError('StorageClassZoneInvalid', `${bad}; list the zone names your nodes carry under ${config.zoneTopologyKey}`, this);
      const dup = zones.find((z, i) => zones.indexOf(z) !== i);
      if (dup) throw new ValidationError('StorageClassZoneDuplicate', `zone '${dup}' is listed twice`, this);
      if (zones.length < props.profile.minimumZones) {
        throw new ValidationError('StorageClassZonesTooFew', `regional disks replicate across two zones: list at least ${props.profile.minimumZones} zones, got [${zones.join(', ')}]`, this);
      }
    }
    for (const o of props.mountOptions ?? []) {
      if (!o || /\s/.test(o)) throw new ValidationError('StorageClassMountOptionInvalid', `mount option '${o}' must be a single non-empty word such as 'noatime'`, this);
    }

    this.apiObject = newStorageClassObject(this, 'Resource', {
      name: this.storageClassName,
      labels: { [LabelKeys.MANAGED_BY]: MANAGED_BY },
      annotations: props.isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : undefined,
      provisioner: config.provisioner,
      parameters: config.parameters,
      reclaimPolicy: this.reclaimPolicy,
      volumeBindingMode: props.volumeBindingMode ?? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
      allowVolumeExpansion,
      mountOptions: props.mountOptions,
      zones,
      zoneTopologyKey: config.zoneTopologyKey,
    });
  }

  /**
   * The driver's rules for each volume of this class whose size is known (data volumes of
   * workloads, standalone claims; with `isDefault`, also those that name no class), e.g. EBS IOPS
   * per GiB. Sizes are rounded up to whole GiB, as the drivers do.
   */
  private checkVolumes(volumeProblem: (gib: number) => string | undefined, isDefault: boolean): string[] {
    const out: string[] = [];
    for (const c of ClaimsOfClassVisitor.run(this.node.root, this.storageClassName, isDefault)) {
      if (!Number.isFinite(c.kib) || c.count < 1) continue;
      const gib = Math.ceil(c.kib / 1024 ** 2);
      const problem = volumeProblem(gib);
      if (problem) out.push(`${c.where} of StorageClass '${this.storageClassName}' is ${c.quantity} (${gib} GiB): ${problem}`);
    }
    return out;
  }
}

/** `StorageClass.fromName()`: a class referred to by name; it writes nothing. */
class ImportedStorageClass extends Construct implements IStorageClass {
  constructor(scope: Construct, id: string, public readonly storageClassName: string, public readonly allowVolumeExpansion?: boolean) {
    super(scope, id);
    if (!isDns1123Subdomain(storageClassName)) {
      throw new ValidationError('StorageClassNameInvalid',
        `StorageClass.fromName: '${storageClassName}' is not a StorageClass name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')`, this);
    }
  }
}
