import { createHash } from 'crypto';
import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { FsType } from './profiles/common';
import { ReclaimPolicy } from './storage-class';
import { StorageProfile } from './storage-profile';
import { ValidationError } from '../core/errors';
import { MANAGED_BY } from '../core/labels';
import { Names, shortHash } from '../core/naming';
import { sizeToQuantity } from '../core/units';
import { Warnings } from '../core/warnings';
import { clusterScoped, isSubdomain, kibibytes, toSubdomainPart } from './private/validate';
import { tolerationToKube } from '../core/workload/private/render';
import { Toleration } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { AccessMode, IStorageClass, VolumeMode } from '../core/workload/volumes';

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
  /** Directory on the node whose first-level entries become volumes. @default '/mnt/disks' */
  readonly hostDir?: string;
  /** Where the provisioner container sees `hostDir`. @default - hostDir */
  readonly mountDir?: string;
  /** Filesystem of Block-device volumes consumed as Filesystem (`fsType`). @default - none */
  readonly fsType?: FsType;
  /** @default BlockCleaner.quickReset() */
  readonly blockCleaner?: BlockCleaner;
  /** Only entries matching this glob become volumes (`namePattern`). @default '*' */
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

/** Props of a LocalVolumePool. */
export interface LocalVolumePoolProps {
  /** @default LocalVolumePoolMode.STATIC */
  readonly mode?: LocalVolumePoolMode;
  /** StorageClass name. @default - the construct id */
  readonly storageClassName?: string;
  /**
   * Disks: in static mode one PersistentVolume each; in discovery mode what you expect the
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

interface Disk {
  readonly node: string;
  readonly path: string;
  readonly kib: number;
  readonly capacity: Size;
  readonly volumeMode: VolumeMode;
  readonly name?: string;
}

const PROVISIONER_IMAGE = 'registry.k8s.io/sig-storage/local-volume-provisioner:v2.9.0';
const NODE_CLEANUP_IMAGE = 'registry.k8s.io/sig-storage/local-volume-node-cleanup:v2.9.0';
const HOSTNAME = 'kubernetes.io/hostname';
const WARNING_PREFIX = '@cdk8s-stateful/storage';

/**
 * Node-local disks as PersistentVolumes: a no-provisioner StorageClass (WaitForFirstConsumer,
 * Retain) plus either one PersistentVolume per disk (static) or the
 * sig-storage-local-static-provisioner v2.9.0 that discovers them (discovery). At synth, the
 * workloads using `pool.storageClass` are checked against the disks: an error in static mode,
 * a warning in discovery mode.
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#local
 */
export class LocalVolumePool extends Construct {
  /** The class to give data volumes. It cannot expand volumes. */
  public readonly storageClass: IStorageClass;
  /** The StorageClass object. */
  public readonly storageClassObject: k8s.KubeStorageClass;
  /** The mode. */
  public readonly mode: LocalVolumePoolMode;
  /** PersistentVolumes of static mode, in the order the disks were given. */
  public readonly persistentVolumes: k8s.KubePersistentVolume[] = [];
  /** The provisioner DaemonSet (discovery mode). */
  public readonly daemonSet?: k8s.KubeDaemonSet;
  /** The provisioner configuration (discovery mode). */
  public readonly configMap?: k8s.KubeConfigMap;

  private readonly disks: Disk[];
  private readonly className: string;

