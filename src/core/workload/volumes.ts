import { createHash } from 'crypto';
import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkloadMount } from './container';
import { isConfigKey, isWithin, normalizeMountPath, sizeError, subPathError } from '../api-rules';
import { ValidationError } from '../errors';
import { keepAnnotations } from '../keep-policy';
import { Names, shortHash } from '../naming';
import { registerObjects } from '../registry';
import { kibibytes, sizeToQuantity } from '../units';

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

/** A scratch (emptyDir) volume. */
export interface ScratchVolumeOptions {
  /** @default - no limit */
  readonly sizeLimit?: Size;
  /** Back it with memory (tmpfs). @default false */
  readonly memory?: boolean;
}

/** Files mounted from a ConfigMap the workload owns. */
export interface ConfigFilesOptions {
  /** Directory the files appear in. */
  readonly mountPath: string;
  /** File name → content. */
  readonly files: { [fileName: string]: string };
  /** @default 0o444 */
  readonly defaultMode?: number;
}

/** Options of a Secret volume. */
export interface SecretVolumeOptions {
  /** @default 0o440 */
  readonly defaultMode?: number;
  /** Start the pod even when the Secret does not exist. @default false */
  readonly optional?: boolean;
  /**
   * Only these keys, each as the file name given (key → file name), e.g. a CA certificate
   * without the private key next to it.
   * @default - every key, as a file of its own name
   */
  readonly items?: { [key: string]: string };
}

/** Options of a ConfigMap volume. */
export interface ConfigMapVolumeOptions {
  /** @default 0o444 */
  readonly defaultMode?: number;
}

/** A volume from a Secret, ConfigMap, emptyDir or claim, for `volumes.add`. */
export class WorkloadVolume {
  /** Files from a Secret (e.g. TLS keys). */
  public static fromSecret(secret: kplus.ISecret, options: SecretVolumeOptions = {}): WorkloadVolume {
    const items = options.items && Object.entries(options.items).map(([key, path]) => ({ key, path }));
    return new WorkloadVolume({ secret: { secretName: secret.name, defaultMode: options.defaultMode ?? 0o440, optional: options.optional, items } });
  }

  /** Files from a ConfigMap that exists elsewhere. */
  public static fromConfigMap(configMap: kplus.IConfigMap, options: ConfigMapVolumeOptions = {}): WorkloadVolume {
    return new WorkloadVolume({ configMap: { name: configMap.name, defaultMode: options.defaultMode ?? 0o444 } });
  }

  /** An empty directory that lives as long as the pod. */
  public static emptyDir(options: ScratchVolumeOptions = {}): WorkloadVolume {
    return new WorkloadVolume({
      emptyDir: {
        medium: options.memory ? 'Memory' : undefined,
        sizeLimit: options.sizeLimit ? k8s.Quantity.fromString(sizeToQuantity(options.sizeLimit)) : undefined,
      },
    });
  }

  /** A PersistentVolumeClaim by name (e.g. a backup claim mounted by a Job). */
  public static fromClaimName(claimName: string): WorkloadVolume {
    return new WorkloadVolume({ persistentVolumeClaim: { claimName } });
  }

  private constructor(private readonly source: Omit<k8s.Volume, 'name'>) {}

  /** @internal The volume as the Kubernetes API spells it. */
  public _toKube(name: string): k8s.Volume {
    return { name, ...this.source };
  }
}

/** Claim template request of an expandable volume, unless `claimTemplateSize` says otherwise. */
const DEFAULT_CLAIM_TEMPLATE_SIZE = Size.gibibytes(1);

/** Where a workload's volumes come from, as `WorkloadVolumes` needs them. */
export interface WorkloadVolumesProps {
  /** The StatefulSet name (claims are `<volume>-<name>-<ordinal>`). */
  readonly name: string;
  /** Labels of claims and claim templates (never the version). */
  readonly claimLabels: { [key: string]: string };
  /** Labels of owned ConfigMaps. */
  readonly labels: { [key: string]: string };
  /** Replicas (for expandable claims). */
  readonly replicas: number;
  /** First ordinal (for expandable claims). */
  readonly ordinalsStart: number;
  /** Name of the main container (for messages). */
  readonly containerName: string;
}

/**
 * The volumes of a workload: persistent data volumes (one claim template each, optionally
 * with per-ordinal claims that can grow), scratch emptyDirs for paths the image writes, owned
 * ConfigMaps of config files (their checksum rolls the pods), and other volumes by name; and
 * the main container's mounts of them.
 */
