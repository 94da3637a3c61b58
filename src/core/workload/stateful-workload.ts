import { Chart, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Connections, IConnectable } from './connections';
import { ContainerOptions, WorkloadMount, WorkloadPort } from './container';
import { renderContainer } from './private/render';
import { assertAnnotations, assertContainer, assertEnvName, assertMounts, assertPodLabel, assertPort } from './private/validate';
import { assertWorkloadProps } from './private/validate-props';
import { WorkloadRbac } from './rbac';
import { WorkloadScheduling } from './scheduling';
import { podSecurityContext } from './security';
import { WorkloadServices } from './services';
import { StatefulWorkloadProps } from './stateful-workload-props';
import { UpdateStrategy } from './update-strategy';
import { RetentionPolicy, VolumeMode, WorkloadVolumes } from './volumes';
import { ValidationError } from '../errors';
import { RecommendedLabels } from '../labels';
import { MAX_STATEFULSET_NAME, Names } from '../naming';
import { registerObjects } from '../registry';
import { Warnings } from '../warnings';

const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/**
 * The spine of every stateful system: a StatefulSet with a headless Service, client Services,
 * a PodDisruptionBudget, volume claim templates, placement, a ServiceAccount (and RBAC when
 * asked), a NetworkPolicy, recommended labels and restricted security defaults.
 *
 * Concerns live in helper objects, as cdk8s-plus does for pods: `volumes`, `services`,
 * `connections`, `rbac`, `scheduling`. The StatefulSet is the default child (id `Resource`), so
 * `ApiObject.of(workload)` returns it.
 */
export class StatefulWorkload extends Construct implements IConnectable {
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
  /** The name of the main container. */
  public readonly containerName: string;
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
  /** Data, scratch, config and other volumes, and the main container's mounts. */
  public readonly volumes: WorkloadVolumes;
  /** The headless Service and client Services. */
  public readonly services: WorkloadServices;
  /** Ingress allowed by the NetworkPolicy. */
  public readonly connections: Connections;
  /** The Role and RoleBinding of the ServiceAccount, and whether the token is mounted. */
  public readonly rbac: WorkloadRbac;
  /** Where the pods run. */
  public readonly scheduling: WorkloadScheduling;

  private readonly recommended: RecommendedLabels;
  private readonly props: StatefulWorkloadProps;
  private readonly portList: WorkloadPort[] = [];
  /** Ports of every container (main and sidecars): the ones `connections.allowFrom` can open. */
  private readonly podPorts: WorkloadPort[] = [];
  private readonly env: k8s.EnvVar[] = [];
  private readonly extraArgs: string[] = [];
  private readonly initContainers: ContainerOptions[] = [];
  private readonly sidecars: ContainerOptions[] = [];
  private readonly podAnnotations: { [key: string]: string };
  private readonly podLabels: { [key: string]: string };
  private needsPodIdentityEnv = false;