  constructor(scope: Construct, id: string, props: LocalVolumePoolProps = {}) {
    super(scope, id);
    // Registered first, so warnings it adds to this construct are printed in the same pass (the
    // printing hook of Warnings is registered on the first add, after this one).
    this.node.addValidation({ validate: () => this.checkCapacity() });
    this.mode = props.mode ?? LocalVolumePoolMode.STATIC;
    const name = props.storageClassName ?? id;
    this.className = name;
    Names.assertDns1123Subdomain(this, 'storageClassName', name);
    const reclaim = props.reclaimPolicy ?? ReclaimPolicy.RETAIN;
    const isStatic = this.mode === LocalVolumePoolMode.STATIC;
    if (isStatic && reclaim === ReclaimPolicy.DELETE) {
      throw new ValidationError(
        'reclaimPolicy Delete needs the static provisioner to wipe the disk and re-create the PersistentVolume; a hand-made local PV with Delete goes Failed ' +
          'when its claim is deleted (kubernetes-retired/external-storage#782). Use ReclaimPolicy.RETAIN, or mode LocalVolumePoolMode.DISCOVERY',
        this,
      );
    }
    if (isStatic && props.discovery) {
      throw new ValidationError("discovery options are set but mode is static; set mode: LocalVolumePoolMode.DISCOVERY or drop 'discovery'", this);
    }
    this.disks = this.collectDisks(props);
    if (isStatic && !this.disks.length) {
      throw new ValidationError("a static pool needs disks: list them in 'disks' or 'diskSets', or use mode LocalVolumePoolMode.DISCOVERY", this);
    }

    this.storageClass = new PoolStorageClass(name);
    this.storageClassObject = clusterScoped(new k8s.KubeStorageClass(this, 'StorageClass', {
      metadata: { name, labels: this.labels('storage') },
      provisioner: StorageProfile.localStatic().provisioner,
      reclaimPolicy: reclaim,
      // Binding waits for the pod so the scheduler picks a node that has a free disk.
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: false,
    }));

    if (isStatic) {
      this.addPersistentVolumes();
    } else {
      const d = this.addProvisioner(props.volumeMode ?? VolumeMode.FILESYSTEM, props.discovery ?? {});
      this.daemonSet = d.daemonSet;
      this.configMap = d.configMap;
    }
  }

