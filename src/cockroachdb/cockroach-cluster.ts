import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CockroachSecurity } from './cockroach-security';
import { CockroachVersion } from './cockroach-version';
import { databasesProblem, DatabaseSpec, joinList, memoryFlags, memoryProblem, Problem, replicasProblem, versionProblem } from './private/config';
import { monitorCockroach } from './private/monitoring';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { Credentials } from '../core/kit/credentials';
import { GeneratedSecret } from '../core/kit/generated-secret';
import { MonitoredWorkload, Monitoring } from '../core/kit/monitoring';
import { NodeLabels } from '../core/kit/node-labels';
import { JobRestartPolicy, JobScript, ScriptJob } from '../core/kit/script-job';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { LabelKeys } from '../core/labels';
import { isDns1123Subdomain, shortHash } from '../core/naming';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { HealthProbe } from '../core/workload/container';
import { PlacementProps } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { IStorageClass, WorkloadVolume } from '../core/workload/volumes';

const PORT = 26257;
const HTTP_PORT = 8080;
const DATA_DIR = '/cockroach/cockroach-data';
const SCRIPTS_DIR = '/opt/cdk8s-stateful/cockroachdb';
const CERTS_SRC = '/cockroach/certs-secret';
const CERTS_DIR = '/cockroach/cockroach-certs';
const PASSWORD_DIR = '/etc/cockroach-passwords';
/** The user of the official Helm chart's pods (the image runs as any uid). */
const UID = 1000;

/** A database and the user that owns it. */
export interface CockroachDatabase {
  /** Database name (lower-case SQL name). */
  readonly name: string;
  /** Owner, created with a generated password (secure mode). @default - the database name */
  readonly owner?: string;
}

/** Where each node's locality (`--locality`) comes from. */
export interface CockroachLocalityOptions {
  /**
   * Locality tiers, outermost first, each a node label: e.g.
   * `{ region: 'topology.kubernetes.io/region', zone: 'topology.kubernetes.io/zone' }`.
   * @default - region and zone from the well-known topology labels
   */
  readonly tiers?: { [tier: string]: string };
}

/** Props of a CockroachCluster. */
export interface CockroachClusterProps {
  /** StatefulSet name and prefix of every object. Stateful: a new name means new, empty disks. @default - the construct id */
  readonly name?: string;
  /** @default CockroachVersion.V25_4_3 */
  readonly version?: CockroachVersion;
  /** Nodes (3 or more: ranges keep 3 replicas). @default 3 */
  readonly replicas?: number;
  /** Certificates, or insecure mode for throwaway clusters. */
  readonly security: CockroachSecurity;
  /** Size of each node's store. @default Size.gibibytes(100) */
  readonly storage?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /** @default - 1 CPU request, 4Gi memory request and limit (CockroachDB's production minimum per node) */
  readonly resources?: kplus.ContainerResources;
  /** Databases with owners, created by the init Job. @default - none */
  readonly databases?: CockroachDatabase[];
  /** Where the owners' passwords are (secure mode). @default Credentials.generate() */
  readonly credentials?: Credentials;
  /** Locality from node labels (needs a chart namespace: a ClusterRole reads nodes). @default - no locality */
  readonly locality?: CockroachLocalityOptions;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /**
   * Prometheus monitoring (issue 12): each node's `/_status/vars` on the HTTP port (HTTPS verified
   * with the node Secret's `ca.crt` in secure mode), alerts and a dashboard. See docs/cockroachdb.md.
   * @default - none
   */
  readonly monitoring?: Monitoring;
}

/** Options of `CockroachCluster.bind()`. */
export interface CockroachBindOptions {
  /** The database (one of `databases`); its owner's credentials are used. @default - the first database */
  readonly database?: string;
}

/**
 * CockroachDB on the official image: `cockroach start --join` with the first nodes' stable DNS
 * names, each node advertising its own, a converging init Job (`cockroach init` once, then the
 * declared databases and owners), a PodDisruptionBudget of one, the client Service `<name>-public`
 * (SQL on 26257, the console and `/health` on 8080), restricted pods (uid 1000, read-only root).
 *
 * Scale-in needs `cockroach node decommission` first: `UpgradeSafety` flags a replica decrease
 * (quorumShrink); the steps are in docs/cockroachdb.md.
 */
