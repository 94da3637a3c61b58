import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  autopurgeProblem, chrootProblem, defaultHeapMi, heapProblem, membersProblem, Problem, versionProblem, zooCfg, zooServers,
} from './private/config';
import { ZooKeeperVersion } from './zookeeper-version';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { kibibytes } from '../core/units';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { HealthProbe } from '../core/workload/container';
import { PlacementProps } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { IStorageClass } from '../core/workload/volumes';

const CLIENT_PORT = 2181;
const QUORUM_PORT = 2888;
const ELECTION_PORT = 3888;
const DATA_DIR = '/data';
const CONF_DIR = '/conf';
const TEMPLATE_DIR = '/opt/cdk8s-stateful/zookeeper';

/** Props of a ZooKeeperEnsemble. */
export interface ZooKeeperEnsembleProps {
  /**
   * Name of the StatefulSet and prefix of every object. Stateful: a new name means new, empty disks.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default ZooKeeperVersion.V3_9_4 */
  readonly version?: ZooKeeperVersion;
  /**
   * Members of the ensemble: odd, so that a majority survives (3 tolerate one failure, 5 two).
   * Changing it later changes the static server list of every member: see docs/zookeeper.md.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * First pod ordinal (`spec.ordinals.start`); each member's myid is its ordinal + 1.
   * @default 0
   */
  readonly ordinalsStart?: number;
  /** Size of each member's data volume (snapshots and transaction log). @default Size.gibibytes(10) */
  readonly storage?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /** @default - 250m CPU request, 1Gi memory request and limit */
  readonly resources?: kplus.ContainerResources;
  /**
   * JVM heap (`-Xms`/`-Xmx` in JVMFLAGS). ZooKeeper keeps the whole data tree in memory.
   * @default - half the memory limit (512Mi without a limit)
   */
  readonly heap?: Size;
  /**
   * How often old snapshots and transaction logs are purged (`autopurge.purgeInterval`), in whole hours.
   * @default Duration.hours(24)
   */
  readonly autopurgeInterval?: Duration;
  /** Snapshots (and their logs) kept by the purge (`autopurge.snapRetainCount`, at least 3). @default 3 */
  readonly snapshotRetainCount?: number;
  /** Connections per client IP (`maxClientCnxns`). @default 60 */
  readonly maxClientConnections?: number;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** Create a NetworkPolicy that admits only members and bound clients. @default true */
  readonly networkPolicy?: boolean;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/** Options of `ZooKeeperEnsemble.bind()`. */
export interface ZooKeeperBindOptions {
  /**
   * A chroot appended to the connect string (`host:2181,.../app`): the client sees this znode as its root.
   * @default - none
   */
  readonly chroot?: string;
}

/**
 * An Apache ZooKeeper ensemble on the official image: a static `server.N` list from the members'
 * stable DNS names, myid = ordinal + 1, probes through the `srvr`/`ruok` four-letter words (the
 * only ones enabled besides `mntr`), autopurge on, the JVM heap from the memory limit, a
 * PodDisruptionBudget of one, and a client Service.
 *
 * Dynamic reconfiguration is off: changing `replicas` changes every member's server list, which
 * `UpgradeSafety` flags (quorumShrink) when it shrinks. See docs/zookeeper.md.
 */
export class ZooKeeperEnsemble extends Construct implements IStatefulService {
  /** The StatefulSet name. */
  public readonly name: string;
  /** Members. */
  public readonly replicas: number;
  /** The release. */
  public readonly version: ZooKeeperVersion;
  /** The StatefulSet, headless Service, PDB and NetworkPolicy. */
  public readonly workload: StatefulWorkload;
  /** The client Service (`<name>-client`, port 2181). */
  public readonly clientService: k8s.KubeService;
  /** The ConfigMap with zoo.cfg's static settings and the start and probe scripts. */
  public readonly configMap: k8s.KubeConfigMap;
  /** JVM heap in MiB. */
  public readonly heapMi: number;
  /** Client port. */
  public readonly clientPort = CLIENT_PORT;

  private readonly bindings: kplus.Workload[] = [];

