import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CassandraVersion } from './cassandra-version';
import { cassandraYaml, heapSizes, KeyspaceSpec, keyspacesProblem, Problem, versionProblem } from './private/config';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { Credentials } from '../core/kit/credentials';
import { GeneratedSecret } from '../core/kit/generated-secret';
import { NodeLabels } from '../core/kit/node-labels';
import { JobRestartPolicy, JobScript, ScriptJob } from '../core/kit/script-job';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { isQualifiedName, LabelKeys } from '../core/labels';
import { shortHash } from '../core/naming';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { HealthProbe } from '../core/workload/container';
import { PlacementProps } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { IStorageClass, WorkloadVolume } from '../core/workload/volumes';

const CQL_PORT = 9042;
const STORAGE_PORT = 7000;
const DATA_DIR = '/var/lib/cassandra';
const CONF_DIR = '/etc/cassandra-conf';
const TEMPLATE_DIR = '/opt/cdk8s-stateful/cassandra';
const PASSWORD_DIR = '/etc/cassandra-passwords';
/** The image's `cassandra` user. */
const UID = 999;
const ADMIN_KEY = 'admin-password';

/** A keyspace, its replication and the role that owns it. */
export interface CassandraKeyspace {
  /** Keyspace name (lower-case CQL name). */
  readonly name: string;
  /** Replicas in the cluster's DC (NetworkTopologyStrategy). @default - 3, or the node count when smaller */
  readonly replicationFactor?: number;
  /** Role with LOGIN and ALL PERMISSIONS on the keyspace, password generated. @default - the keyspace name */
  readonly role?: string;
}

/** Props of a CassandraCluster. */
export interface CassandraClusterProps {
  /** StatefulSet name and prefix of every object. Stateful: a new name means new, empty disks. @default - the construct id */
  readonly name?: string;
  /** @default CassandraVersion.V5_0_3 */
  readonly version?: CassandraVersion;
  /** Nodes. @default 3 */
  readonly replicas?: number;
  /** `cluster_name` (nodes with another name refuse to join). @default - the StatefulSet name */
  readonly clusterName?: string;
  /** The data center (GossipingPropertyFileSnitch `dc`). @default 'dc1' */
  readonly datacenter?: string;
  /**
   * Take each node's rack from this label of the Kubernetes node it runs on (an init container
   * reads it; needs a chart namespace). Without it every node is in `rack1`.
   * @default - no rack awareness
   */
  readonly rackFromNodeLabel?: string;
  /** Virtual nodes per node (`num_tokens`). @default 16 */
  readonly numTokens?: number;
  /** Size of each node's volume. @default Size.gibibytes(100) */
  readonly storage?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /** @default - 1 CPU request, 8Gi memory request and limit (a 4Gi heap) */
  readonly resources?: kplus.ContainerResources;
  /** Keyspaces with their roles, created by the auth Job. @default - none */
  readonly keyspaces?: CassandraKeyspace[];
  /** Where the admin and role passwords are. @default Credentials.generate() */
  readonly credentials?: Credentials;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/** Options of `CassandraCluster.bind()`. */
export interface CassandraBindOptions {
  /** The keyspace whose role the client logs in as. @default - the first keyspace */
  readonly keyspace?: string;
}

/**
 * Apache Cassandra on the official image: seeds from the first nodes' stable DNS names,
 * GossipingPropertyFileSnitch with the DC and an optional rack from a node label, authentication
 * on (a converging Job replaces the default superuser with `admin` and creates keyspaces and their
 * roles), the heap from the memory limit, `nodetool drain` before each stop, readiness when the
 * node is Up/Normal, a PodDisruptionBudget of one, restricted pods (uid 999, read-only root).
 *
 * Scale-in needs `nodetool decommission` first: `UpgradeSafety` flags a replica decrease; the
 * steps are in docs/cassandra.md.
 */
export class CassandraCluster extends Construct implements IStatefulService {
  /** The StatefulSet name. */
  public readonly name: string;
  /** Nodes. */
  public readonly replicas: number;
  /** The release. */
  public readonly version: CassandraVersion;
  /** The data center. */
  public readonly datacenter: string;
  /** The StatefulSet, headless Service, PDB and NetworkPolicy. */
  public readonly workload: StatefulWorkload;
  /** The CQL Service (`<name>-client`, 9042). */
  public readonly clientService: k8s.KubeService;
  /** The auth Job. */
  public readonly authJob: ScriptJob;
  /** The Secret with `admin-password` and each role's password. */
  public readonly secretName: string;
  /** The Job that generates that Secret, when generated. */
  public readonly secretGenerator?: GeneratedSecret;
  /** The node-label reader, with `rackFromNodeLabel`. */
  public readonly rackLabels?: NodeLabels;

