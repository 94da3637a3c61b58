import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MariaDBVersion } from './mariadb-version';
import { defaultBufferPoolBytes, MANAGED, normalizeParameter, serverFlags } from './private/flags';
import { sizeError } from '../core/api-rules';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { Credentials } from '../core/kit/credentials';
import { GeneratedSecret } from '../core/kit/generated-secret';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { LabelKeys } from '../core/labels';
import { MAX_STATEFULSET_NAME, Names } from '../core/naming';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { HealthProbe } from '../core/workload/container';
import { AntiAffinity } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { IStorageClass, WorkloadVolume } from '../core/workload/volumes';

/** Props of a MariaDBCluster. */
export interface MariaDBClusterProps {
  /** The release (and its pinned official image). @default MariaDBVersion.V11_4_12 */
  readonly version?: MariaDBVersion;
  /**
   * Servers: pod 0 is the primary, the others read-only replicas.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * Name of the StatefulSet (and prefix of its Services, claims and Secret).
   * @default - the construct id
   */
  readonly name?: string;
  /** The database created on first start (`MARIADB_DATABASE`). @default 'app' */
  readonly database?: string;
  /** The user that owns `database` (`MARIADB_USER`, all privileges on it). @default 'app' */
  readonly user?: string;
  /**
   * Where the passwords come from (keys `root-password`, `replication-password`, `user-password`).
   * @default Credentials.generate() - a Job creates `<name>-credentials` in the cluster
   */
  readonly credentials?: Credentials;
  /** Size of each server's data volume (database and binary logs). @default Size.gibibytes(10) */
  readonly storageSize?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /** @default - 500m CPU requested, 1 GiB memory requested and limited */
  readonly resources?: kplus.ContainerResources;
  /**
   * How long the primary keeps binary logs (`binlog_expire_logs_seconds`). A replica that is
   * down longer than this cannot catch up and must be re-cloned (docs/mariadb.md).
   * @default Duration.days(7)
   * @see https://mariadb.com/kb/en/replication-and-binary-log-system-variables/#binlog_expire_logs_seconds
   */
  readonly binlogRetention?: Duration;
  /**
   * More mariadbd settings, passed as `--name=value` (e.g. `{ max_connections: '500' }`). The
   * settings replication depends on (server_id, read_only, log_bin, binlog_format, gtid_*, port)
   * are managed and rejected here.
   * @default - innodb_buffer_pool_size is half the memory limit; the rest MariaDB's defaults
   */
  readonly parameters?: { [name: string]: string };
  /**
   * The first pod ordinal (`spec.ordinals.start`): the primary is the pod with this ordinal and
   * `server_id` is 100 + the ordinal. Changing it later renames every pod (new, empty volumes).
   * @default 0
   */
  readonly ordinalsStart?: number;
  /**
   * Spread servers over nodes.
   * @default AntiAffinity.SOFT
   */
  readonly antiAffinity?: AntiAffinity;
}

/** Options of `MariaDBCluster.bind()`. */
export interface MariaDBBindOptions {
  /** Connect to the read-only Service instead of the primary. @default false */
  readonly readOnly?: boolean;
}

/** The variables `bind` sets. */
const BIND_ENV = ['MARIADB_HOST', 'MARIADB_PORT', 'MARIADB_DATABASE', 'MARIADB_USER', 'MARIADB_PASSWORD'];
const PORT = 3306;
/** The `backup` sidecar serves `mariadb-backup --stream` on it to cloning replicas. */
const CLONE_PORT = 3307;
/** The image's datadir and socket (its Dockerfile creates both, owned by mysql). */
const DATADIR = '/var/lib/mysql';
const SOCKET_DIR = '/run/mysqld';
const CREDENTIALS_DIR = '/etc/mariadb-credentials';
/** uid/gid of `mysql` in the official image (`groupadd -r mysql && useradd -r -g mysql mysql` on Ubuntu noble). */
const MYSQL_UID = 999;
const ROOT_KEY = 'root-password';
const REPLICATION_KEY = 'replication-password';
const USER_KEY = 'user-password';
const REPLICATION_USER = 'replicator';
const SERVER_ID_BASE = 100;
/** How long an empty primary looks for servers with data before it initializes (first creation only). */
const PEER_WAIT_SECONDS = 60;
/** `mariadb-admin ping` exits 0 when the server answers, "Access denied" included; TCP, so the entrypoint's socket-only init server is not Ready. */
const PING = ['mariadb-admin', '--no-defaults', '--protocol=tcp', '--host=127.0.0.1', `--port=${PORT}`, '--connect-timeout=3', 'ping'];