  constructor(scope: Construct, id: string, props: StatefulWorkloadProps) {
    super(scope, id);
    this.props = props;
    this.name = Names.stable(this, props.name, MAX_STATEFULSET_NAME);
    this.replicas = props.replicas ?? 1;
    this.ordinalsStart = props.ordinalsStart ?? 0;
    this.clusterDomain = props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    this.containerName = props.containerName ?? props.appName ?? this.name;
    assertWorkloadProps(this, props, {
      replicas: this.replicas, ordinalsStart: this.ordinalsStart, clusterDomain: this.clusterDomain, containerName: this.containerName,
    });

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
    this.scheduling = new WorkloadScheduling(this.selectorLabels, props.placement);
    this.connections = new Connections(this, this.selectorLabels, this.podPorts);
    this.rbac = new WorkloadRbac(this, this.name, this.recommended.all);
    this.volumes = new WorkloadVolumes(this, {
      name: this.name,
      claimLabels: this.labels,
      labels: this.recommended.all,
      replicas: this.replicas,
      ordinalsStart: this.ordinalsStart,
      containerName: this.containerName,
    });

    for (const p of props.ports ?? []) this.addPort(p);
    for (const [k, v] of Object.entries(props.env ?? {})) this.addEnv(k, v);
    for (const [k, v] of Object.entries(props.dataVolumes ?? {})) this.volumes.addData(k, v);
    for (const p of props.scratchPaths ?? []) this.volumes.addScratch(p);
    for (const r of props.rbacRules ?? []) this.rbac.addRule(r);

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels: this.recommended.all },
      automountServiceAccountToken: false,
    });
    this.services = new WorkloadServices(this, this.name, this.selectorLabels, this.recommended.all, this.portList, props.publishNotReadyAddresses);
    this.headlessService = this.services.headless;

    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: this.name, labels: this.recommended.all },
      spec: Lazy.any({ produce: () => this.buildSpec() }),
    });
    registerObjects(this, this.serviceAccount, this.headlessService, this.statefulSet);
    // The StatefulSet adopts the per-ordinal claims of expandable volumes only if they exist first.
    this.volumes._attach(this.statefulSet);

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
      registerObjects(this, this.podDisruptionBudget);
    }

    if (props.networkPolicy ?? true) {
      this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: { name: this.name, labels: this.recommended.all },
        spec: Lazy.any({ produce: () => this.connections._toKube() }),
      });
      registerObjects(this, this.networkPolicy);
    }
  }

  // ---------------------------------------------------------------- identity and DNS

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

  // ---------------------------------------------------------------- the pod

  /** Ports of the main container. */
  public get ports(): WorkloadPort[] {
    return [...this.portList];
  }

  /** Add a port to the main container (and to the headless Service). */
  public addPort(port: WorkloadPort): void {
    // Containers of a pod share its network namespace: names and numbers are unique pod-wide.
    assertPort(this, port, this.podPorts);
    this.portList.push(port);
    this.podPorts.push(port);
  }

  /** Number of a named port. */
  public portNumber(name: string): number {
    const p = this.portList.find((x) => x.name === name);
    if (!p) throw new ValidationError('WorkloadPortUnknown', `no port named '${name}'; ports are: ${this.portList.map((x) => x.name).join(', ') || 'none'}`, this);
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
    assertEnvName(this, name);
    if (this.env.some((e) => e.name === name)) {
      throw new ValidationError('WorkloadEnvDuplicate', `env var '${name}' is set twice; set it once`, this);
    }
    // A literal value under a credential-like name is a secret in the YAML in Git.
    if (/(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i.test(name)
      && value.value && !value.value.includes('$(') && !value.value.startsWith('/')) {
      Warnings.of(this).add(
        '@cdk8s-stateful/workload:plaintextSecretEnv',
        `env var '${name}' has a literal value: it is written into the manifest in plain text; use kplus.EnvValue.fromSecretValue(...) with a Secret`,
      );
    }
    this.env.push({ name, value: value.value, valueFrom: value.valueFrom });
  }

  /** Mount a volume (by name) in the main container. */
  public addMount(mount: WorkloadMount): void {
    this.volumes.mount(mount);
  }

  /** Add an init container (runs to completion before the main container, in order). */
  public addInitContainer(container: ContainerOptions): void {
    this.assertNewContainer(container.name);
    assertContainer(this, { ...container, readiness: undefined, liveness: undefined, startup: undefined });
    // pkg/apis/core/validation: probes "may not be set for init containers without restartPolicy=Always".
    const probes = (['readiness', 'liveness', 'startup'] as const).filter((k) => container[k] !== undefined);
    if (probes.length) {
      throw new ValidationError(
        'WorkloadInitContainerProbe',
        `init container '${container.name}' sets ${probes.join(', ')}: init containers run to completion and cannot have probes; drop them, or use addSidecar`,
        this,
      );
    }
    this.initContainers.push(container);
  }

  /** Add a sidecar container. */
  public addSidecar(container: ContainerOptions): void {
    this.assertNewContainer(container.name);
    assertContainer(this, container);
    for (const port of container.ports ?? []) assertPort(this, port, this.podPorts);
    this.sidecars.push(container);
    // A sidecar's ports (e.g. an exporter's) can be opened to peers by name too.
    this.podPorts.push(...(container.ports ?? []));
  }

  /** Add a pod annotation. */
  public addPodAnnotation(key: string, value: string): void {
    assertAnnotations(this, 'pod annotation', { ...this.podAnnotations, [key]: value });
    this.podAnnotations[key] = value;
  }

  /** Add a pod label (never part of the selector). */
  public addPodLabel(key: string, value: string): void {
    if (key in this.selectorLabels) {
      throw new ValidationError('WorkloadPodLabelIsSelector', `pod label '${key}' is a selector label and cannot be overridden`, this);
    }
    assertPodLabel(this, key, value);
    this.podLabels[key] = value;
  }

  // ---------------------------------------------------------------- synthesis

  private buildSpec(): k8s.StatefulSetSpec {
    const p = this.props;
    const update = p.updateStrategy ?? UpdateStrategy.rollingUpdate();
    return {
      replicas: this.replicas,
      serviceName: this.headlessService.name,
      podManagementPolicy: p.podManagementPolicy,
      updateStrategy: update._toKube(),
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
      volumeClaimTemplates: this.volumes._claimTemplates(),
    };
  }

  private buildPodAnnotations(): { [key: string]: string } | undefined {
    const a = { ...this.podAnnotations };
    const checksum = this.volumes._configChecksum();
    if (checksum) a['checksum/config'] = checksum;
    return Object.keys(a).length ? a : undefined;
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

  private buildPodSpec(): k8s.PodSpec {
    const p = this.props;
    const blockVolumes = this.volumes.data.filter((v) => v.volumeMode === VolumeMode.BLOCK);
    const main: k8s.Container = {
      ...renderContainer({
        name: this.containerName,
        image: p.image,
        command: p.command,
        args: p.args || this.extraArgs.length ? [...(p.args ?? []), ...this.extraArgs] : undefined,
        ports: this.portList,
        resources: p.resources,
        mounts: this.volumes.mounts,
        readiness: p.readiness,
        liveness: p.liveness,
        startup: p.startup,
      }, p.security, [...this.podIdentityEnv(), ...this.env]),
      volumeDevices: blockVolumes.length ? blockVolumes.map((v) => ({ name: v.name, devicePath: v.mountPath })) : undefined,
      lifecycle: p.preStop ? { preStop: { exec: { command: [...p.preStop] } } } : undefined,
    };
    assertMounts(this, this.containerName, this.volumes, this.initContainers, this.sidecars);
    const volumes = this.volumes._podVolumes();
    return {
      serviceAccountName: this.serviceAccount.name,
      automountServiceAccountToken: this.rbac.mountsToken,
      enableServiceLinks: p.enableServiceLinks ?? false,
      terminationGracePeriodSeconds: (p.terminationGracePeriod ?? Duration.seconds(30)).toSeconds(),
      securityContext: podSecurityContext(p.security),
      ...this.scheduling._toKube(),
      initContainers: this.initContainers.length ? this.initContainers.map((c) => renderContainer(c, p.security)) : undefined,
      containers: [main, ...this.sidecars.map((c) => renderContainer(c, p.security))],
      volumes: volumes.length ? volumes : undefined,
    };
  }

  // ---------------------------------------------------------------- validation

  private assertNewContainer(name: string): void {
    Names.assertDns1123Label(this, 'container name', name);
    const taken = [this.containerName, ...this.initContainers.map((c) => c.name), ...this.sidecars.map((c) => c.name)];
    if (taken.includes(name)) throw new ValidationError('WorkloadContainerDuplicate', `duplicate container name '${name}'; give each container its own name`, this);
  }
}