export class CockroachCluster extends Construct implements IStatefulService {
  /** The StatefulSet name. */
  public readonly name: string;
  /** Nodes. */
  public readonly replicas: number;
  /** The release. */
  public readonly version: CockroachVersion;
  /** The StatefulSet, headless Service, PDB and NetworkPolicy. */
  public readonly workload: StatefulWorkload;
  /** The client Service (`<name>-public`). */
  public readonly publicService: k8s.KubeService;
  /** The init Job. */
  public readonly initJob: ScriptJob;
  /** The owners' passwords (secure mode with databases). */
  public readonly secretName?: string;
  /** The Job that generates that Secret, when generated. */
  public readonly secretGenerator?: GeneratedSecret;
  /** The node-label reader, with `locality`. */
  public readonly locality?: NodeLabels;
  /** Whether the cluster runs `--insecure`. */
  public readonly insecure: boolean;
  /** The scrape object, alert rules and dashboard, when `monitoring` is set. */
  public readonly monitoring?: MonitoredWorkload;

  private readonly dbs: DatabaseSpec[];
  private readonly bindings: kplus.Workload[] = [];
  private readonly credentials: Credentials;

  constructor(scope: Construct, id: string, props: CockroachClusterProps) {
    super(scope, id);
    this.version = props.version ?? CockroachVersion.V25_4_3;
    this.replicas = props.replicas ?? 3;
    this.insecure = props.security.isInsecure;
    this.dbs = (props.databases ?? []).map((d) => ({ name: d.name, owner: d.owner ?? d.name }));
    const resources = props.resources ?? { cpu: { request: kplus.Cpu.units(1) }, memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) } };
    this.fail(versionProblem(this.version.version) ?? replicasProblem(this.replicas) ?? databasesProblem(this.dbs)
      ?? memoryProblem(resources.memory?.limit));
    for (const [what, v] of Object.entries(props.security.secrets ?? {})) {
      if (!isDns1123Subdomain(v)) this.fail({ code: 'CockroachSecretNameInvalid', message: `security ${what} '${v}' is not a Secret name (a DNS-1123 subdomain)` });
    }
    const probe = (path: string, o: Parameters<typeof HealthProbe.httpGet>[2]) =>
      (this.insecure ? HealthProbe.httpGet(path, HTTP_PORT, o) : HealthProbe.httpsGet(path, HTTP_PORT, o));
    this.workload = new StatefulWorkload(this, 'Resource', {
      name: props.name ?? id,
      image: this.version.image,
      appName: 'cockroachdb',
      component: 'database',
      version: this.version.version,
      containerName: 'cockroachdb',
      replicas: this.replicas,
      clusterDomain: props.clusterDomain,
      // Nodes must resolve each other before any is Ready (upstream's manifests do the same).
      publishNotReadyAddresses: true,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      ports: [{ name: 'grpc', port: PORT }, { name: 'http', port: HTTP_PORT }],
      command: ['bash', `${SCRIPTS_DIR}/start.sh`],
      resources,
      readiness: probe('/health?ready=1', { initialDelay: Duration.seconds(10), period: Duration.seconds(5), failureThreshold: 2 }),
      liveness: probe('/health', { initialDelay: Duration.seconds(30), period: Duration.seconds(5) }),
      dataVolumes: { datadir: { mountPath: DATA_DIR, size: props.storage ?? Size.gibibytes(100), storageClass: props.storageClass } },
      scratchPaths: ['/tmp', ...(this.insecure ? [] : [CERTS_DIR])],
      security: { user: UID, group: UID, fsGroup: UID },
      placement: props.placement,
      // A node drains its leases and SQL sessions on SIGTERM (upstream: 60 s).
      terminationGracePeriod: Duration.seconds(60),
    });
    this.name = this.workload.name;
    this.node.defaultChild = this.workload.statefulSet;
    const w = this.workload;
    const mem = memoryFlags(resources.memory?.limit);
    const ordinals = Array.from({ length: this.replicas }, (_, i) => w.ordinalsStart + i);
    w.volumes.addConfigFiles('scripts', { mountPath: SCRIPTS_DIR, files: { 'start.sh': loadAsset('cockroachdb/assets/start.sh') } });
    const env: { [k: string]: string } = {
      ADVERTISE_HOST: w.runtimeDnsName(),
      JOIN: joinList(ordinals, (o) => w.runtimeDnsName(w.podName(o)), PORT),
      PORT: `${PORT}`,
      HTTP_PORT: `${HTTP_PORT}`,
      STORE: DATA_DIR,
      CACHE: mem.cache,
      MAX_SQL_MEMORY: mem.maxSqlMemory,
      INSECURE: `${this.insecure}`,
    };
    if (!this.insecure) {
      env.CERTS_SRC = CERTS_SRC;
      env.CERTS_DIR = CERTS_DIR;
      const nodeSecret = kplus.Secret.fromSecretName(this, 'NodeCerts', props.security.secrets!.nodeSecretName);
      w.volumes.add('node-certs', WorkloadVolume.fromSecret(nodeSecret, { defaultMode: 0o440 }));
      w.addMount({ volume: 'node-certs', mountPath: CERTS_SRC, readOnly: true });
    }
    if (props.locality) {
      if (!w.namespace) this.fail({ code: 'CockroachLocalityNamespaceRequired', message: "locality reads node labels through a ClusterRoleBinding, which names the pods' namespace: set `namespace` on the chart" });
      this.locality = new NodeLabels(this, 'Locality', {
        workload: w,
        labels: props.locality.tiers ?? { region: 'topology.kubernetes.io/region', zone: 'topology.kubernetes.io/zone' },
        mountPath: '/etc/cockroach-locality',
      });
      env.LOCALITY_FILE = this.locality.file;
    }
    for (const k of Object.keys(env)) w.addEnv(k, kplus.EnvValue.fromValue(env[k]));
    this.publicService = w.services.add('public', { ports: ['grpc', 'http'] });

    // Owners' passwords: secure mode only (insecure mode cannot set passwords).
    const credentials = this.credentials = props.credentials ?? Credentials.generate();
    let passwords: kplus.ISecret | undefined;
    if (!this.insecure && this.dbs.length) {
      const keys = [...new Set(this.dbs.map((d) => `${d.owner}-password`))];
      credentials._assertValid(this, keys, `${this.name}-credentials`);
      this.secretName = credentials.secretName(`${this.name}-credentials`);
      if (credentials.isGenerated) {
        this.secretGenerator = new GeneratedSecret(this, 'Credentials', {
          secretName: this.secretName, keys, labels: { [LabelKeys.NAME]: 'cockroachdb', [LabelKeys.INSTANCE]: this.name }, image: credentials.generatorImage,
        });
      }
      passwords = kplus.Secret.fromSecretName(this, 'Passwords', this.secretName);
    }
    this.initJob = this.createInitJob(props, passwords, credentials);
    if (props.monitoring) {
      const nodeSecretName = props.security.secrets?.nodeSecretName;
      this.monitoring = monitorCockroach(props.monitoring, { workload: w, replicas: this.replicas, nodeSecretName });
    }
    if (this.insecure) {
      Warnings.of(this).add('@cdk8s-stateful/cockroachdb:insecure',
        'insecure mode: no TLS and no authentication, anyone who reaches port 26257 is root; use CockroachSecurity.fromSecrets() for data that matters');
    }
    if (this.replicas < 3) {
      Warnings.of(this).add('@cdk8s-stateful/cockroachdb:fewNodes', `${this.replicas} node(s): ranges keep 3 replicas, so one node down stops writes to some ranges; use 3 or more`);
    }
  }

  /** The client Service's SQL endpoint. */
  public get endpoint(): ServiceEndpoint {
    return { host: this.workload.qualify(this.publicService.name), port: PORT };
  }

  /** Ingress into the nodes (the NetworkPolicy). */
  public get connections(): Connections {
    return this.workload.connections;
  }

  /** The databases the init Job creates. */
  public get databases(): string[] {
    return this.dbs.map((d) => d.name);
  }

  /**
   * Connect a cdk8s-plus workload over the PostgreSQL wire protocol: libpq env (`PGHOST`,
   * `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD` from the Secret, `PGSSLMODE=require`; in
   * insecure mode `root` without password and `PGSSLMODE=disable`) in each container, and a
   * NetworkPolicy rule for port 26257. Clients in the cluster's namespace only.
   */
  public bind(workload: kplus.Workload, options: CockroachBindOptions = {}): void {
    if (this.bindings.includes(workload)) {
      throw new ValidationError('CockroachBindDuplicate', `workload '${workload.node.path}' is bound to this cluster already; bind it once`, this);
    }
    if (Chart.of(workload).namespace !== this.workload.namespace) {
      throw new ValidationError('CockroachBindNamespace',
        `bind('${workload.node.path}'): the client is in namespace '${Chart.of(workload).namespace}', the cluster in '${this.workload.namespace}'; bind clients of the same namespace`, this);
    }
    const db = options.database === undefined ? this.dbs[0] : this.dbs.find((d) => d.name === options.database);
    if (!db && !this.insecure) {
      throw new ValidationError('CockroachBindDatabaseUnknown',
        `bind: database '${options.database ?? '(none)'}' is not one of databases [${this.databases.join(', ')}]; declare it in databases`, this);
    }
    const env: { [k: string]: kplus.EnvValue } = {
      PGHOST: kplus.EnvValue.fromValue(this.publicService.name),
      PGPORT: kplus.EnvValue.fromValue(`${PORT}`),
      PGDATABASE: kplus.EnvValue.fromValue(db?.name ?? 'defaultdb'),
      PGUSER: kplus.EnvValue.fromValue(this.insecure ? 'root' : db!.owner),
      PGSSLMODE: kplus.EnvValue.fromValue(this.insecure ? 'disable' : 'require'),
    };
    if (!this.insecure) {
      env.PGPASSWORD = kplus.EnvValue.fromSecretValue({
        secret: kplus.Secret.fromSecretName(workload, `${this.node.id}-cockroach-pw`, this.secretName!), key: this.passwordKey(db!.owner),
      });
    }
    for (const c of workload.containers) for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    this.bindings.push(workload);
    this.workload.connections.allowFrom(workload, ['grpc']);
  }

  private createInitJob(props: CockroachClusterProps, passwords: kplus.ISecret | undefined, credentials: Credentials): ScriptJob {
    const w = this.workload;
    const spec = JSON.stringify({ dbs: this.dbs, insecure: this.insecure, secrets: props.security.secrets, v: this.version.version });
    const volumes: { [k: string]: WorkloadVolume } = { tmp: WorkloadVolume.emptyDir() };
    const mounts = [{ volume: 'tmp', mountPath: '/tmp' }];
    if (!this.insecure) {
      volumes.client = WorkloadVolume.fromSecret(kplus.Secret.fromSecretName(this, 'RootCerts', props.security.secrets!.rootClientSecretName), { defaultMode: 0o440 });
      volumes.certs = WorkloadVolume.emptyDir();
      mounts.push({ volume: 'client', mountPath: CERTS_SRC }, { volume: 'certs', mountPath: CERTS_DIR });
    }
    if (passwords) {
      volumes.passwords = WorkloadVolume.fromSecret(passwords, { defaultMode: 0o440 });
      mounts.push({ volume: 'passwords', mountPath: PASSWORD_DIR });
    }
    const job = new ScriptJob(this, 'Init', {
      name: `${this.name}-init-${shortHash(spec)}`,
      labels: { [LabelKeys.NAME]: 'cockroachdb', [LabelKeys.INSTANCE]: this.name, [LabelKeys.COMPONENT]: 'init' },
      image: this.version.image,
      script: JobScript.bash(loadAsset('cockroachdb/assets/init.sh'), { name: 'init' }),
      env: {
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        HOST: kplus.EnvValue.fromValue(`${w.podName(w.ordinalsStart)}.${w.headlessService.name}.$(POD_NAMESPACE).svc.${w.clusterDomain}:${PORT}`),
        INSECURE: kplus.EnvValue.fromValue(`${this.insecure}`),
        CERTS_SRC: kplus.EnvValue.fromValue(CERTS_SRC),
        CERTS_DIR: kplus.EnvValue.fromValue(CERTS_DIR),
        // db:owner:file of the owner's password (the Secret's key, renamed by Credentials.fromSecret).
        DATABASES: kplus.EnvValue.fromValue(this.dbs.map((d) => `${d.name}:${d.owner}:${credentials.key(`${d.owner}-password`)}`).join(' ')),
        PASSWORD_DIR: kplus.EnvValue.fromValue(PASSWORD_DIR),
      },
      volumes,
      mounts,
      user: UID,
      group: UID,
      fsGroup: UID,
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 6,
      ttlAfterFinished: Duration.days(1),
      resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) } },
    });
    w.connections.allowFromLabels({ [LabelKeys.INSTANCE]: this.name, [LabelKeys.COMPONENT]: 'init' }, ['grpc']);
    return job;
  }

  private passwordKey(owner: string): string {
    return this.credentials.key(`${owner}-password`);
  }

  private fail(problem: Problem | undefined): void {
    if (problem) throw new ValidationError(problem.code, problem.message, this);
  }
}