/**
 * MariaDB on a StatefulSet with the official image: pod 0 is the primary, the other pods are
 * read-only replicas using GTID asynchronous replication. A replica with an empty volume clones
 * the primary by itself (`mariadb-backup --stream` over TCP, then `--prepare`) and starts
 * replicating from the backup's GTID position. There is no automatic failover: docs/mariadb.md
 * says what is lost on which failure and how to promote a replica by hand.
 *
 * `ApiObject.of(cluster)` is the StatefulSet.
 * @see https://mariadb.com/kb/en/gtid/
 */
export class MariaDBCluster extends Construct implements IStatefulService {
  /** The StatefulSet and its Services, PDB and NetworkPolicy. */
  public readonly workload: StatefulWorkload;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** Read-write Service `<name>` (the primary, the first pod). */
  public readonly primaryService: k8s.KubeService;
  /** Read-only Service `<name>-ro` (every Ready server: a selector cannot exclude pod 0). */
  public readonly readOnlyService: k8s.KubeService;
  /** The release. */
  public readonly version: MariaDBVersion;
  /** Servers at this synth. */
  public readonly replicas: number;
  /** The database created on first start. */
  public readonly database: string;
  /** Its owner. */
  public readonly user: string;
  /** Name of the Secret with the passwords. */
  public readonly secretName: string;
  /** The key of the user's password in that Secret. */
  public readonly userPasswordKey: string;
  /** The Job that generates the Secret, unless credentials come from an existing Secret. */
  public readonly secretGenerator?: GeneratedSecret;
  private readonly secret: kplus.ISecret;
  private readonly bindings: kplus.Workload[] = [];