  constructor(scope: Construct, id: string, props: ZooKeeperEnsembleProps = {}) {
    super(scope, id);
    this.version = props.version ?? ZooKeeperVersion.V3_9_4;
    this.replicas = props.replicas ?? 3;
    const ordinalsStart = props.ordinalsStart ?? 0;
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(250) },
      memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
    };
    const limit = resources.memory?.limit;
    const limitMi = limit ? Math.floor(kibibytes(limit) / 1024) : undefined;
    this.heapMi = props.heap ? kibibytes(props.heap) / 1024 : defaultHeapMi(limit);
    const intervalHours = props.autopurgeInterval ? props.autopurgeInterval.toSeconds() / 3600 : 24;
    const retain = props.snapshotRetainCount ?? 3;
    const maxClientConnections = props.maxClientConnections ?? 60;
    this.fail(versionProblem(this.version.version)
      ?? membersProblem(this.replicas, ordinalsStart)
      ?? heapProblem(this.heapMi, limitMi)
      ?? autopurgeProblem(intervalHours, retain)
      ?? (Number.isInteger(maxClientConnections) && maxClientConnections >= 0 ? undefined
        : { code: 'ZooKeeperMaxClientConnectionsInvalid', message: `maxClientConnections must be a whole number of 0 (no limit) or more, got ${maxClientConnections}` }));

    this.workload = new StatefulWorkload(this, 'Resource', {
      name: props.name ?? id,
      image: this.version.image,
      appName: 'zookeeper',
      component: 'ensemble',
      version: this.version.version,
      containerName: 'zookeeper',
      replicas: this.replicas,
      ordinalsStart,
      clusterDomain: props.clusterDomain,
      // Members must resolve each other before any is Ready (a quorum forms first), and all
      // start together: OrderedReady would wait for a Ready member-0 that needs a quorum.
      publishNotReadyAddresses: true,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      ports: [
        { name: 'client', port: CLIENT_PORT },
        { name: 'quorum', port: QUORUM_PORT },
        { name: 'election', port: ELECTION_PORT },
      ],
      command: ['bash', `${TEMPLATE_DIR}/start.sh`],
      args: ['zkServer.sh', 'start-foreground'],
      resources,
      readiness: HealthProbe.exec(['bash', `${TEMPLATE_DIR}/probe.sh`, 'ready'], { period: Duration.seconds(5), timeout: Duration.seconds(5) }),
      liveness: HealthProbe.exec(['bash', `${TEMPLATE_DIR}/probe.sh`, 'live'], {
        initialDelay: Duration.seconds(30), period: Duration.seconds(10), timeout: Duration.seconds(5), failureThreshold: 6,
      }),
      dataVolumes: { data: { mountPath: DATA_DIR, size: props.storage ?? Size.gibibytes(10), storageClass: props.storageClass } },
      // The image's conf dir is replaced by a writable one (start.sh writes zoo.cfg there);
      // logs go to the console; the JVM writes hsperfdata to /tmp.
      scratchPaths: [CONF_DIR, '/logs', '/tmp'],
      placement: props.placement,
      networkPolicy: props.networkPolicy,
    });
    this.name = this.workload.name;
    this.node.defaultChild = this.workload.statefulSet;
    const w = this.workload;

    this.configMap = w.volumes.addConfigFiles('config', {
      mountPath: TEMPLATE_DIR,
      files: {
        'zoo.cfg': zooCfg({
          dataDir: DATA_DIR,
          clientPort: CLIENT_PORT,
          tickTimeMs: 2000,
          initLimit: 10,
          syncLimit: 5,
          autopurgeIntervalHours: intervalHours,
          snapRetainCount: retain,
          maxClientConnections,
        }),
        'logback.xml': loadAsset('zookeeper/assets/logback.xml'),
        'start.sh': loadAsset('zookeeper/assets/start.sh'),
        'probe.sh': loadAsset('zookeeper/assets/probe.sh'),
      },
    });
    const ordinals = Array.from({ length: this.replicas }, (_, i) => ordinalsStart + i);
    // The image's own variable names (docker-entrypoint.sh); the server list uses the pod's
    // namespace at run time, so the output follows a kustomize `namespace:`.
    w.addEnv('ZOO_SERVERS', kplus.EnvValue.fromValue(
      zooServers(ordinals, (o) => w.runtimeDnsName(w.podName(o)), QUORUM_PORT, ELECTION_PORT, CLIENT_PORT)));
    w.addEnv('ZOO_TEMPLATE_DIR', kplus.EnvValue.fromValue(TEMPLATE_DIR));
    w.addEnv('ZOOCFGDIR', kplus.EnvValue.fromValue(CONF_DIR));
    w.addEnv('ZOO_DATA_DIR', kplus.EnvValue.fromValue(DATA_DIR));
    w.addEnv('ZOO_LOG_DIR', kplus.EnvValue.fromValue('/logs'));
    w.addEnv('ZOO_CLIENT_PORT', kplus.EnvValue.fromValue(String(CLIENT_PORT)));
    w.addEnv('JVMFLAGS', kplus.EnvValue.fromValue(`-Xms${this.heapMi}m -Xmx${this.heapMi}m`));

