import { createHash } from 'crypto';
import { Chart, Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ContainerOptions, ContainerSecurityOptions, HealthProbe, WorkloadMount, WorkloadPort } from './container';
import { envToKube, resourcesToKube, tolerationToKube } from './private/render';
import { AntiAffinity, PlacementProps, TaintEffect, ZoneSpread } from './scheduling';
import { AccessMode, DataVolumeInfo, DataVolumeOptions, RetentionPolicy, VolumeMode } from './volumes';
import { ValidationError } from '../errors';
import { RecommendedLabels } from '../labels';
import { MAX_STATEFULSET_NAME, Names } from '../naming';
import { kibibytes, sizeToQuantity } from '../units';

/** How pods are created and deleted. */
export enum PodManagementPolicy {
  /** One at a time, in order, each Ready before the next. */
  ORDERED_READY = 'OrderedReady',
  /** All at once: required by quorum systems whose members must find each other to become Ready. */
  PARALLEL = 'Parallel',
}

/** How pod template changes roll out. */
export class UpdateStrategy {
  /**
   * Replace pods from the highest ordinal down, one at a time.
   * @param partition only pods with an ordinal ≥ partition are updated (staged rollouts).
   */
  public static rollingUpdate(partition?: number): UpdateStrategy {
    return new UpdateStrategy({ type: 'RollingUpdate', rollingUpdate: partition === undefined ? undefined : { partition } });
  }

  /** Pods are only replaced when you delete them (manual, e.g. replicas first, primary last). */
  public static onDelete(): UpdateStrategy {
    return new UpdateStrategy({ type: 'OnDelete' });
  }

  private constructor(private readonly spec: k8s.StatefulSetUpdateStrategy) {}

  /** The rolling-update partition, if any. */
  public get partition(): number | undefined {
    return this.spec.rollingUpdate?.partition;
  }

  /** The strategy as the Kubernetes API spells it. */
  public toKube(): k8s.StatefulSetUpdateStrategy {
    return this.spec;
  }
}

/** The PodDisruptionBudget. Set at most one of minAvailable and maxUnavailable. */
export interface DisruptionBudgetProps {
  /** @default true */
  readonly enabled?: boolean;
  /** @default 1 (when minAvailable is not set) */
  readonly maxUnavailable?: number;
  /** @default - not set */
  readonly minAvailable?: number;
}