  private readonly keyspaceSpecs: KeyspaceSpec[];
  private readonly credentials: Credentials;
  private readonly bindings: kplus.Workload[] = [];

  constructor(scope: Construct, id: string, props: CassandraClusterProps = {}) {
    super(scope, id);
    this.version = props.version ?? CassandraVersion.V5_0_3;
    this.replicas = props.replicas ?? 3;
    this.datacenter = props.datacenter ?? 'dc1';
    const numTokens = props.numTokens ?? 16;
    const resources = props.resources ?? { cpu: { request: kplus.Cpu.units(1) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) } };
    this.keyspaceSpecs = (props.keyspaces ?? []).map((k) => ({
      name: k.name, replicationFactor: k.replicationFactor ?? Math.min(3, this.replicas), role: k.role ?? k.name,
    }));
    this.fail(versionProblem(this.version.version)
      ?? (Number.isInteger(this.replicas) && this.replicas >= 1 && this.replicas <= 1000 ? undefined
        : { code: 'CassandraReplicasInvalid', message: `replicas must be a whole number from 1 to 1000, got ${this.replicas}` })
      ?? (Number.isInteger(numTokens) && numTokens >= 1 && numTokens <= 1536 ? undefined
        : { code: 'CassandraNumTokensInvalid', message: `numTokens must be a whole number from 1 to 1536, got ${numTokens}; 16 is the default since Cassandra 4.0` })
      ?? (/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/.test(this.datacenter) ? undefined
        : { code: 'CassandraDatacenterInvalid', message: `datacenter '${this.datacenter}' must be letters, digits, '_' and '-' (at most 48)` })
      ?? (props.rackFromNodeLabel === undefined || isQualifiedName(props.rackFromNodeLabel) ? undefined
        : { code: 'CassandraRackLabelInvalid', message: `rackFromNodeLabel '${props.rackFromNodeLabel}' is not a label key, e.g. 'topology.kubernetes.io/zone'` })
      ?? keyspacesProblem(this.keyspaceSpecs, this.replicas));
    const heap = heapSizes(resources.memory?.limit);
    if (heap.maxHeapMi < 1024) this.fail({ code: 'CassandraMemoryTooSmall', message: `the memory limit gives a heap of ${heap.maxHeapMi}Mi; Cassandra needs a 2Gi memory limit at least (8Gi in production)` });