    this.clientService = w.services.add('client', { ports: ['client'] });

    if (this.replicas === 1) {
      Warnings.of(this).add('@cdk8s-stateful/zookeeper:singleMember',
        'an ensemble of 1 stops serving while its only member restarts; use 3 members for production');
    }
  }

  /** The client Service. */
  public get endpoint(): ServiceEndpoint {
    return { host: this.workload.qualify(this.clientService.name), port: CLIENT_PORT };
  }

  /** Ingress into the members (the NetworkPolicy). */
  public get connections(): Connections {
    return this.workload.connections;
  }

  /**
   * The connect string of every member, `<pod>.<headless>:2181,...`, with the names qualified
   * by the namespace when the chart sets one.
   */
  public get connectString(): string {
    return this.members((o) => this.workload.podDnsName(o));
  }

  /**
   * Connect a cdk8s-plus workload: env `ZOOKEEPER_CONNECT` (every member, optionally with a
   * chroot) in each of its containers, and a NetworkPolicy rule letting its pods reach the client
   * port. A client in the ensemble's namespace gets short names (portable under a kustomize
   * `namespace:`); one in another namespace gets qualified names and a rule naming its namespace.
   */
  public bind(workload: kplus.Workload, options: ZooKeeperBindOptions = {}): void {
    if (this.bindings.includes(workload)) {
      throw new ValidationError('ZooKeeperBindDuplicate', `workload '${workload.node.path}' is bound to this ensemble already; bind it once`, this);
    }
    if (options.chroot !== undefined) this.fail(chrootProblem(options.chroot));
    const taken = workload.containers.find((c) => 'ZOOKEEPER_CONNECT' in c.env.variables);
    if (taken) {
      throw new ValidationError('ZooKeeperBindEnvConflict',
        `container '${taken.name}' of workload '${workload.node.path}' has ZOOKEEPER_CONNECT already (bound to another ensemble, or set by hand); bind one ensemble per workload`, this);
    }
    const ns = Chart.of(this).namespace;
    const clientNs = Chart.of(workload).namespace;
    const same = ns === clientNs;
    if (!same && (!ns || !clientNs)) {
      throw new ValidationError('ZooKeeperBindNamespaceUnknown',
        `bind('${workload.node.path}'): ${clientNs ? "the ensemble's chart" : "the client's chart"} has no namespace while the other has '${ns ?? clientNs}': ` +
          "the NetworkPolicy must name the client's namespace and the client must resolve the ensemble's; set `namespace` on both charts (or on neither)", this);
    }
    const hosts = same ? this.members((o) => `${this.workload.podName(o)}.${this.workload.headlessService.name}`) : this.connectString;
    const value = `${hosts}${options.chroot ?? ''}`;
    for (const c of workload.containers) c.env.addVariable('ZOOKEEPER_CONNECT', kplus.EnvValue.fromValue(value));
    const peer = kplus.Pods.select(workload, `${this.node.id}-zookeeper-peer`, {
      labels: workload.matchLabels,
      namespaces: same ? undefined : kplus.Namespaces.select(workload, `${this.node.id}-zookeeper-peer-ns`, { names: [clientNs!] }),
    });
    this.bindings.push(workload);
    this.workload.connections.allowFrom(peer, ['client']);
  }

  private members(host: (ordinal: number) => string): string {
    return Array.from({ length: this.replicas }, (_, i) => `${host(this.workload.ordinalsStart + i)}:${CLIENT_PORT}`).join(',');
  }

  private fail(problem: Problem | undefined): void {
    if (problem) throw new ValidationError(problem.code, problem.message, this);
  }
}
