import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  commonEnv, CONF_DIR, DATA_DIR, defaultQuorum, maxMemoryBytes, PASSWORD_KEY, REDIS_PORT, REDIS_UID,
  SCRIPTS_DIR, SECRETS_DIR, SENTINEL_PORT, sentinelEnv, serverEnv, BUS_PORT,
} from './private/config';
import { checkClusterMode, clusterServerEnv, RedisClusterCreateJob } from './private/sharded';
import { RedisMode } from './redis-mode';
import { RedisVersion } from './redis-version';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { Credentials, DEFAULT_GENERATOR_IMAGE } from '../core/kit/credentials';
import { GeneratedSecret } from '../core/kit/generated-secret';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { LabelKeys } from '../core/labels';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { HealthProbe } from '../core/workload/container';
import { PlacementProps } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { IStorageClass, WorkloadVolume } from '../core/workload/volumes';

/**
 * What survives a restart of a server.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
 */
export enum RedisPersistence {
  /** Append-only file, fsync every second: a crash of the whole cluster loses at most about 1 s of writes. */
  AOF = 'aof',
  /** Snapshots (save after 3600 s/1 change, 300 s/100, 60 s/10000): a crash loses the writes since the last snapshot, minutes. */
  RDB = 'rdb',
  /** Memory only: a server that restarts is empty and must resync from a replica; a full restart loses everything. */
  NONE = 'none',
}

/**
 * What Redis does when `maxmemory` is reached.
 * @see https://redis.io/docs/latest/develop/reference/eviction/
 */
export enum RedisMaxMemoryPolicy {
  /** Refuse writes that need memory (a database, not a cache). */
  NOEVICTION = 'noeviction',
  /** Evict any key, least recently used first (a cache). */
  ALLKEYS_LRU = 'allkeys-lru',
  /** Evict any key, least frequently used first. */
  ALLKEYS_LFU = 'allkeys-lfu',
  /** Evict keys with a TTL, least recently used first. */
  VOLATILE_LRU = 'volatile-lru',
  /** Evict keys with a TTL, nearest expiry first. */
  VOLATILE_TTL = 'volatile-ttl',
}