export class WorkloadVolumes {
  private readonly dataList: DataVolumeInfo[] = [];
  private readonly claimList: k8s.KubePersistentVolumeClaim[] = [];
  private readonly scratch = new Map<string, ScratchVolumeOptions>();
  private readonly extra = new Map<string, WorkloadVolume>();
  private readonly config = new Map<string, { cm: k8s.KubeConfigMap; options: ConfigFilesOptions }>();
  private readonly mainMounts: WorkloadMount[] = [];
  private dependent?: ApiObject;

  /** @param scope the workload (claims and ConfigMaps are created as its children) */
  constructor(private readonly scope: Construct, private readonly props: WorkloadVolumesProps) {}

  /** Data volumes, in the order they were added. */
  public get data(): DataVolumeInfo[] {
    return [...this.dataList];
  }

  /**
   * The per-ordinal PersistentVolumeClaims of `expandable` data volumes
   * (`<volume>-<statefulset>-<ordinal>`), in volume then ordinal order.
   */
  public get claims(): k8s.KubePersistentVolumeClaim[] {
    return [...this.claimList];
  }

  /** The main container's mounts, in order. */
  public get mounts(): WorkloadMount[] {
    return [...this.mainMounts];
  }

  /** Names of every volume of the pod (data, scratch, config and added). */
  public get names(): string[] {
    return [...this.dataList.map((v) => v.name), ...this.scratch.keys(), ...this.extra.keys(), ...this.config.keys()];
  }

  /** Add a persistent data volume (a volumeClaimTemplate) mounted in the main container. */
  public addData(name: string, options: DataVolumeOptions): void {
    // A pod volume name (label, ≤ 63); the PVC `<name>-<statefulset>-<ordinal>` is a subdomain (≤ 253).
    Names.assertDns1123Label(this.scope, 'data volume name', name);
    this.assertNewName(name);
    if (!(kibibytes(options.size) >= 1024)) {
      throw new ValidationError('WorkloadVolumeSizeInvalid', `data volume '${name}' has size ${sizeToQuantity(options.size)}; give at least 1Mi, e.g. Size.gibibytes(10)`, this.scope);
    }
    // The API server requires a positive storage request in every claim template.
    if (options.expandable && options.claimTemplateSize !== undefined && !(kibibytes(options.claimTemplateSize) >= 1024)) {
      throw new ValidationError(
        'WorkloadClaimTemplateSizeInvalid',
        `data volume '${name}' has claimTemplateSize ${sizeToQuantity(options.claimTemplateSize)}; give at least 1Mi, ` +
          'e.g. the size the StatefulSet was created with, or leave it out for 1Gi',
        this.scope,
      );
    }
    this.check('WorkloadVolumeSizeInvalid', sizeError(`data volume '${name}' size`, options.size, 1024));
    if (options.claimTemplateSize) this.check('WorkloadClaimTemplateSizeInvalid', sizeError(`data volume '${name}' claimTemplateSize`, options.claimTemplateSize, 1024));
    if (options.subPath !== undefined) this.check('WorkloadSubPathInvalid', subPathError(`data volume '${name}' subPath`, options.subPath));
    const where = normalizeMountPath(`data volume '${name}' ${options.volumeMode === VolumeMode.BLOCK ? 'devicePath' : 'mountPath'}`, options.mountPath);
    this.check('WorkloadMountPathInvalid', where.error);
    if (options.volumeMode === VolumeMode.BLOCK) {
      const devices = this.dataList.filter((v) => v.volumeMode === VolumeMode.BLOCK).map((v) => v.mountPath);
      const other = [...devices, ...this.mainMounts.map((m) => m.mountPath)]
        .find((x) => isWithin(where.path!, x) || isWithin(x, where.path!));
      this.check('WorkloadDevicePathClash', other && `data volume '${name}' is a block device at ${where.path}, which clashes with ${other} in container '${this.props.containerName}'; use a path of its own, e.g. /dev/${name}`);
    }
    if (options.volumeMode === VolumeMode.BLOCK && options.subPath) {
      throw new ValidationError('WorkloadBlockVolumeSubPath', `data volume '${name}' is a block device and cannot have a subPath`, this.scope);
    }
    if (options.expandable && options.storageClass?.allowVolumeExpansion === false) {
      throw new ValidationError(
        'WorkloadVolumeNotExpandable',
        `data volume '${name}' is expandable but StorageClass '${options.storageClass.storageClassName}' does not allow volume expansion; ` +
          'use a class with allowVolumeExpansion: true, or drop expandable',
        this.scope,
      );
    }
    this.dataList.push({ name, ...options, mountPath: where.path! });
    if (options.expandable) this.addExpandableClaims({ name, ...options });
    if (options.volumeMode !== VolumeMode.BLOCK) {
      this.mount({ volume: name, mountPath: where.path!, subPath: options.subPath });
    }
  }