  constructor(scope: Construct, id: string, props: MariaDBClusterProps = {}) {
    super(scope, id);
    this.version = props.version ?? MariaDBVersion.V11_4_12;
    if (!this.version.supported) {
      throw new ValidationError('MariaDBVersionInvalid', `version '${this.version.version}' is not a MariaDB release of the form x.y.z, 10.6.0 or later`, this);
    }
    const replicas = props.replicas ?? 3;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new ValidationError('MariaDBReplicasInvalid', `replicas must be a whole number ≥ 1 (pod 0 is the primary), got ${replicas}`, this);
    }
    this.replicas = replicas;
    this.database = props.database ?? 'app';
    this.user = props.user ?? 'app';
    if (!/^[A-Za-z0-9_]{1,64}$/.test(this.database)) {
      throw new ValidationError('MariaDBDatabaseInvalid', `database '${this.database}' must be 1-64 letters, digits and '_' (it is written into SQL unquoted by the image)`, this);
    }
    if (!/^[A-Za-z0-9_]{1,80}$/.test(this.user) || ['root', REPLICATION_USER, 'healthcheck', 'mysql', 'mariadb.sys'].includes(this.user)) {
      throw new ValidationError('MariaDBUserInvalid',
        `user '${this.user}' must be 1-80 letters, digits and '_' and not root, ${REPLICATION_USER}, healthcheck, mysql or mariadb.sys (the server's and this library's own accounts)`, this);
    }
    const storageSize = props.storageSize ?? Size.gibibytes(10);
    const badStorage = sizeError('storageSize', storageSize, 1);
    if (badStorage) throw new ValidationError('MariaDBStorageInvalid', badStorage, this);
    const retention = (props.binlogRetention ?? Duration.days(7)).toSeconds({ integral: false });
    if (!Number.isInteger(retention) || retention < 3600 || retention > 8_553_600) {
      throw new ValidationError('MariaDBBinlogRetentionInvalid',
        `binlogRetention must be whole seconds between 1 hour and 99 days (binlog_expire_logs_seconds), got ${retention} s`, this);
    }
    const parameters: { [name: string]: string } = {};
    for (const [k, v] of Object.entries(props.parameters ?? {})) {
      const n = normalizeParameter(k);
      if (MANAGED.has(n)) {
        throw new ValidationError('MariaDBParameterManaged', `parameters: '${k}' is managed by MariaDBCluster (replication depends on it); remove it`, this);
      }
      if (!/^[a-z][a-z0-9-]*$/.test(n) || /[\s]/.test(v) || v === '') {
        throw new ValidationError('MariaDBParameterInvalid', `parameters: '${k}=${v}' is not a mariadbd setting (lower-case name, a value without spaces)`, this);
      }
      parameters[n] = v;
    }
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(500) },
      memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
    };
    const memoryLimit = resources.memory?.limit?.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR });
    const bufferPool = defaultBufferPoolBytes(memoryLimit === undefined ? undefined : memoryLimit * 1024 * 1024);
    const name = Names.stable(this, props.name, MAX_STATEFULSET_NAME);
    const first = props.ordinalsStart ?? 0;

    this.workload = new StatefulWorkload(this, 'Resource', {
      name,
      appName: 'mariadb',
      component: 'database',
      version: this.version.version,
      image: this.version.image,
      containerName: 'mariadb',
      command: ['bash', '/scripts/mariadb-start.sh'],
      args: serverFlags({ port: PORT, bufferPoolBytes: bufferPool, binlogExpireSeconds: retention, parameters }),
      replicas,
      ordinalsStart: first,
      // All at once: replicas wait for the primary in their init container themselves, and an
      // empty primary must see whether replicas hold data before it initializes (mariadb-clone.sh).
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      // ...and an empty primary asks every server, Ready or not, whether it holds data.
      publishNotReadyAddresses: true,
      ports: [{ name: 'mysql', port: PORT }],
      env: {
        DATADIR: kplus.EnvValue.fromValue(DATADIR),
        PRIMARY_ORDINAL: kplus.EnvValue.fromValue(`${first}`),
        SERVER_ID_BASE: kplus.EnvValue.fromValue(`${SERVER_ID_BASE}`),
      },
      resources,
      dataVolumes: { data: { mountPath: DATADIR, size: storageSize, storageClass: props.storageClass } },
      // The image writes its socket and pid file to /run/mysqld, temporary tables to /tmp.
      scratchPaths: [SOCKET_DIR, '/tmp'],
      // Replicas also need running replication (assets/mariadb-ready.sh).
      readiness: HealthProbe.exec(['bash', '/scripts/mariadb-ready.sh', `${PORT}`]),
      liveness: HealthProbe.tcpSocket(PORT, { failureThreshold: 6 }),
      // The first start loads the time zone tables; crash recovery may take long: up to 1 h.
      startup: HealthProbe.exec(PING, { failureThreshold: 360 }),
      security: { user: MYSQL_UID, group: MYSQL_UID, fsGroup: MYSQL_UID },
      terminationGracePeriod: Duration.seconds(60),
      placement: { antiAffinity: props.antiAffinity ?? AntiAffinity.SOFT },
    });
    const w = this.workload;
    this.statefulSet = w.statefulSet;
    this.node.defaultChild = w.statefulSet;

    // Credentials: generated in the cluster, or an existing Secret; mounted as files and read by
    // the image's entrypoint through its *_FILE variables (docker-entrypoint.sh file_env).
    const credentials = props.credentials ?? Credentials.generate();
    credentials._assertValid(this, [ROOT_KEY, REPLICATION_KEY, USER_KEY], `${name}-credentials`);
    this.secretName = credentials.secretName(`${name}-credentials`);
    this.userPasswordKey = credentials.key(USER_KEY);
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', this.secretName);
    if (credentials.isGenerated) {
      this.secretGenerator = new GeneratedSecret(this, 'Credentials', {
        secretName: this.secretName,
        keys: [ROOT_KEY, REPLICATION_KEY, USER_KEY],
        labels: { [LabelKeys.NAME]: 'mariadb', [LabelKeys.INSTANCE]: name, [LabelKeys.PART_OF]: name },
        image: credentials.generatorImage,
      });
    }
    const file = (key: string) => `${CREDENTIALS_DIR}/${credentials.key(key)}`;
    w.volumes.add('credentials', WorkloadVolume.fromSecret(this.secret, { defaultMode: 0o440 }));
    w.addMount({ volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true });
    // Read by docker-entrypoint.sh (MariaDB/mariadb-docker 11.4: docker_setup_env, docker_setup_db)
    // when it initializes the primary's empty data directory; ignored on every later start.
    w.addEnv('MARIADB_ROOT_PASSWORD_FILE', kplus.EnvValue.fromValue(file(ROOT_KEY)));
    w.addEnv('MARIADB_DATABASE', kplus.EnvValue.fromValue(this.database));
    w.addEnv('MARIADB_USER', kplus.EnvValue.fromValue(this.user));
    w.addEnv('MARIADB_PASSWORD_FILE', kplus.EnvValue.fromValue(file(USER_KEY)));
    w.addEnv('MARIADB_REPLICATION_USER', kplus.EnvValue.fromValue(REPLICATION_USER));
    w.addEnv('MARIADB_REPLICATION_PASSWORD_FILE', kplus.EnvValue.fromValue(file(REPLICATION_KEY)));

    w.volumes.addConfigFiles('scripts', {
      mountPath: '/scripts',
      files: {
        'mariadb-start.sh': loadAsset('mariadb/assets/mariadb-start.sh'),
        'mariadb-clone.sh': loadAsset('mariadb/assets/mariadb-clone.sh'),
        'mariadb-sidecar.sh': loadAsset('mariadb/assets/mariadb-sidecar.sh'),
        'mariadb-ready.sh': loadAsset('mariadb/assets/mariadb-ready.sh'),
      },
    });
    const socketDir = w.volumes.mounts.find((m) => m.mountPath === SOCKET_DIR)!.volume;
    const tmp = w.volumes.mounts.find((m) => m.mountPath === '/tmp')!.volume;
    const primaryHost = w.runtimeDnsName(w.podName(first));
    const shared = {
      // First: PRIMARY_HOST takes the namespace from it at run time (a Kustomize `namespace:`).
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
      DATADIR: kplus.EnvValue.fromValue(DATADIR),
      PRIMARY_ORDINAL: kplus.EnvValue.fromValue(`${first}`),
      PRIMARY_HOST: kplus.EnvValue.fromValue(primaryHost),
      PEERS_HOST: kplus.EnvValue.fromValue(`${w.headlessService.name}.$(POD_NAMESPACE).svc.${w.clusterDomain}`),
      PEER_WAIT: kplus.EnvValue.fromValue(`${PEER_WAIT_SECONDS}`),
      PORT: kplus.EnvValue.fromValue(`${PORT}`),
      CLONE_PORT: kplus.EnvValue.fromValue(`${CLONE_PORT}`),
    };
    w.addInitContainer({
      name: 'clone',
      image: this.version.image,
      command: ['bash', '/scripts/mariadb-clone.sh'],
      env: shared,
      mounts: [
        { volume: 'data', mountPath: DATADIR },
        { volume: 'scripts', mountPath: '/scripts', readOnly: true },
        { volume: tmp, mountPath: '/tmp' },
      ],
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
    });
    w.addSidecar({
      name: 'backup',
      image: this.version.image,
      command: ['bash', '/scripts/mariadb-sidecar.sh'],
      env: {
        ...shared,
        SOCKET: kplus.EnvValue.fromValue(`${SOCKET_DIR}/mysqld.sock`),
        REPLICATION_USER: kplus.EnvValue.fromValue(REPLICATION_USER),
        ROOT_PASSWORD_FILE: kplus.EnvValue.fromValue(file(ROOT_KEY)),
        REPLICATION_PASSWORD_FILE: kplus.EnvValue.fromValue(file(REPLICATION_KEY)),
      },
      ports: [{ name: 'clone', port: CLONE_PORT }],
      mounts: [
        { volume: 'data', mountPath: DATADIR },
        { volume: 'scripts', mountPath: '/scripts', readOnly: true },
        { volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
        { volume: socketDir, mountPath: SOCKET_DIR },
        { volume: tmp, mountPath: '/tmp' },
      ],
      resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(512) } },
    });

    this.primaryService = w.services.add('primary', { name, ports: ['mysql'], selector: { [LabelKeys.POD_NAME]: w.podName(first) } });
    this.readOnlyService = w.services.add('ro', { ports: ['mysql'] });
    if (replicas === 1) {
      Warnings.of(this).add('@cdk8s-stateful/mariadb:singleServer',
        'replicas is 1: there is no replica to promote, and losing the volume loses the data; use 2 or more servers');
    }
  }

  /** The read-write endpoint (the primary Service). */
  public get endpoint(): ServiceEndpoint {
    return { host: this.workload.qualify(this.primaryService.name), port: PORT };
  }

  /** The read-only endpoint (`<name>-ro`). */
  public get readOnlyEndpoint(): ServiceEndpoint {
    return { host: this.workload.qualify(this.readOnlyService.name), port: PORT };
  }

  /** Ingress into the servers: `cluster.connections.allowFrom(peer, ['mysql'])`. */
  public get connections(): Connections {
    return this.workload.connections;
  }

  /**
   * Connect a cdk8s-plus workload in the cluster's namespace: MARIADB_HOST, MARIADB_PORT,
   * MARIADB_DATABASE, MARIADB_USER and MARIADB_PASSWORD (from the Secret) in each of its
   * containers (add them first), and a NetworkPolicy rule letting its pods reach port 3306.
   * MARIADB_HOST is the Service's short name, so a Kustomize `namespace:` overlay of both keeps
   * working. A workload is bound once.
   */
  public bind(workload: kplus.Workload, options: MariaDBBindOptions = {}): void {
    if (this.bindings.includes(workload)) {
      throw new ValidationError('MariaDBBindDuplicate', `bind: workload '${workload.node.path}' is bound to this cluster already; bind it once`, this);
    }
    if (!workload.containers.length) {
      throw new ValidationError('MariaDBBindNoContainers', `bind: workload '${workload.node.path}' has no containers yet; add them before calling bind()`, this);
    }
    for (const c of workload.containers) {
      const set = BIND_ENV.filter((k) => k in c.env.variables);
      if (set.length) {
        throw new ValidationError('MariaDBBindEnvConflict',
          `bind: container '${c.name}' of '${workload.node.path}' already sets ${set.join(', ')} (bound to another cluster, or set by hand); `
          + 'bind one cluster per workload and set your own variables for a second one', this);
      }
    }
    const here = this.workload.namespace;
    const there = workload.metadata.namespace;
    if (here !== there) {
      throw new ValidationError('MariaDBBindCrossNamespace',
        `bind: '${workload.node.path}' is in namespace ${there ? `'${there}'` : '(none set)'} and the cluster in ${here ? `'${here}'` : '(none set)'}; `
        + `pods read Secrets of their own namespace only: copy the '${this.userPasswordKey}' password of Secret '${this.secretName}' there, set the `
        + 'variables yourself from cluster.endpoint, and open the port with cluster.connections.allowFrom(...)', this);
    }
    const service = options.readOnly ? this.readOnlyService.name : this.primaryService.name;
    const env: { [name: string]: kplus.EnvValue } = {
      MARIADB_HOST: kplus.EnvValue.fromValue(service),
      MARIADB_PORT: kplus.EnvValue.fromValue(`${PORT}`),
      MARIADB_DATABASE: kplus.EnvValue.fromValue(this.database),
      MARIADB_USER: kplus.EnvValue.fromValue(this.user),
      MARIADB_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.userPasswordKey }),
    };
    for (const c of workload.containers) {
      for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    }
    this.bindings.push(workload);
    this.workload.connections.allowFrom(workload, ['mysql']);
  }
}