/** Props of a RedisCluster. */
export interface RedisClusterProps {
  /** Name of the StatefulSet and prefix of every object. Stateful: a new name is new, empty disks. @default - the construct id */
  readonly name?: string;
  /**
   * Sentinel (one primary) or Redis Cluster (sharded: `RedisMode.cluster({ shards, replicasPerShard })`).
   * In cluster mode the Sentinel props (`replicas`, `masterName`, `quorum`, `downAfter`,
   * `failoverTimeout`, `primaryService`, `labelerImage`) must be left unset.
   * @default RedisMode.SENTINEL
   */
  readonly mode?: RedisMode;
  /** @default RedisVersion.V7_4 */
  readonly version?: RedisVersion;
  /**
   * Image of the server and Sentinel containers; e.g. `docker.io/valkey/valkey:8.1.4` for Valkey.
   * It must have `sh`, `redis-server` and `redis-cli` on its PATH and run as uid 999.
   * @default `docker.io/library/redis:<version>`
   */
  readonly image?: string;
  /** Pods; each runs a server and a Sentinel. Pod 0 is the first primary. @default 3 */
  readonly replicas?: number;
  /** The name Sentinel monitors the primary under (clients ask for it). @default 'mymaster' */
  readonly masterName?: string;
  /** Sentinels that must agree the primary is down before a failover. @default - a majority */
  readonly quorum?: number;
  /** After how long without an answer Sentinel considers the primary down. @default Duration.seconds(30) */
  readonly downAfter?: Duration;
  /** @default Duration.minutes(3) */
  readonly failoverTimeout?: Duration;
  /** @default RedisPersistence.AOF */
  readonly persistence?: RedisPersistence;
  /** `maxmemory` as a percentage of the server's memory limit (the rest is for replication buffers and forks). @default 75 */
  readonly maxMemoryPercent?: number;
  /** @default RedisMaxMemoryPolicy.NOEVICTION */
  readonly maxMemoryPolicy?: RedisMaxMemoryPolicy;
  /** Resources of the server container. @default - 100m/1 CPU, 512 MiB memory request and limit */
  readonly resources?: kplus.ContainerResources;
  /** @default Size.gibibytes(8) */
  readonly storageSize?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /** @default Credentials.generate(): a Job creates `<name>-credentials` with key `password` */
  readonly credentials?: Credentials;
  /**
   * A `<name>-primary` Service that follows the primary: a sidecar labels each pod `role=primary`
   * or `role=replica` (needs a Role allowing `patch` on this StatefulSet's pods).
   * @default true
   */
  readonly primaryService?: boolean;
  /** Image of the role-label sidecar (Python 3 standard library). @default 'docker.io/library/python:3.13.7-alpine3.22' */
  readonly labelerImage?: string;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/** Options of `bind`. */
export interface RedisBindOptions {
  /**
   * Where the workload reads the password: a Secret in its own namespace. Required when the
   * workload is in another namespace than the cluster.
   * @default - the cluster's Secret (same namespace only)
   */
  readonly credentials?: Credentials;
}

const BIND_ENV = ['REDIS_SENTINELS', 'REDIS_MASTER_NAME', 'REDIS_CLUSTER_NODES', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD'];

/**
 * Redis with Sentinel on plain Kubernetes objects, no operator: one StatefulSet whose pods run
 * a server and a Sentinel each, announced by their stable DNS names. Sentinel promotes a replica
 * when the primary fails; Sentinel-aware clients follow it, and the `<name>-primary` Service
 * follows it through a role label.
 *
 * `ApiObject.of(cluster)` is the StatefulSet.
 */
export class RedisCluster extends Construct implements IStatefulService {
  /** The StatefulSet and everything the spine creates around it. */
  public readonly workload: StatefulWorkload;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** Service `<name>`: every pod, ports 6379 (server) and 26379 (Sentinel; not in cluster mode). */
  public readonly clientService: k8s.KubeService;
  /** Service `<name>-primary`, port 6379, selecting `role=primary`, when `primaryService` is on. */
  public readonly primaryService?: k8s.KubeService;
  /** The version. */
  public readonly version: RedisVersion;
  /** Image of the server and Sentinel. */
  public readonly image: string;
  /** Name of the Secret with the password. */
  public readonly secretName: string;
  /** The Job that generates the Secret, unless credentials come from an existing Secret. */
  public readonly secretGenerator?: GeneratedSecret;
  /** The name Sentinel monitors ('' in cluster mode). */
  public readonly masterName: string;
  /** Sentinels that must agree (0 in cluster mode). */
  public readonly quorum: number;
  /** Sentinel or Redis Cluster. */
  public readonly mode: RedisMode;
  /** Cluster mode: the Job that forms the cluster and adds pods on scale-out. */
  public readonly createJob?: k8s.KubeJob;
  /** `maxmemory` in bytes (0: no memory limit was set). */
  public readonly maxMemory: number;
  private readonly secret: kplus.ISecret;
  private readonly credentials: Credentials;
  private bindings = 0;

  constructor(scope: Construct, id: string, props: RedisClusterProps = {}) {
    super(scope, id);
    this.mode = props.mode ?? RedisMode.SENTINEL;
    const sharded = this.mode.isCluster;
    this.version = props.version ?? RedisVersion.V7_4;
    if (sharded) checkClusterMode(this, this.mode, props, props.name ?? id, this.version.majorVersion);
    const replicas = sharded ? this.mode.shards * (1 + this.mode.replicasPerShard) : props.replicas ?? 3;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new ValidationError('RedisReplicasInvalid', `replicas must be a whole number ≥ 1, got ${replicas}`, this);
    }
    this.quorum = props.quorum ?? defaultQuorum(replicas);
    if (!Number.isInteger(this.quorum) || this.quorum < 1 || this.quorum > replicas) {
      throw new ValidationError('RedisQuorumInvalid',
        `quorum must be a whole number from 1 to replicas (${replicas}), got ${this.quorum}; a majority (${defaultQuorum(replicas)}) is the default`, this);
    }
    const percent = props.maxMemoryPercent ?? 75;
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      throw new ValidationError('RedisMaxMemoryPercentInvalid', `maxMemoryPercent must be a whole number from 1 to 100, got ${percent}`, this);
    }
    this.masterName = props.masterName ?? 'mymaster';
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(this.masterName)) {
      throw new ValidationError('RedisMasterNameInvalid',
        `masterName '${this.masterName}' is invalid; use up to 63 letters, digits, '.', '_' and '-', starting with a letter or digit`, this);
    }
    const downAfterMs = (props.downAfter ?? Duration.seconds(30)).toMilliseconds();
    const failoverMs = (props.failoverTimeout ?? Duration.minutes(3)).toMilliseconds();
    for (const [what, ms] of [['downAfter', downAfterMs], ['failoverTimeout', failoverMs]] as const) {
      if (!Number.isInteger(ms) || ms < 1000) {
        throw new ValidationError('RedisSentinelTimingInvalid', `${what} must be whole milliseconds of at least 1 second, got ${ms} ms`, this);
      }
    }
    if (!/^\d+\.\d+(\.\d+)?$/.test(this.version.fullVersion)) {
      throw new ValidationError('RedisVersionInvalid', `version '${this.version.fullVersion}' is not a Redis release; use e.g. RedisVersion.V7_4 or RedisVersion.of('7.4.6')`, this);
    }
    this.image = props.image ?? `docker.io/library/redis:${this.version.fullVersion}`;
    this.credentials = props.credentials ?? Credentials.generate();
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
      memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
    };
    this.maxMemory = maxMemoryBytes(resources.memory?.limit, percent);
    const persistence = props.persistence ?? RedisPersistence.AOF;
    const withPrimary = props.primaryService ?? true;
    const probe = (port: number, mode: string) => ['sh', `${SCRIPTS_DIR}/redis-probe.sh`, `${port}`, mode];

    this.workload = new StatefulWorkload(this, 'Workload', {
      name: props.name ?? id,
      appName: 'redis',
      component: 'cache',
      version: this.version.fullVersion,
      image: this.image,
      containerName: 'redis',
      command: sharded ? ['sh', `${SCRIPTS_DIR}/redis-cluster-start.sh`] : ['sh', `${SCRIPTS_DIR}/redis-start.sh`, 'server'],
      replicas,
      // Members find each other by DNS before any is Ready.
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      publishNotReadyAddresses: true,
      ports: [{ name: 'redis', port: REDIS_PORT }, sharded ? { name: 'bus', port: BUS_PORT } : { name: 'sentinel', port: SENTINEL_PORT }],
      resources,
      dataVolumes: { data: { mountPath: DATA_DIR, size: props.storageSize ?? Size.gibibytes(8), storageClass: props.storageClass } },
      readiness: HealthProbe.exec(probe(REDIS_PORT, 'ready'), { period: Duration.seconds(5) }),
      liveness: HealthProbe.exec(probe(REDIS_PORT, 'live'), { initialDelay: Duration.seconds(10), failureThreshold: 6 }),
      security: { user: REDIS_UID, group: REDIS_UID },
      placement: props.placement,
      clusterDomain: props.clusterDomain,
    });
    const w = this.workload;
    this.node.defaultChild = w;
    this.statefulSet = w.statefulSet;

    // Credentials: mounted as a file (never in a ConfigMap or the rendered config's source).
    this.credentials._assertValid(this, [PASSWORD_KEY], `${w.name}-credentials`);
    this.secretName = this.credentials.secretName(`${w.name}-credentials`);
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', this.secretName);
    if (this.credentials.isGenerated) {
      this.secretGenerator = new GeneratedSecret(this, 'Credentials', {
        secretName: this.secretName,
        keys: [PASSWORD_KEY],
        labels: { [LabelKeys.NAME]: 'redis', [LabelKeys.INSTANCE]: w.name, [LabelKeys.PART_OF]: w.name },
        image: this.credentials.generatorImage,
      });
    }
    w.volumes.add('credentials', WorkloadVolume.fromSecret(this.secret, { defaultMode: 0o440 }));
    w.volumes.addConfigFiles('scripts', {
      mountPath: SCRIPTS_DIR,
      files: sharded ? {
        'redis-cluster-start.sh': loadAsset('redis/assets/redis-cluster-start.sh'),
        'redis-probe.sh': loadAsset('redis/assets/redis-probe.sh'),
      } : {
        'redis-start.sh': loadAsset('redis/assets/redis-start.sh'),
        'redis-probe.sh': loadAsset('redis/assets/redis-probe.sh'),
        ...(withPrimary ? { 'role-labeler.py': loadAsset('redis/assets/role-labeler.py') } : {}),
      },
    });
    const conf = w.volumes.addScratch(CONF_DIR);
    w.addMount({ volume: 'credentials', mountPath: SECRETS_DIR, readOnly: true });

    const policy = props.maxMemoryPolicy ?? RedisMaxMemoryPolicy.NOEVICTION;
    if (sharded) {
      // ---- cluster mode (sharded): the server alone, and the create Job (private/sharded.ts).
      const passwordFile = `${SECRETS_DIR}/${this.credentials.key(PASSWORD_KEY)}`;
      const nodeTimeoutMs = this.mode.nodeTimeout.toMilliseconds();
      for (const [k, v] of clusterServerEnv({
        headless: w.headlessService.name, clusterDomain: w.clusterDomain, passwordFile, nodeTimeoutMs, persistence, maxMemory: this.maxMemory, policy,
      })) w.addEnv(k, v);
      this.masterName = '';
      this.quorum = 0;
      this.clientService = w.services.add('client', { name: w.name, ports: ['redis'] });
      const create = new RedisClusterCreateJob(this, 'Create', {
        workload: w, mode: this.mode, image: this.image, secret: this.secret, passwordKey: this.credentials.key(PASSWORD_KEY),
      });
      this.createJob = create.job;
      w.connections.allowFromLabels(create.podSelector, ['redis']);
      if (this.mode.replicasPerShard === 0) {
        Warnings.of(this).add('@cdk8s-stateful/redis:noClusterFailover',
          'replicasPerShard is 0: a primary that fails takes its slots down with it (the cluster stops serving them); use 1');
      }
      this.warnNoMemoryLimit();
      return;
    }
    const common = commonEnv({
      name: w.name,
      headless: w.headlessService.name,
      clusterDomain: w.clusterDomain,
      replicas,
      masterName: this.masterName,
      passwordFile: `${SECRETS_DIR}/${this.credentials.key(PASSWORD_KEY)}`,
    });
    for (const [k, v] of [...common, ...serverEnv(persistence, this.maxMemory, policy)]) w.addEnv(k, v);

    const mounts = [
      { volume: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true },
      { volume: 'credentials', mountPath: SECRETS_DIR, readOnly: true },
    ];
    w.addSidecar({
      name: 'sentinel',
      image: this.image,
      command: ['sh', `${SCRIPTS_DIR}/redis-start.sh`, 'sentinel'],
      env: Object.fromEntries([...common, ...sentinelEnv(this.quorum, downAfterMs, failoverMs)]),
      mounts: [...mounts, { volume: conf, mountPath: CONF_DIR }],
      readiness: HealthProbe.exec(probe(SENTINEL_PORT, 'ready'), { period: Duration.seconds(5) }),
      liveness: HealthProbe.exec(probe(SENTINEL_PORT, 'live'), { initialDelay: Duration.seconds(10), failureThreshold: 6 }),
      resources: {
        cpu: { request: kplus.Cpu.millis(20), limit: kplus.Cpu.millis(200) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) },
      },
    });

    this.clientService = w.services.add('client', { name: w.name, ports: ['redis', 'sentinel'] });
    if (withPrimary) {
      // Least privilege: patch, on this StatefulSet's pods only (no get/list/watch, no other pod).
      w.rbac.addRule({
        apiGroups: [''],
        resources: ['pods'],
        verbs: ['patch'],
        resourceNames: Array.from({ length: replicas }, (_, i) => w.podName(w.ordinalsStart + i)),
      });
      w.addSidecar({
        name: 'role-labeler',
        image: props.labelerImage ?? DEFAULT_GENERATOR_IMAGE,
        command: ['python3', `${SCRIPTS_DIR}/role-labeler.py`],
        env: {
          POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
          PASSWORD_FILE: kplus.EnvValue.fromValue(`${SECRETS_DIR}/${this.credentials.key(PASSWORD_KEY)}`),
          REDIS_PORT: kplus.EnvValue.fromValue(`${REDIS_PORT}`),
          ROLE_LABEL: kplus.EnvValue.fromValue('role'),
        },
        mounts,
        resources: {
          cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) },
        },
      });
      this.primaryService = w.services.add('primary', { ports: ['redis'], selector: { role: 'primary' } });
    }

    if (replicas < 3) {
      Warnings.of(this).add('@cdk8s-stateful/redis:noFailover',
        `replicas is ${replicas}: Sentinel needs at least 3 pods to fail over when one pod (with its Sentinel) is lost; use 3`);
    }
    this.warnNoMemoryLimit();
  }

  /** The read-write endpoint: the `<name>-primary` Service, or `<name>` without it. */
  public get endpoint(): ServiceEndpoint {
    return { host: this.workload.qualify((this.primaryService ?? this.clientService).name), port: REDIS_PORT };
  }

  /** Ingress into the pods: `cluster.connections.allowFrom(peer, ['redis', 'sentinel'])`. */
  public get connections(): Connections {
    return this.workload.connections;
  }

  /** `host:26379` of every Sentinel, for Sentinel-aware clients (none in cluster mode). */
  public sentinelAddresses(qualified: boolean = true): string[] {
    return this.mode.isCluster ? [] : this.podAddresses(SENTINEL_PORT, qualified);
  }

  /** `host:6379` of every node, the seed list of cluster-aware clients (none in Sentinel mode). */
  public clusterNodes(qualified: boolean = true): string[] {
    return this.mode.isCluster ? this.podAddresses(REDIS_PORT, qualified) : [];
  }

  /**
   * Connect a cdk8s-plus-28 workload: adds REDIS_SENTINELS (comma-separated `host:port`),
   * REDIS_MASTER_NAME, REDIS_HOST/REDIS_PORT (the primary Service, for clients that are not
   * Sentinel-aware) and REDIS_PASSWORD (from the Secret) to each of its containers, and allows
   * its pods through the NetworkPolicy on both ports. In cluster mode: REDIS_CLUSTER_NODES
   * (comma-separated `host:6379` of every node, the seeds of a cluster-aware client),
   * REDIS_HOST/REDIS_PORT (the `<name>` Service: any node) and REDIS_PASSWORD, port 6379 only.
   * A workload is bound once.
   */
  public bind(workload: kplus.Workload, options: RedisBindOptions = {}): void {
    if (!workload.containers.length) {
      throw new ValidationError('RedisBindNoContainers', `bind: workload '${workload.node.path}' has no containers yet; add them before calling bind()`, this);
    }
    for (const c of workload.containers) {
      const set = BIND_ENV.filter((k) => k in c.env.variables);
      if (set.length) {
        throw new ValidationError('RedisBindTwice', `bind: container '${c.name}' of '${workload.node.path}' already sets ${set.join(', ')}; bind a workload once`, this);
      }
    }
    const here = this.workload.namespace;
    const there = workload.metadata.namespace;
    const creds = options.credentials;
    if (creds?.isGenerated) {
      throw new ValidationError('RedisBindCredentialsGenerated',
        "bind: 'credentials' must name an existing Secret in the workload's namespace (Credentials.fromSecret), not Credentials.generate()", this);
    }
    if (here !== there && !creds) {
      throw new ValidationError('RedisBindCrossNamespace',
        `bind: '${workload.node.path}' is in namespace ${there ? `'${there}'` : '(none set)'} and the cluster in ${here ? `'${here}'` : '(none set)'}; `
        + 'pods read Secrets of their own namespace only: set the namespace on both charts, or copy the password into a Secret there and pass '
        + `{ credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(scope, 'RedisPassword', '<secret>'), { ${PASSWORD_KEY}: '<key>' }) }`, this);
    }
    const remote = here !== there;
    const password = creds
      ? kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, `BindSecret${this.bindings}`, creds.secretName('')), key: creds.key(PASSWORD_KEY) })
      : kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.credentials.key(PASSWORD_KEY) });
    const primary = (this.primaryService ?? this.clientService).name;
    const env: { [name: string]: kplus.EnvValue } = this.mode.isCluster ? {
      REDIS_CLUSTER_NODES: kplus.EnvValue.fromValue(this.clusterNodes(remote).join(',')),
    } : {
      REDIS_SENTINELS: kplus.EnvValue.fromValue(this.sentinelAddresses(remote).join(',')),
      REDIS_MASTER_NAME: kplus.EnvValue.fromValue(this.masterName),
    };
    Object.assign(env, {
      REDIS_HOST: kplus.EnvValue.fromValue(remote ? this.workload.qualify(primary) : primary),
      REDIS_PORT: kplus.EnvValue.fromValue(`${REDIS_PORT}`),
      REDIS_PASSWORD: password,
    });
    const ports = this.mode.isCluster ? ['redis'] : ['redis', 'sentinel'];
    for (const c of workload.containers) {
      for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    }
    if (remote) {
      const id = `Bind${this.bindings}`;
      this.workload.connections.allowFrom(kplus.Pods.select(this, id, {
        labels: workload.matchLabels,
        namespaces: kplus.Namespaces.select(this, `${id}Namespace`, { names: [there!] }),
      }), ports);
    } else {
      this.workload.connections.allowFrom(workload, ports);
    }
    this.bindings++;
  }

  private podAddresses(port: number, qualified: boolean): string[] {
    const w = this.workload;
    return Array.from({ length: w.replicas }, (_, i) => {
      const host = `${w.podName(w.ordinalsStart + i)}.${w.headlessService.name}`;
      return `${qualified ? w.qualify(host) : host}:${port}`;
    });
  }

  private warnNoMemoryLimit(): void {
    if (this.maxMemory === 0) {
      Warnings.of(this).add('@cdk8s-stateful/redis:noMemoryLimit',
        'the server has no memory limit, so maxmemory is not set: Redis grows until the node kills it; set resources.memory.limit');
    }
  }
}