/** Pod and container security. Defaults satisfy the restricted Pod Security Standard. */
export interface WorkloadSecurityProps {
  /** runAsUser. @default 1000 */
  readonly user?: number;
  /** runAsGroup. @default 1000 */
  readonly group?: number;
  /** fsGroup: group ownership of mounted volumes. @default - the group */
  readonly fsGroup?: number;
  /**
   * Read-only root filesystem; give the paths the image writes with `scratchPaths`.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Enforce the restricted profile (runAsNonRoot, drop ALL, no privilege escalation, seccomp
   * RuntimeDefault). Turn off only for an image that must start as root, and say why.
   * @default true
   */
  readonly restricted?: boolean;
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

/** A Role rule for the workload's ServiceAccount. */
export interface RbacRule {
  /** API groups, '' for the core group. */
  readonly apiGroups: string[];
  /** Resources, e.g. `configmaps`. */
  readonly resources: string[];
  /** Verbs, e.g. `get`. */
  readonly verbs: string[];
  /** Limit to these object names. @default - all objects of the resources */
  readonly resourceNames?: string[];
}

/** A client Service. */
export interface WorkloadServiceOptions {
  /** @default `<workload name>-<id>` */
  readonly name?: string;
  /** Names of the workload ports to expose. @default - all ports */
  readonly ports?: string[];
  /** Labels selected on top of the workload's selector (e.g. a role label). @default - none */
  readonly selector?: { [key: string]: string };
  /** @default kplus.ServiceType.CLUSTER_IP */
  readonly type?: kplus.ServiceType;
  /** @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** @default - none */
  readonly annotations?: { [key: string]: string };
}

/** Options of a Secret volume. */
export interface SecretVolumeOptions {
  /** @default 0o440 */
  readonly defaultMode?: number;
  /** Start the pod even when the Secret does not exist. @default false */
  readonly optional?: boolean;
}

/** Options of a ConfigMap volume. */
export interface ConfigMapVolumeOptions {
  /** @default 0o444 */
  readonly defaultMode?: number;
}

/** A volume from a Secret, ConfigMap or emptyDir, for `addVolume`. */
export class WorkloadVolume {
  /** Files from a Secret (e.g. TLS keys). */
  public static fromSecret(secret: kplus.ISecret, options: SecretVolumeOptions = {}): WorkloadVolume {
    return new WorkloadVolume({ secret: { secretName: secret.name, defaultMode: options.defaultMode ?? 0o440, optional: options.optional } });
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

  private constructor(private readonly source: Omit<k8s.Volume, 'name'>) {}

  /** The volume as the Kubernetes API spells it. */
  public toKube(name: string): k8s.Volume {
    return { name, ...this.source };
  }
}

/** Props of a StatefulWorkload. */
export interface StatefulWorkloadProps {
  /** Image of the main container, with a pinned tag or digest. */
  readonly image: string;
  /**
   * Name of the StatefulSet (and prefix of every object). Stateful: a new name means new, empty disks.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** app.kubernetes.io/name. @default - the name */
  readonly appName?: string;
  /** app.kubernetes.io/component. @default - none */
  readonly component?: string;
  /** app.kubernetes.io/part-of. @default - none */
  readonly partOf?: string;
  /** app.kubernetes.io/version (never in selectors or claim templates). @default - none */
  readonly version?: string;
  /** Name of the main container. @default - the app name */
  readonly containerName?: string;
  /** Ports of the main container. @default - none */
  readonly ports?: WorkloadPort[];
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - the image's cmd */
  readonly args?: string[];
  /** Environment of the main container, in order. @default - none */
  readonly env?: { [name: string]: kplus.EnvValue };
  /** @default - none (set them for production) */
  readonly resources?: kplus.ContainerResources;
  /** @default - none */
  readonly readiness?: HealthProbe;
  /** @default - none */
  readonly liveness?: HealthProbe;
  /** @default - none */
  readonly startup?: HealthProbe;
  /** Persistent data volumes, each a volumeClaimTemplate mounted in the main container. @default - none */
  readonly dataVolumes?: { [name: string]: DataVolumeOptions };
  /** Paths the image writes to, each an emptyDir (the root filesystem is read-only). @default - none */
  readonly scratchPaths?: string[];
  /** @default - PodManagementPolicy.ORDERED_READY */
  readonly podManagementPolicy?: PodManagementPolicy;
  /** @default UpdateStrategy.rollingUpdate() */
  readonly updateStrategy?: UpdateStrategy;
  /** @default - none */
  readonly minReady?: Duration;
  /** First pod ordinal (`spec.ordinals.start`, beta in 1.27). @default 0 */
  readonly ordinalsStart?: number;
  /** PVC retention when the StatefulSet is deleted. @default RetentionPolicy.RETAIN */
  readonly whenDeleted?: RetentionPolicy;
  /** PVC retention when the StatefulSet is scaled down. @default RetentionPolicy.RETAIN */
  readonly whenScaled?: RetentionPolicy;
  /** @default - maxUnavailable 1 */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /** Publish addresses of pods that are not ready on the headless Service (quorum systems). @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default - restricted, user/group 1000, read-only root */
  readonly security?: WorkloadSecurityProps;
  /** Role rules for the workload's ServiceAccount; the token is mounted only when there are rules. @default - none */
  readonly rbacRules?: RbacRule[];
  /** Create a NetworkPolicy allowing ingress only from the workload's own pods and `allowFrom` peers. @default true */
  readonly networkPolicy?: boolean;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** @default Duration.seconds(30) */
  readonly terminationGracePeriod?: Duration;
  /** Inject service-link env vars (they can clash with images that read `<NAME>_PORT`). @default false */
  readonly enableServiceLinks?: boolean;
  /** Extra pod labels (not in selectors). @default - none */
  readonly podLabels?: { [key: string]: string };
  /** Extra pod annotations. @default - none */
  readonly podAnnotations?: { [key: string]: string };
}

interface PeerRule {
  readonly peer: k8s.NetworkPolicyPeer;
  readonly ports?: string[];
}

const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** Claim template request of an expandable volume, unless `claimTemplateSize` says otherwise. */
const DEFAULT_CLAIM_TEMPLATE_SIZE = Size.gibibytes(1);
/** Keep per-ordinal claims when pruning tools (Helm, Argo CD, Flux) would otherwise delete them. */
const KEEP_ANNOTATIONS = {
  'helm.sh/resource-policy': 'keep',
  'argocd.argoproj.io/sync-options': 'Prune=false',
  // Flux kustomize-controller with `prune: true` deletes what leaves the output (a scale-in).
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * The spine of every stateful system: a StatefulSet with a headless Service, client Services,
 * a PodDisruptionBudget, volume claim templates, placement, a ServiceAccount (and RBAC when
 * asked), a NetworkPolicy, recommended labels and restricted security defaults.
 */
export class StatefulWorkload extends Construct {
  /** The StatefulSet name: stable, never hashed. */
  public readonly name: string;
  /** Replicas. */
  public readonly replicas: number;
  /** First pod ordinal. */
  public readonly ordinalsStart: number;
  /** The cluster DNS domain. */
  public readonly clusterDomain: string;
  /** Selector labels (name, instance, component). */
  public readonly selectorLabels: { [key: string]: string };
  /** Labels on every object (no version). */
  public readonly labels: { [key: string]: string };
  /** Whether pods are kept on different nodes (hard anti-affinity). */
  public readonly hardAntiAffinity: boolean;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The headless Service (the StatefulSet's serviceName). */
  public readonly headlessService: k8s.KubeService;
  /** The ServiceAccount the pods run as. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The PodDisruptionBudget, unless disabled. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy, unless disabled. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The name of the main container. */
  public readonly containerName: string;

  private readonly recommended: RecommendedLabels;
  private readonly props: StatefulWorkloadProps;
  private readonly ports: WorkloadPort[] = [];
  private readonly env: k8s.EnvVar[] = [];
  private readonly extraArgs: string[] = [];
  private readonly dataVolumeList: DataVolumeInfo[] = [];
  private readonly claims: k8s.KubePersistentVolumeClaim[] = [];
  private readonly scratch = new Map<string, ScratchVolumeOptions>();
  private readonly extraVolumes = new Map<string, WorkloadVolume>();
  private readonly configVolumes = new Map<string, { cm: k8s.KubeConfigMap; options: ConfigFilesOptions }>();
  private readonly mainMounts: WorkloadMount[] = [];
  private readonly initContainers: ContainerOptions[] = [];
  private readonly sidecars: ContainerOptions[] = [];
  private readonly rules: RbacRule[] = [];
  private readonly peers: PeerRule[] = [];
  private readonly serviceMap = new Map<string, k8s.KubeService>();
  private readonly servicePorts = new Map<string, string[] | undefined>();
  private readonly podAnnotations: { [key: string]: string };
  private readonly podLabels: { [key: string]: string };
  private role?: k8s.KubeRole;
  private roleBindingObj?: k8s.KubeRoleBinding;
  private needsPodIdentityEnv = false;
  private tokenNeeded = false;

  constructor(scope: Construct, id: string, props: StatefulWorkloadProps) {
    super(scope, id);
    this.props = props;
    this.name = Names.stable(this, props.name, MAX_STATEFULSET_NAME);
    this.replicas = props.replicas ?? 1;
    this.ordinalsStart = props.ordinalsStart ?? 0;
    this.clusterDomain = props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    this.containerName = props.containerName ?? props.appName ?? this.name;
    this.validateProps(props);

    this.recommended = new RecommendedLabels({
      appName: props.appName ?? this.name,
      instance: this.name,
      component: props.component,
      partOf: props.partOf,
      version: props.version,
    });
    this.selectorLabels = this.recommended.selector;
    this.labels = this.recommended.stable;
    this.podLabels = { ...(props.podLabels ?? {}) };
    this.podAnnotations = { ...(props.podAnnotations ?? {}) };
    const placement = props.placement ?? {};
    this.hardAntiAffinity = placement.antiAffinity === AntiAffinity.HARD;

    for (const p of props.ports ?? []) this.addPort(p);
    for (const [k, v] of Object.entries(props.env ?? {})) this.addEnv(k, v);
    for (const [k, v] of Object.entries(props.dataVolumes ?? {})) this.addDataVolume(k, v);
    for (const p of props.scratchPaths ?? []) this.addScratchPath(p);
    for (const r of props.rbacRules ?? []) this.addRbacRule(r);

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels: this.recommended.all },
      automountServiceAccountToken: false,
    });

    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: `${this.name}-headless`, labels: this.recommended.all },
      spec: Lazy.any({
        produce: () => ({
          clusterIp: 'None',
          publishNotReadyAddresses: props.publishNotReadyAddresses ? true : undefined,
          selector: this.selectorLabels,
          ports: this.ports.map((p) => this.servicePort(p)),
        }),
      }),
    });

    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name: this.name, labels: this.recommended.all },
      spec: Lazy.any({ produce: () => this.buildSpec() }),
    });
    // The StatefulSet adopts the per-ordinal claims of expandable volumes only if they exist first.
    if (this.claims.length) this.statefulSet.addDependency(...this.claims);

    const pdb = props.disruptionBudget ?? {};
    if (pdb.enabled ?? true) {
      const minAvailable = pdb.minAvailable;
      const maxUnavailable = minAvailable === undefined ? (pdb.maxUnavailable ?? 1) : undefined;
      this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name, labels: this.recommended.all },
        spec: {
          selector: { matchLabels: this.selectorLabels },
          maxUnavailable: maxUnavailable === undefined ? undefined : k8s.IntOrString.fromNumber(maxUnavailable),
          minAvailable: minAvailable === undefined ? undefined : k8s.IntOrString.fromNumber(minAvailable),
        },
      });
    }

    if (props.networkPolicy ?? true) {
      this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: { name: this.name, labels: this.recommended.all },
        spec: Lazy.any({ produce: () => this.buildNetworkPolicySpec() }),
      });
    }
  }

  // ---------------------------------------------------------------- public API

  /** The Role, once an RBAC rule was added. */
  public get roleObject(): k8s.KubeRole | undefined {
    return this.role;
  }

  /** The RoleBinding, once an RBAC rule was added. */
  public get roleBinding(): k8s.KubeRoleBinding | undefined {
    return this.roleBindingObj;
  }

  /** Data volumes, in the order they were added. */
  public get dataVolumes(): DataVolumeInfo[] {
    return [...this.dataVolumeList];
  }

  /**
   * The per-ordinal PersistentVolumeClaims of `expandable` data volumes
   * (`<volume>-<statefulset>-<ordinal>`), in volume then ordinal order.
   */
  public get persistentVolumeClaims(): k8s.KubePersistentVolumeClaim[] {
    return [...this.claims];
  }

  /** Client Services by id. */
  public service(id: string): k8s.KubeService {
    const s = this.serviceMap.get(id);
    if (!s) throw new ValidationError(`no Service with id '${id}'; add it with addService('${id}', ...)`, this);
    return s;
  }

  /** The namespace objects land in, when the chart sets one. */
  public get namespace(): string | undefined {
    return Chart.of(this).namespace;
  }

  /** Name of the pod with this ordinal. */
  public podName(ordinal: number): string {
    return `${this.name}-${ordinal}`;
  }

  /**
   * Stable DNS name of one pod through the headless Service:
   * `<pod>.<headless>.<namespace>.svc.<clusterDomain>`, or `<pod>.<headless>` (resolvable from
   * the same namespace) when the chart sets no namespace.
   */
  public podDnsName(ordinal: number): string {
    return this.qualify(`${this.podName(ordinal)}.${this.headlessService.name}`);
  }

  /** DNS name of the headless Service (every pod's address). */
  public get serviceDnsName(): string {
    return this.qualify(this.headlessService.name);
  }

  /** DNS name of a Service of this workload's namespace, qualified like `podDnsName`. */
  public qualify(host: string): string {
    const ns = this.namespace;
    return ns ? `${host}.${ns}.svc.${this.clusterDomain}` : host;
  }

  /**
   * The same name built from the pod's own env at run time:
   * `<prefix>.<headless>.$(POD_NAMESPACE).svc.<clusterDomain>`. Calling it makes the main
   * container define `POD_NAME` and `POD_NAMESPACE` (downward API) first, unless already set:
   * the kubelet leaves an undefined `$(VAR)` as literal text.
   */
  public runtimeDnsName(podNameExpr: string = '$(POD_NAME)'): string {
    this.needsPodIdentityEnv = true;
    return `${podNameExpr}.${this.headlessService.name}.$(POD_NAMESPACE).svc.${this.clusterDomain}`;
  }

  /** Add a port to the main container (and to the headless Service). */
  public addPort(port: WorkloadPort): void {
    if (!PORT_NAME.test(port.name) || port.name.length > 15 || !/[a-z]/.test(port.name)) {
      throw new ValidationError(`port name '${port.name}' must be an IANA service name: at most 15 lower-case letters, digits and '-', with at least one letter`, this);
    }
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
      throw new ValidationError(`port '${port.name}' has number ${port.port}; use an integer from 1 to 65535`, this);
    }
    for (const p of this.ports) {
      if (p.name === port.name) throw new ValidationError(`duplicate port name '${port.name}'; give each port its own name`, this);
      if (p.port === port.port && (p.protocol ?? kplus.Protocol.TCP) === (port.protocol ?? kplus.Protocol.TCP)) {
        throw new ValidationError(`ports '${p.name}' and '${port.name}' both use ${port.port}; give each its own number`, this);
      }
    }
    this.ports.push(port);
  }

  /** Ports of the main container. */
  public get portList(): WorkloadPort[] {
    return [...this.ports];
  }

  /** Number of a named port. */
  public portNumber(name: string): number {
    const p = this.ports.find((x) => x.name === name);
    if (!p) throw new ValidationError(`no port named '${name}'; ports are: ${this.ports.map((x) => x.name).join(', ') || 'none'}`, this);
    return p.port;
  }

  /**
   * Append arguments to the main container's args (after `args` from props). Useful when they
   * depend on the workload's own names, e.g. `runtimeDnsName()`.
   */
  public addArgs(...args: string[]): void {
    this.extraArgs.push(...args);
  }

  /** Add an env var to the main container (after the existing ones). */
  public addEnv(name: string, value: kplus.EnvValue): void {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
      throw new ValidationError(`env var name '${name}' is invalid; use letters, digits, '_', '-' and '.', not starting with a digit`, this);
    }
    if (this.env.some((e) => e.name === name)) {
      throw new ValidationError(`env var '${name}' is set twice; set it once`, this);
    }
    this.env.push({ name, value: value.value, valueFrom: value.valueFrom });
  }

  /** Add a persistent data volume (a volumeClaimTemplate) mounted in the main container. */
  public addDataVolume(name: string, options: DataVolumeOptions): void {
    // A pod volume name (label, ≤ 63); the PVC `<name>-<statefulset>-<ordinal>` is a subdomain (≤ 253).
    Names.assertDns1123Label(this, 'data volume name', name);
    this.assertNewVolumeName(name);
    if (!(kibibytes(options.size) >= 1024)) {
      throw new ValidationError(`data volume '${name}' has size ${sizeToQuantity(options.size)}; give at least 1Mi, e.g. Size.gibibytes(10)`, this);
    }
    // The API server requires a positive storage request in every claim template.
    if (options.expandable && options.claimTemplateSize !== undefined && !(kibibytes(options.claimTemplateSize) >= 1024)) {
      throw new ValidationError(
        `data volume '${name}' has claimTemplateSize ${sizeToQuantity(options.claimTemplateSize)}; give at least 1Mi, ` +
          'e.g. the size the StatefulSet was created with, or leave it out for 1Gi',
        this,
      );
    }
    if (options.volumeMode === VolumeMode.BLOCK && options.subPath) {
      throw new ValidationError(`data volume '${name}' is a block device and cannot have a subPath`, this);
    }
    if (options.expandable && options.storageClass?.allowVolumeExpansion === false) {
      throw new ValidationError(
        `data volume '${name}' is expandable but StorageClass '${options.storageClass.storageClassName}' does not allow volume expansion; ` +
          'use a class with allowVolumeExpansion: true, or drop expandable',
        this,
      );
    }
    this.dataVolumeList.push({ name, ...options });
    if (options.expandable) this.addExpandableClaims({ name, ...options });
    if (options.volumeMode !== VolumeMode.BLOCK) {
      this.addMount({ volume: name, mountPath: options.mountPath, subPath: options.subPath });
    }
  }

  /** Add an emptyDir mounted at `path` in the main container (a path the image writes to). */
  public addScratchPath(path: string, options: ScratchVolumeOptions = {}): string {
    const name = 'scratch-' + (path.replace(/^\/+|\/+$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root');
    this.assertNewVolumeName(name);
    this.scratch.set(name, options);
    this.addMount({ volume: name, mountPath: path });
    return name;
  }

  /** Add a volume that containers can mount by name with `mounts`. */
  public addVolume(name: string, volume: WorkloadVolume): void {
    Names.assertDns1123Label(this, 'volume name', name);
    this.assertNewVolumeName(name);
    this.extraVolumes.set(name, volume);
  }

  /** Mount a volume (by name) in the main container. */
  public addMount(mount: WorkloadMount): void {
    const clash = this.mainMounts.find((m) => m.mountPath === mount.mountPath);
    if (clash) {
      throw new ValidationError(`volumes '${clash.volume}' and '${mount.volume}' are both mounted at ${mount.mountPath} in container '${this.containerName}'; use different paths`, this);
    }
    this.mainMounts.push(mount);
  }

  /**
   * Files from a ConfigMap this workload owns (`<name>-<volumeName>`), mounted in the main
   * container. Their checksum goes on the pod template so a change rolls the pods.
   */
  public addConfigFiles(volumeName: string, options: ConfigFilesOptions): k8s.KubeConfigMap {
    Names.assertDns1123Label(this, 'config volume name', volumeName);
    this.assertNewVolumeName(volumeName);
    const cm = new k8s.KubeConfigMap(this, `Config-${volumeName}`, {
      metadata: { name: `${this.name}-${volumeName}`, labels: this.recommended.all },
      data: { ...options.files },
    });
    this.configVolumes.set(volumeName, { cm, options });
    this.addMount({ volume: volumeName, mountPath: options.mountPath, readOnly: true });
    return cm;
  }

  /** Add an init container (runs to completion before the main container, in order). */
  public addInitContainer(container: ContainerOptions): void {
    this.assertNewContainer(container.name);
    // pkg/apis/core/validation: probes "may not be set for init containers without restartPolicy=Always".
    const probes = (['readiness', 'liveness', 'startup'] as const).filter((k) => container[k] !== undefined);
    if (probes.length) {
      throw new ValidationError(`init container '${container.name}' sets ${probes.join(', ')}: init containers run to completion and cannot have probes; drop them, or use addSidecar`, this);
    }
    this.initContainers.push(container);
  }

  /** Add a sidecar container. */
  public addSidecar(container: ContainerOptions): void {
    this.assertNewContainer(container.name);
    this.assertProbes(container.name, container.liveness, container.startup);
    this.sidecars.push(container);
  }

  /** Add a Role rule; the first one creates the Role and RoleBinding and mounts the token. */
  public addRbacRule(rule: RbacRule): void {
    if (!rule.verbs.length || !rule.resources.length) {
      throw new ValidationError('an RBAC rule needs at least one verb and one resource', this);
    }
    this.rules.push(rule);
    if (!this.role) {
      this.role = new k8s.KubeRole(this, 'Role', {
        metadata: { name: this.name, labels: this.recommended.all },
        rules: Lazy.any({ produce: () => this.rules.map((r) => ({ ...r })) }),
      });
      this.roleBindingObj = new k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: { name: this.name, labels: this.recommended.all },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.role.name },
        subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }],
      });
    }
  }

  /**
   * Mount the ServiceAccount token in the pods although the workload has no Role rules (e.g. an
   * init container reads the API with a ClusterRole bound elsewhere). Rules added with
   * `addRbacRule` mount it anyway.
   */
  public mountServiceAccountToken(): void {
    this.tokenNeeded = true;
  }

  /** Add a pod annotation. */
  public addPodAnnotation(key: string, value: string): void {
    this.podAnnotations[key] = value;
  }

  /** Add a pod label (never part of the selector). */
  public addPodLabel(key: string, value: string): void {
    if (key in this.selectorLabels) {
      throw new ValidationError(`pod label '${key}' is a selector label and cannot be overridden`, this);
    }
    this.assertLabel(key, value);
    this.podLabels[key] = value;
  }

  /**
   * A client Service selecting the workload's pods (plus `selector` labels, e.g. a role).
   * `addService('ro', { selector: { role: 'replica' } })` → Service `<name>-ro`.
   */
  public addService(id: string, options: WorkloadServiceOptions = {}): k8s.KubeService {
    if (this.serviceMap.has(id)) throw new ValidationError(`a Service with id '${id}' exists already`, this);
    const name = options.name ?? `${this.name}-${id}`;
    Names.assertDns1035(this, 'Service name', name);
    for (const n of options.ports ?? []) this.portNumber(n);
    const svc = new k8s.KubeService(this, `Service-${id}`, {
      metadata: { name, labels: this.recommended.all, annotations: options.annotations },
      spec: Lazy.any({
        produce: () => ({
          type: options.type ?? kplus.ServiceType.CLUSTER_IP,
          publishNotReadyAddresses: options.publishNotReadyAddresses ? true : undefined,
          selector: { ...this.selectorLabels, ...(options.selector ?? {}) },
          ports: this.ports.filter((p) => !options.ports || options.ports.includes(p.name)).map((p) => this.servicePort(p)),
        }),
      }),
    });
    this.serviceMap.set(id, svc);
    this.servicePorts.set(id, options.ports);
    return svc;
  }

  /**
   * Allow ingress from a peer: a cdk8s-plus-28 workload or pod selector (`kplus.Pods.select`),
   * namespaces (`kplus.Namespaces.select`) or an IP block. Only `ports` (names) when given.
   */
  public allowFrom(peer: kplus.INetworkPolicyPeer, ports?: string[]): void {
    for (const n of ports ?? []) this.portNumber(n);
    this.peers.push({ peer: this.peerToKube(peer), ports });
  }

  /** Allow ingress from pods with these labels in the same namespace. */
  public allowFromLabels(labels: { [key: string]: string }, ports?: string[]): void {
    for (const n of ports ?? []) this.portNumber(n);
    this.peers.push({ peer: { podSelector: { matchLabels: { ...labels } } }, ports });
  }

  // ---------------------------------------------------------------- synthesis

  private servicePort(p: WorkloadPort): k8s.ServicePort {
    return { name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol ?? kplus.Protocol.TCP };
  }

  private buildSpec(): k8s.StatefulSetSpec {
    const p = this.props;
    const update = p.updateStrategy ?? UpdateStrategy.rollingUpdate();
    return {
      replicas: this.replicas,
      serviceName: this.headlessService.name,
      podManagementPolicy: p.podManagementPolicy,
      updateStrategy: update.toKube(),
      minReadySeconds: p.minReady?.toSeconds(),
      ordinals: this.ordinalsStart ? { start: this.ordinalsStart } : undefined,
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: p.whenDeleted ?? RetentionPolicy.RETAIN,
        whenScaled: p.whenScaled ?? RetentionPolicy.RETAIN,
      },
      selector: { matchLabels: this.selectorLabels },
      template: {
        metadata: {
          labels: { ...this.podLabels, ...this.recommended.all },
          annotations: this.buildPodAnnotations(),
        },
        spec: this.buildPodSpec(),
      },
      volumeClaimTemplates: this.dataVolumeList.length ? this.dataVolumeList.map((v) => this.claimTemplate(v)) : undefined,
    };
  }

  private claimTemplate(v: DataVolumeInfo): k8s.KubePersistentVolumeClaimProps {
    // An expandable volume's template must never change with `size` (immutable field): its
    // claims exist before the StatefulSet, so the controller never creates one from it.
    const size = v.expandable ? (v.claimTemplateSize ?? DEFAULT_CLAIM_TEMPLATE_SIZE) : v.size;
    return {
      // Only the stable labels: a version label here makes every upgrade fail (immutable field).
      metadata: { name: v.name, labels: this.labels },
      spec: this.claimSpec(v, size),
    };
  }

  private claimSpec(v: DataVolumeInfo, size: Size): k8s.PersistentVolumeClaimSpec {
    return {
      accessModes: [v.accessMode ?? AccessMode.READ_WRITE_ONCE],
      storageClassName: v.storageClass?.storageClassName,
      volumeMode: v.volumeMode,
      resources: { requests: { storage: k8s.Quantity.fromString(sizeToQuantity(size)) } },
    };
  }

  /**
   * The claims the StatefulSet controller would create (`<volume>-<sts>-<ordinal>`), written
   * out so that their size can grow in place (PVC requests may increase; templates may not).
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#expanding-persistent-volumes-claims
   */
  private addExpandableClaims(v: DataVolumeInfo): void {
    const sts = this.statefulSet as k8s.KubeStatefulSet | undefined;
    for (let ordinal = this.ordinalsStart; ordinal < this.ordinalsStart + this.replicas; ordinal++) {
      const claim = new k8s.KubePersistentVolumeClaim(this, `Claim-${v.name}-${ordinal}`, {
        metadata: { name: `${v.name}-${this.name}-${ordinal}`, labels: this.labels, annotations: { ...KEEP_ANNOTATIONS } },
        spec: this.claimSpec(v, v.size),
      });
      this.claims.push(claim);
      // During the constructor the StatefulSet does not exist yet; it takes the dependency then.
      if (sts) sts.addDependency(claim);
    }
  }

  private buildPodAnnotations(): { [key: string]: string } | undefined {
    const a = { ...this.podAnnotations };
    if (this.configVolumes.size) {
      const h = createHash('sha256');
      for (const name of [...this.configVolumes.keys()].sort()) {
        const files = this.configVolumes.get(name)!.options.files;
        h.update(JSON.stringify([name, Object.keys(files).sort().map((f) => [f, files[f]])]));
      }
      a['checksum/config'] = h.digest('hex');
    }
    return Object.keys(a).length ? a : undefined;
  }

  private podSecurity(): k8s.PodSecurityContext {
    const s = this.props.security ?? {};
    const user = s.user ?? 1000;
    const group = s.group ?? 1000;
    const restricted = s.restricted ?? true;
    return {
      runAsNonRoot: restricted ? true : undefined,
      runAsUser: user,
      runAsGroup: group,
      fsGroup: s.fsGroup ?? group,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }

  private containerSecurity(o: ContainerSecurityOptions = {}): k8s.SecurityContext {
    const s = this.props.security ?? {};
    const restricted = s.restricted ?? true;
    return {
      runAsNonRoot: restricted && !o.privileged ? true : undefined,
      runAsUser: o.user,
      runAsGroup: o.group,
      privileged: o.privileged ? true : undefined,
      allowPrivilegeEscalation: o.privileged ? true : false,
      readOnlyRootFilesystem: o.readOnlyRootFilesystem ?? s.readOnlyRootFilesystem ?? true,
      capabilities: restricted && !o.privileged ? { drop: ['ALL'] } : undefined,
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }

  private buildContainer(c: ContainerOptions, extraEnv: k8s.EnvVar[] = []): k8s.Container {
    const env = [...envToKube(c.env), ...extraEnv];
    return {
      name: c.name,
      image: c.image,
      imagePullPolicy: 'IfNotPresent',
      command: c.command,
      args: c.args,
      workingDir: c.workingDir,
      env: env.length ? env : undefined,
      ports: c.ports?.length ? c.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? kplus.Protocol.TCP })) : undefined,
      resources: resourcesToKube(c.resources),
      volumeMounts: c.mounts?.length ? c.mounts.map((m) => this.mountToKube(m)) : undefined,
      readinessProbe: c.readiness?.toKube(),
      livenessProbe: c.liveness?.toKube(),
      startupProbe: c.startup?.toKube(),
      securityContext: this.containerSecurity(c.security),
    };
  }

  /**
   * POD_NAME and POD_NAMESPACE for `runtimeDnsName()`, those not set already. First in the list:
   * a `$(VAR)` in an env value resolves only against variables defined before it.
   */
  private podIdentityEnv(): k8s.EnvVar[] {
    if (!this.needsPodIdentityEnv) return [];
    const fields: Array<[string, string]> = [['POD_NAME', 'metadata.name'], ['POD_NAMESPACE', 'metadata.namespace']];
    return fields.filter(([name]) => !this.env.some((e) => e.name === name))
      .map(([name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } }));
  }

  private mountToKube(m: WorkloadMount): k8s.VolumeMount {
    return { name: m.volume, mountPath: m.mountPath, subPath: m.subPath, readOnly: m.readOnly ? true : undefined };
  }

  private buildPodSpec(): k8s.PodSpec {
    const p = this.props;
    const placement = p.placement ?? {};
    const hasRbac = this.rules.length > 0 || this.tokenNeeded;
    const blockVolumes = this.dataVolumeList.filter((v) => v.volumeMode === VolumeMode.BLOCK);
    const main: k8s.Container = {
      ...this.buildContainer({
        name: this.containerName,
        image: p.image,
        command: p.command,
        args: p.args || this.extraArgs.length ? [...(p.args ?? []), ...this.extraArgs] : undefined,
        ports: this.ports,
        resources: p.resources,
        mounts: this.mainMounts,
        readiness: p.readiness,
        liveness: p.liveness,
        startup: p.startup,
      }, [...this.podIdentityEnv(), ...this.env]),
      volumeDevices: blockVolumes.length ? blockVolumes.map((v) => ({ name: v.name, devicePath: v.mountPath })) : undefined,
    };
    this.validateMounts();

    const volumes: k8s.Volume[] = [];
    for (const [name, { cm, options }] of this.configVolumes) {
      volumes.push({ name, configMap: { name: cm.name, defaultMode: options.defaultMode ?? 0o444 } });
    }
    for (const [name, o] of this.scratch) volumes.push(WorkloadVolume.emptyDir(o).toKube(name));
    for (const [name, v] of this.extraVolumes) volumes.push(v.toKube(name));

    const nodeSelector: { [k: string]: string } = { ...(placement.nodeSelector ?? {}) };
    const tolerations: k8s.Toleration[] = (placement.tolerations ?? []).map(tolerationToKube);
    if (placement.dedicatedNodes) {
      const d = placement.dedicatedNodes;
      nodeSelector[d.key] = d.value;
      tolerations.push({ key: d.key, operator: 'Equal', value: d.value, effect: d.effect ?? TaintEffect.NO_SCHEDULE });
    }

    return {
      serviceAccountName: this.serviceAccount.name,
      automountServiceAccountToken: hasRbac,
      enableServiceLinks: p.enableServiceLinks ?? false,
      terminationGracePeriodSeconds: (p.terminationGracePeriod ?? Duration.seconds(30)).toSeconds(),
      securityContext: this.podSecurity(),
      priorityClassName: placement.priorityClassName,
      nodeSelector: Object.keys(nodeSelector).length ? nodeSelector : undefined,
      tolerations: tolerations.length ? tolerations : undefined,
      affinity: this.buildAffinity(placement.antiAffinity ?? AntiAffinity.SOFT),
      topologySpreadConstraints: this.buildSpread(placement.zoneSpread ?? ZoneSpread.SOFT),
      initContainers: this.initContainers.length ? this.initContainers.map((c) => this.buildContainer(c)) : undefined,
      containers: [main, ...this.sidecars.map((c) => this.buildContainer(c))],
      volumes: volumes.length ? volumes : undefined,
    };
  }

  private buildAffinity(mode: AntiAffinity): k8s.Affinity | undefined {
    const term: k8s.PodAffinityTerm = {
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: this.selectorLabels },
    };
    switch (mode) {
      case AntiAffinity.HARD:
        return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
      case AntiAffinity.SOFT:
        return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
      default:
        return undefined;
    }
  }

  private buildSpread(mode: ZoneSpread): k8s.TopologySpreadConstraint[] | undefined {
    if (mode === ZoneSpread.NONE) return undefined;
    return [{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: mode === ZoneSpread.HARD ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: this.selectorLabels },
    }];
  }

  private buildNetworkPolicySpec(): k8s.NetworkPolicySpec {
    const portsOf = (names?: string[]): k8s.NetworkPolicyPort[] | undefined => names?.map((n) => {
      const port = this.ports.find((x) => x.name === n)!;
      return { port: k8s.IntOrString.fromNumber(port.port), protocol: port.protocol ?? kplus.Protocol.TCP };
    });
    return {
      podSelector: { matchLabels: this.selectorLabels },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: this.selectorLabels } }] },
        ...this.peers.map((r) => ({ from: [r.peer], ports: portsOf(r.ports) })),
      ],
    };
  }

  private peerToKube(peer: kplus.INetworkPolicyPeer): k8s.NetworkPolicyPeer {
    const cfg = peer.toNetworkPolicyPeerConfig();
    if (cfg.ipBlock) return { ipBlock: { cidr: cfg.ipBlock.cidr, except: cfg.ipBlock.except } };
    const ps = cfg.podSelector!;
    // LabelSelector._toKube is cdk8s-plus-28's own conversion (2.5.6 is frozen); reuse it.
    const podSelector = (ps.labelSelector as any)._toKube() as k8s.LabelSelector;
    const ns = ps.namespaces;
    if (!ns) return { podSelector };
    const nsSelector: k8s.LabelSelector = ns.labelSelector ? (ns.labelSelector as any)._toKube() : {};
    const names = ns.names ?? [];
    const namespaceSelector: k8s.LabelSelector = names.length
      ? { ...nsSelector, matchExpressions: [...(nsSelector.matchExpressions ?? []), { key: 'kubernetes.io/metadata.name', operator: 'In', values: names }] }
      : nsSelector;
    const isAllPods = !podSelector.matchLabels && !podSelector.matchExpressions;
    return isAllPods && (names.length || ns.labelSelector) ? { namespaceSelector } : { podSelector, namespaceSelector };
  }

  // ---------------------------------------------------------------- validation

  private validateProps(p: StatefulWorkloadProps): void {
    if (!Number.isInteger(this.replicas) || this.replicas < 0) {
      throw new ValidationError(`replicas must be a whole number ≥ 0, got ${p.replicas}`, this);
    }
    if (!Number.isInteger(this.ordinalsStart) || this.ordinalsStart < 0) {
      throw new ValidationError(`ordinalsStart must be a whole number ≥ 0, got ${p.ordinalsStart}`, this);
    }
    if (!p.image || /\s/.test(p.image)) {
      throw new ValidationError(`image '${p.image}' is not an image reference; give e.g. 'docker.io/library/postgres:16.4'`, this);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(this.clusterDomain)) {
      throw new ValidationError(`clusterDomain '${this.clusterDomain}' is not a DNS domain; the default is 'cluster.local'`, this);
    }
    // These become label values (selectors included): the API server rejects anything else.
    for (const [k, v] of [['appName', p.appName], ['component', p.component], ['partOf', p.partOf]] as const) {
      if (v !== undefined) this.assertLabelValue(k, v);
    }
    for (const [k, v] of Object.entries(p.podLabels ?? {})) this.assertLabel(k, v);
    this.assertProbes(this.containerName, p.liveness, p.startup);
    Names.assertDns1123Label(this, 'container name', this.containerName);
    const partition = p.updateStrategy?.partition;
    if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) {
      throw new ValidationError(`rolling update partition must be a whole number ≥ 0, got ${partition}`, this);
    }
    const b = p.disruptionBudget ?? {};
    if (b.enabled ?? true) {
      if (b.minAvailable !== undefined && b.maxUnavailable !== undefined) {
        throw new ValidationError(`disruptionBudget sets both minAvailable (${b.minAvailable}) and maxUnavailable (${b.maxUnavailable}); set only one`, this);
      }
      for (const [k, v] of [['minAvailable', b.minAvailable], ['maxUnavailable', b.maxUnavailable]] as const) {
        if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
          throw new ValidationError(`disruptionBudget.${k} must be a whole number ≥ 0, got ${v}`, this);
        }
      }
      if (b.maxUnavailable === 0) {
        throw new ValidationError('disruptionBudget.maxUnavailable 0 blocks every node drain forever; use 1 (the default)', this);
      }
      if (b.minAvailable !== undefined && this.replicas > 0 && b.minAvailable >= this.replicas) {
        throw new ValidationError(
          `disruptionBudget.minAvailable ${b.minAvailable} with ${this.replicas} replica(s) never allows a voluntary disruption and blocks node drains; use at most ${this.replicas - 1}, or leave it out for maxUnavailable 1`,
          this,
        );
      }
    }
    if (p.terminationGracePeriod && p.terminationGracePeriod.toSeconds() < 0) {
      throw new ValidationError('terminationGracePeriod must not be negative', this);
    }
    const s = p.security ?? {};
    for (const [k, v] of [['user', s.user], ['group', s.group], ['fsGroup', s.fsGroup]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
        throw new ValidationError(`security.${k} must be a whole number ≥ 0, got ${v}`, this);
      }
    }
    if ((s.restricted ?? true) && s.user === 0) {
      throw new ValidationError('security.user 0 (root) breaks the restricted Pod Security Standard; use a non-root uid, or set security.restricted to false and document why', this);
    }
  }

  /** pkg/apis/core/validation: liveness and startup probes must have successThreshold 1. */
  private assertProbes(containerName: string, liveness?: HealthProbe, startup?: HealthProbe): void {
    for (const [k, probe] of [['liveness', liveness], ['startup', startup]] as const) {
      const n = probe?.toKube().successThreshold;
      if (n !== undefined && n !== 1) {
        throw new ValidationError(`container '${containerName}': the ${k} probe has successThreshold ${n}, but Kubernetes requires 1 for ${k} probes; leave it out`, this);
      }
    }
  }

  private assertLabelValue(what: string, v: string): void {
    if (v.length > 63 || !LABEL_VALUE.test(v)) {
      throw new ValidationError(
        `${what} '${v}' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric (e.g. '${v.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63) || 'my-app'}')`,
        this,
      );
    }
  }

  /** A label key (`[prefix/]name`) and value as the API server validates them. */
  private assertLabel(key: string, value: string): void {
    const parts = key.split('/');
    const name = parts.pop()!;
    const prefix = parts.join('/');
    const prefixOk = parts.length === 0 || (parts.length === 1 && prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix));
    if (!prefixOk || name.length > 63 || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)) {
      throw new ValidationError(`pod label key '${key}' is not a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.'`, this);
    }
    this.assertLabelValue(`pod label '${key}'`, value);
  }

  private assertNewVolumeName(name: string): void {
    const taken = [
      ...this.dataVolumeList.map((v) => v.name), ...this.scratch.keys(), ...this.extraVolumes.keys(), ...this.configVolumes.keys(),
    ];
    if (taken.includes(name)) throw new ValidationError(`duplicate volume name '${name}'; give each volume its own name`, this);
  }

  private assertNewContainer(name: string): void {
    Names.assertDns1123Label(this, 'container name', name);
    const taken = [this.containerName, ...this.initContainers.map((c) => c.name), ...this.sidecars.map((c) => c.name)];
    if (taken.includes(name)) throw new ValidationError(`duplicate container name '${name}'; give each container its own name`, this);
  }

  private validateMounts(): void {
    const known = new Set([
      ...this.dataVolumeList.map((v) => v.name), ...this.scratch.keys(), ...this.extraVolumes.keys(), ...this.configVolumes.keys(),
    ]);
    for (const c of [...this.initContainers, ...this.sidecars]) {
      const paths = new Set<string>();
      for (const m of c.mounts ?? []) {
        if (!known.has(m.volume)) {
          throw new ValidationError(`container '${c.name}' mounts volume '${m.volume}', which does not exist; known volumes: ${[...known].join(', ') || 'none'}`, this);
        }
        if (paths.has(m.mountPath)) throw new ValidationError(`container '${c.name}' mounts two volumes at ${m.mountPath}; use different paths`, this);
        paths.add(m.mountPath);
      }
    }
    for (const m of this.mainMounts) {
      if (!known.has(m.volume)) {
        throw new ValidationError(`container '${this.containerName}' mounts volume '${m.volume}', which does not exist; known volumes: ${[...known].join(', ') || 'none'}`, this);
      }
    }
  }
}