  /** Add an emptyDir mounted at `path` in the main container (a path the image writes to). Returns the volume name. */
  public addScratch(path: string, options: ScratchVolumeOptions = {}): string {
    const where = normalizeMountPath('scratch path', path);
    this.check('WorkloadMountPathInvalid', where.error);
    if (options.sizeLimit) this.check('WorkloadVolumeSizeInvalid', sizeError(`scratch path '${path}' sizeLimit`, options.sizeLimit, 1));
    const name = scratchVolumeName(where.path!);
    this.assertNewName(name);
    this.scratch.set(name, options);
    this.mount({ volume: name, mountPath: where.path! });
    return name;
  }

  /** Add a volume that containers can mount by name with `mounts`. */
  public add(name: string, volume: WorkloadVolume): void {
    Names.assertDns1123Label(this.scope, 'volume name', name);
    this.assertNewName(name);
    this.extra.set(name, volume);
  }

  /**
   * Files from a ConfigMap this workload owns (`<name>-<volumeName>`), mounted in the main
   * container. Their checksum goes on the pod template so a change rolls the pods.
   */
  public addConfigFiles(volumeName: string, options: ConfigFilesOptions): k8s.KubeConfigMap {
    Names.assertDns1123Label(this.scope, 'config volume name', volumeName);
    this.assertNewName(volumeName);
    // ValidateConfigMap: keys are [-._a-zA-Z0-9]+ (not '.' or '..'), and all data fits 1 MiB.
    let bytes = 0;
    for (const [file, content] of Object.entries(options.files)) {
      if (!isConfigKey(file)) {
        throw new ValidationError('WorkloadConfigFileNameInvalid', `config volume '${volumeName}': file name '${file}' is not a ConfigMap key (letters, digits, '-', '_' and '.', no '/')`, this.scope);
      }
      bytes += Buffer.byteLength(file) + Buffer.byteLength(content);
    }
    if (bytes > 1024 * 1024) {
      throw new ValidationError('WorkloadConfigFilesTooLarge', `config volume '${volumeName}' holds ${bytes} bytes; a ConfigMap holds at most 1048576 (1 MiB). Split the files or mount them from elsewhere`, this.scope);
    }
    const cm = new k8s.KubeConfigMap(this.scope, `Config-${volumeName}`, {
      metadata: { name: `${this.props.name}-${volumeName}`, labels: this.props.labels },
      data: { ...options.files },
    });
    registerObjects(this.scope, cm);
    this.config.set(volumeName, { cm, options });
    this.mount({ volume: volumeName, mountPath: options.mountPath, readOnly: true });
    return cm;
  }

  /** Mount a volume (by name) in the main container. */
  public mount(mount: WorkloadMount): void {
    const where = normalizeMountPath(`mount of volume '${mount.volume}' at`, mount.mountPath);
    this.check('WorkloadMountPathInvalid', where.error);
    if (mount.subPath !== undefined) this.check('WorkloadSubPathInvalid', subPathError(`mount of volume '${mount.volume}' subPath`, mount.subPath));
    mount = { ...mount, mountPath: where.path! };
    const device = this.dataList.find((v) => v.volumeMode === VolumeMode.BLOCK
      && (isWithin(v.mountPath, mount.mountPath) || isWithin(mount.mountPath, v.mountPath)));
    this.check('WorkloadDevicePathClash', device && `data volume '${device.name}' is a block device at ${device.mountPath}, which clashes with the mount of volume '${mount.volume}' at ${mount.mountPath} in container '${this.props.containerName}'; use a path of its own, e.g. /dev/${device.name}`);
    const clash = this.mainMounts.find((m) => m.mountPath === mount.mountPath);
    if (clash) {
      throw new ValidationError(
        'WorkloadMountPathClash',
        `volumes '${clash.volume}' and '${mount.volume}' are both mounted at ${mount.mountPath} in container '${this.props.containerName}'; use different paths`,
        this.scope,
      );
    }
    // A mount inside a data volume hides part of it; a mount above one hides all of it (the data
    // volume then holds nothing the program sees): both lose data silently.
    const data = new Map(this.dataList.filter((v) => v.volumeMode !== VolumeMode.BLOCK).map((v) => [v.name, v.mountPath]));
    for (const m of this.mainMounts) {
      const [inner, outer] = isWithin(mount.mountPath, m.mountPath) ? [mount, m] : isWithin(m.mountPath, mount.mountPath) ? [m, mount] : [];
      if (inner && outer && (data.has(outer.volume) || data.has(inner.volume))) {
        throw new ValidationError(
          'WorkloadMountShadowsData',
          `volume '${inner.volume}' at ${inner.mountPath} is mounted inside volume '${outer.volume}' at ${outer.mountPath} in container '${this.props.containerName}', ` +
            `so one hides part of the other and data written there is lost or invisible; mount it at a path outside ${outer.mountPath}`,
          this.scope,
        );
      }
    }
    this.mainMounts.push(mount);
  }