  private labels(component: string): { [key: string]: string } {
    return {
      'app.kubernetes.io/name': 'local-volume-pool',
      'app.kubernetes.io/instance': this.className,
      'app.kubernetes.io/component': component,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
  }

  private collectDisks(props: LocalVolumePoolProps): Disk[] {
    const defaultMode = props.volumeMode ?? VolumeMode.FILESYSTEM;
    const out: Disk[] = [];
    const add = (node: string, path: string, capacity: Size, volumeMode: VolumeMode | undefined, name?: string) => {
      if (!/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/.test(node) || node.length > 63) {
        throw new ValidationError(`disk node '${node}' is not a kubernetes.io/hostname label value (at most 63 letters, digits, '-', '_' and '.')`, this);
      }
      if (!path.startsWith('/') || /\s/.test(path) || path.split('/').includes('..')) {
        throw new ValidationError(`disk path '${path}' on node '${node}' must be an absolute path without spaces or '..', e.g. /mnt/disks/<fs-uuid>`, this);
      }
      const kib = kibibytes(capacity);
      if (!(kib >= 1024)) {
        throw new ValidationError(`disk ${node}:${path} has capacity ${sizeToQuantity(capacity)}; give at least 1Mi, e.g. Size.gibibytes(370)`, this);
      }
      if (out.some((d) => d.node === node && d.path === path)) {
        throw new ValidationError(`disk ${node}:${path} is listed twice; list each disk once`, this);
      }
      out.push({ node, path, kib, capacity, volumeMode: volumeMode ?? defaultMode, name });
    };
    for (const d of props.disks ?? []) add(d.node, d.path, d.capacity, d.volumeMode, d.name);
    for (const s of props.diskSets ?? []) {
      if (!s.nodes.length || !s.paths.length) throw new ValidationError('a disk set needs at least one node and one path', this);
      for (const n of s.nodes) for (const p of s.paths) add(n, p, s.capacity, s.volumeMode);
    }
    return out;
  }

  private addPersistentVolumes(): void {
    const className = this.className;
    const names = new Set<string>();
    for (const d of this.disks) {
      const pvName = d.name ?? this.derivedPvName(d);
      if (!isSubdomain(pvName)) {
        throw new ValidationError(`PersistentVolume name '${pvName}' for ${d.node}:${d.path} is not a DNS-1123 subdomain; give the disk a 'name'`, this);
      }
      if (names.has(pvName)) {
        throw new ValidationError(`two disks map to PersistentVolume name '${pvName}'; give one of them a 'name'`, this);
      }
      names.add(pvName);
      this.persistentVolumes.push(clusterScoped(new k8s.KubePersistentVolume(this, `Volume-${pvName}`, {
        metadata: { name: pvName, labels: this.labels('storage') },
        spec: {
          capacity: { storage: k8s.Quantity.fromString(sizeToQuantity(d.capacity)) },
          volumeMode: d.volumeMode,
          accessModes: [AccessMode.READ_WRITE_ONCE],
          // Hand-made local PVs support only Retain (see the constructor).
          persistentVolumeReclaimPolicy: ReclaimPolicy.RETAIN,
          storageClassName: className,
          local: { path: d.path },
          // Required for local volumes: the scheduler places the pod on the disk's node.
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME, operator: 'In', values: [d.node] }] }] } },
        },
      })));
    }
  }

  /**
   * `<class>-<node>-<path>` when that is a valid name, as it always was (a PV name must never
   * change under a disk). Otherwise (a path with a `.`-led segment such as `/mnt/disks/.nvme`,
   * `/`, or over 253 characters, which `diskSets` could not name by hand) a readable prefix plus
   * a hash of the exact node and path: deterministic, unique, and a DNS-1123 subdomain.
   */
  private derivedPvName(d: Disk): string {
    const readable = `${this.className}-${toSubdomainPart(d.node)}-${toSubdomainPart(d.path)}`;
    if (isSubdomain(readable)) return readable;
    const hash = shortHash(`${d.node}\0${d.path}`, 10);
    const words = `${d.node}-${d.path}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    const room = 253 - this.className.length - hash.length - 2;
    const middle = room > 0 ? words.slice(0, room).replace(/-+$/, '') : '';
    return middle ? `${this.className}-${middle}-${hash}` : `${this.className}-${hash}`;
  }

  private addProvisioner(
    volumeMode: VolumeMode, o: LocalVolumeDiscoveryOptions,
  ): { daemonSet: k8s.KubeDaemonSet; configMap: k8s.KubeConfigMap } {
    const className = this.className;
    const hostDir = o.hostDir ?? '/mnt/disks';
    const mountDir = o.mountDir ?? hostDir;
    for (const [k, v] of [['hostDir', hostDir], ['mountDir', mountDir]]) {
      if (!v.startsWith('/') || /\s/.test(v) || v === '/') throw new ValidationError(`discovery.${k} '${v}' must be an absolute directory other than '/', e.g. /mnt/disks`, this);
    }
    if (o.fsType !== undefined && volumeMode === VolumeMode.BLOCK) {
      throw new ValidationError('discovery.fsType formats block devices consumed as Filesystem volumes; with volumeMode Block leave it out', this);
    }
    const passes = o.blockCleaner?.passCount;
    if (passes !== undefined && (!Number.isInteger(passes) || passes < 1 || passes > 10)) {
      throw new ValidationError(`blockCleaner passes must be a whole number from 1 to 10, got ${passes}`, this);
    }
    const namespace = o.namespace ?? 'kube-system';
    Names.assertDns1123Label(this, 'discovery.namespace', namespace);
    const base = `${className}-provisioner`;
    if (base.length > 63 - '-node-cleanup'.length) {
      throw new ValidationError(`storageClassName '${className}' is too long to name the provisioner objects; use at most ${63 - '-provisioner-node-cleanup'.length} characters`, this);
    }

    // storageClassMap as in the upstream chart's configmap.yaml; JSON strings are valid YAML scalars.
    const q = JSON.stringify;
    const lines = [
      `${className}:`,
      `  hostDir: ${q(hostDir)}`,
      `  mountDir: ${q(mountDir)}`,
      `  volumeMode: ${volumeMode}`,
      ...(o.fsType ? [`  fsType: ${o.fsType}`] : []),
      `  namePattern: ${q(o.namePattern ?? '*')}`,
      '  blockCleanerCommand:',
      ...(o.blockCleaner ?? BlockCleaner.quickReset()).command.map((c) => `    - ${q(c)}`),
    ];
    const storageClassMap = lines.join('\n') + '\n';
    const labels = this.labels('provisioner');
    const selector = { 'app.kubernetes.io/name': labels['app.kubernetes.io/name'], 'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'], 'app.kubernetes.io/component': 'provisioner' };

    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: base, namespace, labels } });
    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${base}-config`, namespace, labels },
      data: { storageClassMap },
    });
    // Rules: docs/provisioner.md (PVs, storage classes, events, nodes).
    const role = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: base, labels },
      rules: [
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['watch', 'create', 'update', 'patch'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'update'] },
      ],
    }));
    clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: base, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace }],
    }));

    const image = o.image ?? PROVISIONER_IMAGE;
    const tolerations = (o.tolerations ?? []).map(tolerationToKube);
    const daemonSet = new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: { name: base, namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels,
            // Roll the pods when the class map changes (the provisioner reads it at start).
            annotations: { 'checksum/config': createHash('sha256').update(storageClassMap).digest('hex') },
          },
          spec: {
            serviceAccountName: sa.name,
            nodeSelector: { 'kubernetes.io/os': 'linux', ...(o.nodeSelector ?? {}) },
            tolerations: tolerations.length ? tolerations : undefined,
            containers: [{
              name: 'provisioner',
              image,
              imagePullPolicy: 'IfNotPresent',
              // Privileged: it formats, wipes and inspects host block devices.
              securityContext: { privileged: true },
              env: [
                { name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'MY_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'JOB_CONTAINER_IMAGE', value: image },
              ],
              ports: [{ name: 'metrics', containerPort: 8080 }],
              volumeMounts: [
                { name: 'provisioner-config', mountPath: '/etc/provisioner/config', readOnly: true },
                { name: 'provisioner-dev', mountPath: '/dev' },
                // HostToContainer: disks mounted on the host after the pod started become visible.
                { name: 'disks', mountPath: mountDir, mountPropagation: 'HostToContainer' },
              ],
            }],
            volumes: [
              { name: 'provisioner-config', configMap: { name: configMap.name } },
              { name: 'provisioner-dev', hostPath: { path: '/dev' } },
              { name: 'disks', hostPath: { path: hostDir } },
            ],
          },
        },
      },
    });

    if (o.nodeCleanup) this.addNodeCleanup(base, namespace, o.nodeCleanupImage ?? NODE_CLEANUP_IMAGE);
    return { daemonSet, configMap };
  }

  /** The node-cleanup controller, as the upstream chart's node-cleanup-controller templates. */
  private addNodeCleanup(base: string, namespace: string, image: string): void {
    const name = `${base}-node-cleanup`;
    const labels = this.labels('node-cleanup-controller');
    const selector = { 'app.kubernetes.io/name': labels['app.kubernetes.io/name'], 'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'], 'app.kubernetes.io/component': 'node-cleanup-controller' };
    const sa = new k8s.KubeServiceAccount(this, 'NodeCleanupServiceAccount', { metadata: { name, namespace, labels } });
    const role = clusterScoped(new k8s.KubeClusterRole(this, 'NodeCleanupClusterRole', {
      metadata: { name, labels },
      rules: [
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'delete'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      ],
    }));
    clusterScoped(new k8s.KubeClusterRoleBinding(this, 'NodeCleanupClusterRoleBinding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace }],
    }));
    new k8s.KubeDeployment(this, 'NodeCleanup', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.name,
            containers: [{
              name: 'node-cleanup-controller',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: [`--storageclass-names=${this.className}`, '--pvc-deletion-delay=60s', '--stale-pv-discovery-interval=10s'],
              ports: [{ name: 'metrics', containerPort: 8080 }],
              // It only talks to the API server.
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
            }],
          },
        },
      },
    });
  }

  /** Workloads in the app whose data volumes use this pool, against the disks. */
  private checkCapacity(): string[] {
    // Without declared disks (discovery mode) only the access mode can be checked.
    const haveDisks = this.disks.length > 0;
    const className = this.className;
    const root = this.node.root as IConstruct;
    const problems = new Map<string, string[]>();
    const report = (id: string, message: string) => problems.set(id, [...(problems.get(id) ?? []), message]);
    const claims = new Map<VolumeMode, number>();

    for (const w of root.node.findAll()) {
      if (!(w instanceof StatefulWorkload)) continue;
      for (const v of w.dataVolumes) {
        if (v.storageClass?.storageClassName !== className) continue;
        // The pool's PVs offer ReadWriteOnce only, and a claim binds only to a PV that has every
        // access mode it asks for: any other mode leaves the claim (and the pod) Pending.
        const access = v.accessMode ?? AccessMode.READ_WRITE_ONCE;
        if (access !== AccessMode.READ_WRITE_ONCE) {
          report('accessModeUnsupported', `${w.node.path}: data volume '${v.name}' asks for access mode ${access}, but the pool's PersistentVolumes are ReadWriteOnce; ` +
            'use AccessMode.READ_WRITE_ONCE (a local disk is attached to one node)');
          continue;
        }
        if (!haveDisks) continue;
        const mode = v.volumeMode ?? VolumeMode.FILESYSTEM;
        claims.set(mode, (claims.get(mode) ?? 0) + w.replicas);
        const need = kibibytes(v.size);
        const fitting = this.disks.filter((d) => d.volumeMode === mode && d.kib >= need);
        if (!fitting.length && w.replicas > 0) {
          const largest = this.disks.filter((d) => d.volumeMode === mode).sort((a, b) => b.kib - a.kib)[0];
          report('claimLargerThanDisks', `${w.node.path}: data volume '${v.name}' asks for ${sizeToQuantity(v.size)} but ` +
            (largest ? `the largest ${mode} disk holds ${sizeToQuantity(largest.capacity)}` : `the pool has no ${mode} disks`) +
            '; lower the size or add larger disks');
          continue;
        }
        const nodes = new Set(fitting.map((d) => d.node));
        if (w.hardAntiAffinity && w.replicas > nodes.size) {
          report('replicasExceedNodes', `${w.node.path}: ${w.replicas} replicas with hard anti-affinity need ${w.replicas} nodes, ` +
            `but only ${nodes.size} node(s) have a ${mode} disk of ${sizeToQuantity(v.size)} or more for '${v.name}'; add disks on more nodes or lower replicas`);
        }
      }
    }
    for (const [mode, n] of claims) {
      const have = this.disks.filter((d) => d.volumeMode === mode).length;
      if (n > have) {
        report('claimsExceedInventory', `workloads claim ${n} ${mode} volume(s) of class '${className}' but the pool has ${have} ${mode} disk(s); ` +
          'add disks or lower replicas (extra pods stay Pending)');
      }
    }
    if (!problems.size) return [];
    if (this.mode === LocalVolumePoolMode.STATIC) {
      throw new ValidationError([...problems.values()].flat().join('; '), this);
    }
    // Discovery mode: the provisioner may find more disks than declared, so only warn. Added to
    // this construct during its own validation: Warnings' printing hook for it runs after this one.
    for (const [id, messages] of problems) Warnings.of(this).add(`${WARNING_PREFIX}:${id}`, messages.join('; '));
    return [];
  }
}

/** `pool.storageClass`: the pool's class, which never expands. */
class PoolStorageClass implements IStorageClass {
  public readonly allowVolumeExpansion = false;
  constructor(public readonly storageClassName: string) {}
}