    this.workload = new StatefulWorkload(this, 'Resource', {
      name: props.name ?? id,
      image: this.version.image,
      appName: 'cassandra',
      component: 'database',
      version: this.version.version,
      containerName: 'cassandra',
      replicas: this.replicas,
      clusterDomain: props.clusterDomain,
      // Seeds must resolve before any node is Ready (the ring forms first).
      publishNotReadyAddresses: true,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      ports: [{ name: 'cql', port: CQL_PORT }, { name: 'intra', port: STORAGE_PORT }],
      command: ['bash', `${TEMPLATE_DIR}/start.sh`],
      resources,
      readiness: HealthProbe.exec(['bash', `${TEMPLATE_DIR}/ready.sh`], { initialDelay: Duration.seconds(30), period: Duration.seconds(15), timeout: Duration.seconds(10) }),
      liveness: HealthProbe.tcpSocket(CQL_PORT, { initialDelay: Duration.seconds(180), period: Duration.seconds(20), failureThreshold: 6 }),
      dataVolumes: { data: { mountPath: DATA_DIR, size: props.storage ?? Size.gibibytes(100), storageClass: props.storageClass } },
      scratchPaths: [CONF_DIR, '/var/log/cassandra', '/tmp'],
      security: { user: UID, group: UID, fsGroup: UID },
      placement: props.placement,
      // drain flushes memtables and stops accepting writes: the commit log need not be replayed.
      preStop: ['bash', '-c', `CASSANDRA_CONF=${CONF_DIR} nodetool -h 127.0.0.1 drain`],
      terminationGracePeriod: Duration.seconds(120),
    });
    this.name = this.workload.name;
    this.node.defaultChild = this.workload.statefulSet;
    const w = this.workload;
    const major = Number(this.version.version.split('.')[0]);
    w.volumes.addConfigFiles('config', {
      mountPath: TEMPLATE_DIR,
      files: {
        'cassandra.yaml': cassandraYaml({ clusterName: props.clusterName ?? this.name, major, numTokens, dataDir: DATA_DIR }),
        'start.sh': loadAsset('cassandra/assets/start.sh'),
        'ready.sh': loadAsset('cassandra/assets/ready.sh'),
      },
    });
    const seeds = Array.from({ length: Math.min(3, this.replicas) }, (_, i) => w.runtimeDnsName(w.podName(w.ordinalsStart + i))).join(',');
    const env: Array<[string, kplus.EnvValue]> = [
      ['POD_IP', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP)],
      ['SEEDS', kplus.EnvValue.fromValue(seeds)],
      ['DC', kplus.EnvValue.fromValue(this.datacenter)],
      ['RACK', kplus.EnvValue.fromValue('rack1')],
      ['CONF_DIR', kplus.EnvValue.fromValue(CONF_DIR)],
      ['TEMPLATE_DIR', kplus.EnvValue.fromValue(TEMPLATE_DIR)],
      ['IMAGE_CONF', kplus.EnvValue.fromValue('/etc/cassandra')],
      // cassandra-env.sh reads them as a pair.
      ['MAX_HEAP_SIZE', kplus.EnvValue.fromValue(`${heap.maxHeapMi}M`)],
      ['HEAP_NEWSIZE', kplus.EnvValue.fromValue(`${heap.newSizeMi}M`)],
      ['CASSANDRA_LOG_DIR', kplus.EnvValue.fromValue('/var/log/cassandra')],
    ];
    if (props.rackFromNodeLabel) {
      if (!w.namespace) this.fail({ code: 'CassandraRackNamespaceRequired', message: "rackFromNodeLabel reads node labels through a ClusterRoleBinding, which names the pods' namespace: set `namespace` on the chart" });
      this.rackLabels = new NodeLabels(this, 'Racks', { workload: w, labels: { rack: props.rackFromNodeLabel }, mountPath: '/etc/cassandra-rack' });
      env.push(['LOCALITY_FILE', kplus.EnvValue.fromValue(this.rackLabels.file)]);
    }
    for (const [k, v] of env) w.addEnv(k, v);
    this.clientService = w.services.add('client', { ports: ['cql'] });