  private check(code: string, error: string | undefined | false | 0 | ''): void {
    if (error) throw new ValidationError(code, error, this.scope);
  }

  /** @internal The StatefulSet, which must be applied after every per-ordinal claim (it adopts them). */
  public _attach(statefulSet: ApiObject): void {
    this.dependent = statefulSet;
    if (this.claimList.length) statefulSet.addDependency(...this.claimList);
  }

  /** @internal The pod's volumes (config, scratch, added; data volumes come from claim templates). */
  public _podVolumes(): k8s.Volume[] {
    const volumes: k8s.Volume[] = [];
    for (const [name, { cm, options }] of this.config) {
      volumes.push({ name, configMap: { name: cm.name, defaultMode: options.defaultMode ?? 0o444 } });
    }
    for (const [name, o] of this.scratch) volumes.push(WorkloadVolume.emptyDir(o)._toKube(name));
    for (const [name, v] of this.extra) volumes.push(v._toKube(name));
    return volumes;
  }

  /** @internal The volumeClaimTemplates. */
  public _claimTemplates(): k8s.KubePersistentVolumeClaimProps[] | undefined {
    return this.dataList.length ? this.dataList.map((v) => this.claimTemplate(v)) : undefined;
  }

  /** @internal Checksum of the owned config files, or undefined without any. */
  public _configChecksum(): string | undefined {
    if (!this.config.size) return undefined;
    const h = createHash('sha256');
    for (const name of [...this.config.keys()].sort()) {
      const files = this.config.get(name)!.options.files;
      h.update(JSON.stringify([name, Object.keys(files).sort().map((f) => [f, files[f]])]));
    }
    return h.digest('hex');
  }

  private claimTemplate(v: DataVolumeInfo): k8s.KubePersistentVolumeClaimProps {
    // An expandable volume's template must never change with `size` (immutable field): its
    // claims exist before the StatefulSet, so the controller never creates one from it.
    const size = v.expandable ? (v.claimTemplateSize ?? DEFAULT_CLAIM_TEMPLATE_SIZE) : v.size;
    return {
      // Only the stable labels: a version label here makes every upgrade fail (immutable field).
      metadata: { name: v.name, labels: this.props.claimLabels },
      spec: claimSpec(v, size),
    };
  }

  /**
   * The claims the StatefulSet controller would create (`<volume>-<sts>-<ordinal>`), written
   * out so that their size can grow in place (PVC requests may increase; templates may not).
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#expanding-persistent-volumes-claims
   */
  private addExpandableClaims(v: DataVolumeInfo): void {
    const { name, replicas, ordinalsStart, claimLabels } = this.props;
    for (let ordinal = ordinalsStart; ordinal < ordinalsStart + replicas; ordinal++) {
      const claim = new k8s.KubePersistentVolumeClaim(this.scope, `Claim-${v.name}-${ordinal}`, {
        metadata: { name: `${v.name}-${name}-${ordinal}`, labels: claimLabels, annotations: keepAnnotations() },
        spec: claimSpec(v, v.size),
      });
      registerObjects(this.scope, claim);
      this.claimList.push(claim);
      this.dependent?.addDependency(claim);
    }
  }

  private assertNewName(name: string): void {
    if (this.names.includes(name)) {
      throw new ValidationError('WorkloadVolumeDuplicate', `duplicate volume name '${name}'; give each volume its own name`, this.scope);
    }
  }
}

function claimSpec(v: DataVolumeInfo, size: Size): k8s.PersistentVolumeClaimSpec {
  return {
    accessModes: [v.accessMode ?? AccessMode.READ_WRITE_ONCE],
    storageClassName: v.storageClass?.storageClassName,
    volumeMode: v.volumeMode,
    resources: { requests: { storage: k8s.Quantity.fromString(sizeToQuantity(size)) } },
  };
}

/**
 * `scratch-<path as a label>`: what it always was where that is a valid volume name (≤ 63
 * characters, alphanumeric at the end); otherwise a readable prefix and a hash of the path.
 */
function scratchVolumeName(path: string): string {
  const slug = path.replace(/^\/+|\/+$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root';
  const name = `scratch-${slug}`;
  if (name.length <= 63 && /[a-z0-9]$/.test(name)) return name;
  return `scratch-${slug.slice(0, 45).replace(/-+$/, '')}-${shortHash(path)}`;
}