    this.credentials = props.credentials ?? Credentials.generate();
    const keys = [ADMIN_KEY, ...new Set(this.keyspaceSpecs.map((k) => `${k.role}-password`))];
    this.credentials._assertValid(this, keys, `${this.name}-credentials`);
    this.secretName = this.credentials.secretName(`${this.name}-credentials`);
    if (this.credentials.isGenerated) {
      this.secretGenerator = new GeneratedSecret(this, 'Credentials', {
        secretName: this.secretName, keys, labels: { [LabelKeys.NAME]: 'cassandra', [LabelKeys.INSTANCE]: this.name }, image: this.credentials.generatorImage,
      });
    }
    this.authJob = this.createAuthJob();
    if (this.replicas < 3) {
      Warnings.of(this).add('@cdk8s-stateful/cassandra:fewNodes', `${this.replicas} node(s): a keyspace with replication factor 3 needs 3 nodes, and QUORUM needs 2 of 3 up; use 3 or more`);
    }
  }

  /** The CQL Service. */
  public get endpoint(): ServiceEndpoint {
    return { host: this.workload.qualify(this.clientService.name), port: CQL_PORT };
  }

  /** Ingress into the nodes (the NetworkPolicy). */
  public get connections(): Connections {
    return this.workload.connections;
  }

  /** The keyspaces the auth Job creates. */
  public get keyspaces(): string[] {
    return this.keyspaceSpecs.map((k) => k.name);
  }

  /**
   * Connect a cdk8s-plus workload: env `CASSANDRA_CONTACT_POINTS` (the CQL Service),
   * `CASSANDRA_PORT`, `CASSANDRA_LOCAL_DC`, `CASSANDRA_KEYSPACE`, `CASSANDRA_USERNAME` and
   * `CASSANDRA_PASSWORD` (the keyspace role's, from the Secret) in each container, and a
   * NetworkPolicy rule for the CQL port. Clients in the cluster's namespace only.
   */
  public bind(workload: kplus.Workload, options: CassandraBindOptions = {}): void {
    if (this.bindings.includes(workload)) {
      throw new ValidationError('CassandraBindDuplicate', `workload '${workload.node.path}' is bound to this cluster already; bind it once`, this);
    }
    if (Chart.of(workload).namespace !== this.workload.namespace) {
      throw new ValidationError('CassandraBindNamespace',
        `bind('${workload.node.path}'): the client is in namespace '${Chart.of(workload).namespace}', the cluster in '${this.workload.namespace}'; bind clients of the same namespace`, this);
    }
    const ks = options.keyspace === undefined ? this.keyspaceSpecs[0] : this.keyspaceSpecs.find((k) => k.name === options.keyspace);
    if (!ks) {
      throw new ValidationError('CassandraBindKeyspaceUnknown',
        `bind: keyspace '${options.keyspace ?? '(none)'}' is not one of keyspaces [${this.keyspaces.join(', ')}]; declare it in keyspaces`, this);
    }
    const secret = kplus.Secret.fromSecretName(workload, `${this.node.id}-cassandra-pw`, this.secretName);
    const env: { [k: string]: kplus.EnvValue } = {
      CASSANDRA_CONTACT_POINTS: kplus.EnvValue.fromValue(this.clientService.name),
      CASSANDRA_PORT: kplus.EnvValue.fromValue(`${CQL_PORT}`),
      CASSANDRA_LOCAL_DC: kplus.EnvValue.fromValue(this.datacenter),
      CASSANDRA_KEYSPACE: kplus.EnvValue.fromValue(ks.name),
      CASSANDRA_USERNAME: kplus.EnvValue.fromValue(ks.role),
      CASSANDRA_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: this.credentials.key(`${ks.role}-password`) }),
    };
    for (const c of workload.containers) for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    this.bindings.push(workload);
    this.workload.connections.allowFrom(workload, ['cql']);
  }

  private createAuthJob(): ScriptJob {
    const w = this.workload;
    const spec = JSON.stringify({ ks: this.keyspaceSpecs, dc: this.datacenter, s: this.secretName, v: this.version.version });
    const job = new ScriptJob(this, 'Auth', {
      name: `${this.name}-auth-${shortHash(spec)}`,
      labels: { [LabelKeys.NAME]: 'cassandra', [LabelKeys.INSTANCE]: this.name, [LabelKeys.COMPONENT]: 'auth' },
      image: this.version.image,
      script: JobScript.bash(loadAsset('cassandra/assets/auth.sh'), { name: 'auth' }),
      env: {
        HOST: kplus.EnvValue.fromValue(this.clientService.name),
        DC: kplus.EnvValue.fromValue(this.datacenter),
        AUTH_RF: kplus.EnvValue.fromValue(`${Math.min(3, this.replicas)}`),
        // keyspace:rf:role:file of the role's password (the Secret's key).
        KEYSPACES: kplus.EnvValue.fromValue(this.keyspaceSpecs.map((k) => `${k.name}:${k.replicationFactor}:${k.role}:${this.credentials.key(`${k.role}-password`)}`).join(' ')),
        PASSWORD_DIR: kplus.EnvValue.fromValue(PASSWORD_DIR),
        ADMIN_PASSWORD_FILE: kplus.EnvValue.fromValue(`${PASSWORD_DIR}/${this.credentials.key(ADMIN_KEY)}`),
      },
      volumes: {
        passwords: WorkloadVolume.fromSecret(kplus.Secret.fromSecretName(this, 'Passwords', this.secretName), { defaultMode: 0o440 }),
        tmp: WorkloadVolume.emptyDir(),
      },
      mounts: [{ volume: 'passwords', mountPath: PASSWORD_DIR, readOnly: true }, { volume: 'tmp', mountPath: '/tmp' }],
      user: UID,
      group: UID,
      fsGroup: UID,
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 6,
      ttlAfterFinished: Duration.days(1),
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
    });
    w.connections.allowFromLabels({ [LabelKeys.INSTANCE]: this.name, [LabelKeys.COMPONENT]: 'auth' }, ['cql']);
    return job;
  }

  private fail(problem: Problem | undefined): void {
    if (problem) throw new ValidationError(problem.code, problem.message, this);
  }
}
