import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PostgresVersion } from './postgres-version';
import { ValidationError } from '../core/errors';
import { Credentials } from '../core/kit/credentials';
import { GeneratedSecret } from '../core/kit/generated-secret';
import { LabelKeys, MANAGED_BY } from '../core/labels';
import { Names, MAX_STATEFULSET_NAME } from '../core/naming';
import { sizeToQuantity } from '../core/units';
import { Warnings } from '../core/warnings';
import { OFFICIAL_GID, OFFICIAL_IMAGES, OFFICIAL_UID, SPILO_GID, SPILO_IMAGE, SPILO_UID } from './private/images';
import { CREDENTIALS_DIR, DatabaseSpec, dumpAll, patroniPostInit, streamingClone, streamingInitdb } from './private/scripts';
import { DCS_ONLY, derivedParameters, MIN_MEMORY_MIB, parseSizeKiB, PATRONI_MANAGED, STREAMING_MANAGED } from './private/tuning';
import { HealthProbe, WorkloadMount } from '../core/workload/container';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/workload/private/security';
import { PlacementProps } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { WorkloadVolume } from '../core/workload/volumes';
import { IStorageClass } from '../core/workload/volumes';

/** How the instances replicate and fail over. */
export enum ReplicationMode {
  /**
   * Patroni with the Kubernetes API as its DCS (ConfigMaps): automatic failover and fencing,
   * needs a namespaced Role (configmaps and pods).
   */
  PATRONI = 'patroni',
  /**
   * The official `postgres` image with streaming replication: ordinal 0 is the primary, the
   * others are read-only replicas cloned with pg_basebackup. No RBAC. **No automatic failover.**
   */
  STREAMING = 'streaming',
}

/** Persistent storage of every instance. */
export interface PostgresStorage {
  /** Size of each instance's data volume. @default Size.gibibytes(10) */
  readonly size?: Size;
  /** StorageClass of the data volume (any `IStorageClass`, e.g. a LocalVolumePool's). @default - the cluster's default class */
  readonly storageClass?: IStorageClass;
  /** Put the WAL on its own volume of this size (`initdb --waldir`). @default - WAL on the data volume */
  readonly walSize?: Size;
  /** StorageClass of the WAL volume. @default - the data volume's class */
  readonly walStorageClass?: IStorageClass;
}

/** A database and the role that owns it. */
export interface PostgresDatabase {
  /** Database name (lower-case letters, digits and '_', starting with a letter or '_'). */
  readonly name: string;
  /** Owner role; it logs in with the password in the credentials Secret under `<owner>-password`. @default - the database name */
  readonly owner?: string;
}

/** A pg_dumpall CronJob writing compressed dumps to a volume of its own. */
export interface PostgresBackupOptions {
  /** Size of the backup volume. */
  readonly size: Size;
  /** @default - the cluster's default class */
  readonly storageClass?: IStorageClass;
  /** Cron schedule, in the controller's time zone unless `timeZone` is set. @default '0 2 * * *' */
  readonly schedule?: string;
  /** IANA time zone of the schedule. @default - the kube-controller-manager's */
  readonly timeZone?: string;
  /** Dumps to keep. @default 7 */
  readonly keep?: number;
}

/** Props of a PostgresCluster. */
export interface PostgresClusterProps {
  /** Name of the StatefulSet and prefix of every object. Stateful: a new name means new, empty disks. @default - the construct id */
  readonly name?: string;
  /** Number of instances (one primary, the rest replicas). @default 3 */
  readonly instances?: number;
  /** @default PostgresVersion.V17 */
  readonly version?: PostgresVersion;
  /** @default ReplicationMode.PATRONI */
  readonly mode?: ReplicationMode;
  /**
   * Image override, pinned by tag or digest. In Patroni mode it must be Spilo-compatible (same
   * env, paths and uid 101); in streaming mode compatible with the official image.
   * @default - `ghcr.io/zalando/spilo-17:4.0-p3` (Patroni) or `postgres:<version>-bookworm` (streaming)
   */
  readonly image?: string;
  /** @default - 10 GiB on the default StorageClass, WAL on the data volume */
  readonly storage?: PostgresStorage;
  /**
   * Resources of the database container. The memory limit (or request) and CPU limit (or
   * request) drive the derived settings (see docs/postgres.md, "Tuning").
   * @default - 1 CPU requested, 2 GiB memory requested and limited
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * postgresql.conf settings, on top of (and overriding) the derived ones. Values as PostgreSQL
   * spells them (`'256MB'`, `'on'`). Settings Patroni manages itself are rejected.
   * @default - the derived settings only
   */
  readonly parameters?: { [name: string]: string };
  /** Databases to create, with their owners, when the cluster is first created. @default - one database `app` owned by `app` */
  readonly databases?: PostgresDatabase[];
  /** @default Credentials.generate(): a Job creates `<name>-credentials` in the cluster */
  readonly credentials?: Credentials;
  /**
   * Synchronous replication: a commit returns only once a replica has it, so a failover loses
   * no acknowledged transaction. Patroni: `synchronous_mode` (falls back to asynchronous when no
   * replica is healthy); streaming: `synchronous_standby_names = 'ANY 1 (*)'` (writes wait while
   * no replica is connected). Needs at least 2 instances.
   * @default false
   */
  readonly synchronous?: boolean;
  /** @default - soft anti-affinity by hostname, soft zone spread */
  readonly placement?: PlacementProps;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Time a stopping instance gets to shut PostgreSQL down cleanly (at least 30 s). @default Duration.seconds(60) */
  readonly terminationGracePeriod?: Duration;
  /** A pg_dumpall CronJob. @default - none */
  readonly backup?: PostgresBackupOptions;
}

/** How clients reach the cluster. */
export interface PostgresConnection {
  /** DNS name of the read-write Service (follows the primary). */
  readonly host: string;
  /** DNS name of the read-only Service. */
  readonly readOnlyHost: string;
  /** Port. */
  readonly port: number;
  /** The first (default) database. */
  readonly database: string;
  /** Its owner role. */
  readonly user: string;
  /** Secret holding the passwords. */
  readonly secretName: string;
  /** Key of the user's password in the Secret. */
  readonly passwordKey: string;
  /** Key of the superuser (`postgres`) password. */
  readonly superuserPasswordKey: string;
  /** Key of the replication user's password. */
  readonly replicationPasswordKey: string;
  /** libpq sslmode clients should use (`require` in Patroni mode: Spilo rejects non-TLS connections). */
  readonly sslMode: string;
}

/** Options of `bind`. */
export interface PostgresBindOptions {
  /** Database to connect to, as its owner. @default - the first database */
  readonly database?: string;
  /** Connect to the read-only Service. @default false */
  readonly readOnly?: boolean;
}

const PORT = 5432;
const PATRONI_PORT = 8008;
const SUPERUSER = 'postgres';
const REPLICATION_USER = 'replicator';
const SUPERUSER_KEY = 'superuser-password';
const REPLICATION_KEY = 'replication-password';
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
/** Roles the images create or use themselves (Spilo's post_init.sh, the superuser, replication). */
const RESERVED_ROLES = new Set([SUPERUSER, REPLICATION_USER, 'standby', 'admin', 'zalandos', 'robot_zmon', 'cron_admin', 'superuser', 'replication']);
const SPILO_HOME = '/home/postgres';
const OFFICIAL_DATA = '/var/lib/postgresql/data';
const OFFICIAL_WAL = '/var/lib/postgresql/wal';

/**
 * A PostgreSQL cluster on plain Kubernetes objects, no operator.
 *
 * Patroni mode (default): Spilo pods elect a leader through ConfigMaps; Patroni labels the
 * primary `role=primary` and the replicas `role=replica`, and the Services `<name>` and
 * `<name>-ro` select on that label, so they follow a failover. Streaming mode: official image,
 * pod 0 primary, no failover.
 */
export class PostgresCluster extends Construct {
  /** The StatefulSet and everything the spine creates around it. */
  public readonly workload: StatefulWorkload;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** Read-write Service `<name>`. */
  public readonly primaryService: k8s.KubeService;
  /** Read-only Service `<name>-ro`. */
  public readonly replicaService: k8s.KubeService;
  /** Headless Service `<name>-headless`. */
  public readonly headlessService: k8s.KubeService;
  /** Replication mode. */
  public readonly mode: ReplicationMode;
  /** Major version. */
  public readonly version: PostgresVersion;
  /** Number of instances. */
  public readonly instances: number;
  /** Image of the database container. */
  public readonly image: string;
  /** Name of the Secret with the passwords. */
  public readonly secretName: string;
  /** The Job that generates the Secret, unless credentials come from an existing Secret. */
  public readonly secretGenerator?: GeneratedSecret;
  /** The backup CronJob, when `backup` is set. */
  public readonly backupCronJob?: k8s.KubeCronJob;
  /** The backup volume claim, when `backup` is set. */
  public readonly backupClaim?: k8s.KubePersistentVolumeClaim;
  /** Connection details for clients. */
  public readonly connection: PostgresConnection;

  private readonly credentials: Credentials;
  private readonly secret: kplus.ISecret;
  private readonly dbs: DatabaseSpec[];
  private readonly params: { [name: string]: string };

  constructor(scope: Construct, id: string, props: PostgresClusterProps = {}) {
    super(scope, id);
    this.instances = props.instances ?? 3;
    this.mode = props.mode ?? ReplicationMode.PATRONI;
    this.version = props.version ?? PostgresVersion.V17;
    const ha = this.mode === ReplicationMode.PATRONI;
    this.image = props.image ?? (ha ? SPILO_IMAGE : OFFICIAL_IMAGES[this.version]);
    this.credentials = props.credentials ?? Credentials.generate();
    this.validateProps(props);

    const storage = props.storage ?? {};
    const dataSize = storage.size ?? Size.gibibytes(10);
    const walSize = storage.walSize;
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.units(1) },
      memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) },
    };
    this.dbs = this.databaseSpecs(props.databases ?? [{ name: 'app' }]);
    // The WAL budget: its own volume, or a quarter of the data volume when they share it.
    const walBudget = walSize ?? Size.mebibytes(Math.floor(dataSize.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR }) / 4));
    this.params = this.buildParameters(props, resources, walBudget);

    // Validated here so the error speaks of this construct's id or `name` prop.
    const name = Names.stable(this, props.name, MAX_STATEFULSET_NAME);
    const grace = props.terminationGracePeriod ?? Duration.seconds(60);
    const dataMount = ha ? `${SPILO_HOME}/pgdata` : OFFICIAL_DATA;
    const walMount = ha ? `${SPILO_HOME}/pgwal` : OFFICIAL_WAL;
    // A sub-directory: initdb --waldir and pg_basebackup need it empty, and a volume root may hold lost+found.
    const walDir = walSize ? `${walMount}/pg_wal` : undefined;

    this.workload = new StatefulWorkload(this, 'Workload', {
      name,
      image: this.image,
      replicas: this.instances,
      appName: 'postgres',
      component: 'database',
      version: this.version,
      containerName: 'postgres',
      ports: ha
        ? [{ name: 'postgresql', port: PORT }, { name: 'patroni', port: PATRONI_PORT }]
        : [{ name: 'postgresql', port: PORT }],
      resources,
      // Patroni's REST API (docs/rest_api.rst): /readiness is 200 once PostgreSQL runs as primary
      // or replica; /liveness is 200 while Patroni's loop runs, also during a long recovery.
      readiness: ha ? HealthProbe.httpGet('/readiness', PATRONI_PORT) : HealthProbe.exec(['pg_isready', '-q', '-h', '127.0.0.1', '-p', `${PORT}`]),
      liveness: ha ? HealthProbe.httpGet('/liveness', PATRONI_PORT) : HealthProbe.tcpSocket(PORT),
      // Start-up (configure_spilo.py, crash recovery, a replica's clone) may take long: 5 min / 1 h.
      startup: ha
        ? HealthProbe.httpGet('/liveness', PATRONI_PORT, { failureThreshold: 30 })
        : HealthProbe.exec(['pg_isready', '-q', '-h', '127.0.0.1', '-p', `${PORT}`], { failureThreshold: 360 }),
      // Streaming mode: settings on the command line (docker-entrypoint.sh passes `postgres -c …` through).
      args: ha ? undefined : ['postgres', ...Object.entries(this.params).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      dataVolumes: {
        data: { mountPath: dataMount, size: dataSize, storageClass: storage.storageClass },
        ...(walSize ? { wal: { mountPath: walMount, size: walSize, storageClass: storage.walStorageClass ?? storage.storageClass } } : {}),
      },
      // The root filesystem is read-only. Spilo keeps everything it writes under RW_DIR=/run
      // (postgres-appliance/Dockerfile; post_build.sh links /etc/service, postgres.yml, certs and
      // the socket dir there); the official image writes its socket to /var/run/postgresql.
      scratchPaths: ha ? ['/run', '/tmp'] : ['/var/run/postgresql', '/tmp'],
      // Patroni members bootstrap independently (the first to take the initialize key runs initdb);
      // the streaming replicas need the primary first.
      podManagementPolicy: ha ? PodManagementPolicy.PARALLEL : PodManagementPolicy.ORDERED_READY,
      // Restricted profile. Spilo starts as root by default, but launch.sh and configure_spilo.py
      // handle a non-root start (postgres-operator's spilo_runasuser 101 / spilo_runasgroup 103 /
      // spilo_fsgroup 103): with uid 101 = the image's postgres user, its only root-filesystem
      // write outside RW_DIR (launch.sh rewrites /etc/passwd with the running uid/gid whenever it
      // is not root) is unneeded, since uid 101 already resolves to postgres, and its failure is
      // ignored (launch.sh has no `set -e`); chpst/chrt are skipped when they fail, and
      // the renice cron job is skipped under no_new_privs. The official image runs as 999.
      security: ha ? { user: SPILO_UID, group: SPILO_GID, fsGroup: SPILO_GID } : { user: OFFICIAL_UID, group: OFFICIAL_GID, fsGroup: OFFICIAL_GID },
      placement: props.placement,
      clusterDomain: props.clusterDomain,
      terminationGracePeriod: grace,
      podLabels: ha ? { 'application': 'patroni', 'cluster-name': name } : undefined,
      // Namespaced RBAC for Patroni in ConfigMaps mode (patroni kubernetes/patroni_k8s.yaml):
      // delete/deletecollection are left out, they serve only `patronictl remove`.
      rbacRules: ha
        ? [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch', 'update', 'watch'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'update', 'watch'] },
        ]
        : undefined,
    });
    this.statefulSet = this.workload.statefulSet;
    this.headlessService = this.workload.headlessService;

    // Credentials: a generated Secret or an existing one. Pods reference it from env
    // (secretKeyRef, not optional) and as a volume: until it exists the kubelet keeps the pods in
    // CreateContainerConfigError / ContainerCreating and retries; nothing crash-loops.
    this.secretName = this.credentials.secretName(`${this.workload.name}-credentials`);
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', this.secretName);
    if (this.credentials.isGenerated) {
      this.secretGenerator = new GeneratedSecret(this, 'Credentials', {
        secretName: this.secretName,
        keys: [SUPERUSER_KEY, REPLICATION_KEY, ...new Set(this.dbs.map((d) => d.passwordKey))],
        labels: { [LabelKeys.NAME]: 'postgres', [LabelKeys.INSTANCE]: this.workload.name, [LabelKeys.PART_OF]: this.workload.name },
        image: this.credentials.generatorImage,
      });
    }
    this.workload.volumes.add('credentials', WorkloadVolume.fromSecret(this.secret, { defaultMode: 0o440 }));
    this.workload.addMount({ volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true });

    if (ha) {
      this.configurePatroni(name, props, walDir);
      this.primaryService = this.workload.services.add('primary', { name: this.workload.name, ports: ['postgresql'], selector: { role: 'primary' } });
      this.replicaService = this.workload.services.add('ro', { ports: ['postgresql'], selector: { role: 'replica' } });
    } else {
      this.configureStreaming(walDir);
      this.primaryService = this.workload.services.add('primary', {
        name: this.workload.name, ports: ['postgresql'], selector: { [LabelKeys.POD_NAME]: this.workload.podName(0) },
      });
      // A Service selector cannot say "every pod but 0": the read-only Service spans all instances.
      this.replicaService = this.workload.services.add('ro', { ports: ['postgresql'] });
    }

    const first = this.dbs[0];
    this.connection = {
      host: this.workload.qualify(this.primaryService.name),
      readOnlyHost: this.workload.qualify(this.replicaService.name),
      port: PORT,
      database: first.name,
      user: first.owner,
      secretName: this.secretName,
      passwordKey: this.credentials.key(first.passwordKey),
      superuserPasswordKey: this.credentials.key(SUPERUSER_KEY),
      replicationPasswordKey: this.credentials.key(REPLICATION_KEY),
      sslMode: ha ? 'require' : 'prefer',
    };

    if (props.backup) {
      const b = this.addBackup(props.backup);
      this.backupCronJob = b.cronJob;
      this.backupClaim = b.claim;
    }
    if (this.instances === 1) {
      Warnings.of(this).add('@cdk8s-stateful/postgres:singleInstance',
        'instances is 1: there is no replica to fail over to, and a node drain or node loss stops the database; use 3 instances for high availability');
    }
  }

  /** The effective postgresql.conf settings: derived from resources, then `parameters`. */
  public get parameters(): { [name: string]: string } {
    return { ...this.params };
  }

  /** Names of the databases, in order. */
  public get databases(): string[] {
    return this.dbs.map((d) => d.name);
  }

  /**
   * Connect a cdk8s-plus-28 workload: adds PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (from
   * the Secret) and PGSSLMODE to each of its containers (add the containers first) and allows
   * its pods through the cluster's NetworkPolicy on the PostgreSQL port.
   */
  public bind(workload: kplus.Workload, options: PostgresBindOptions = {}): void {
    const db = options.database === undefined ? this.dbs[0] : this.dbs.find((d) => d.name === options.database);
    if (!db) {
      throw new ValidationError(`bind: database '${options.database}' is not one of this cluster's databases (${this.databases.join(', ')}); add it to 'databases'`, this);
    }
    if (!workload.containers.length) {
      throw new ValidationError(`bind: workload '${workload.node.path}' has no containers yet; add them before calling bind()`, this);
    }
    const env: { [name: string]: kplus.EnvValue } = {
      PGHOST: kplus.EnvValue.fromValue(options.readOnly ? this.connection.readOnlyHost : this.connection.host),
      PGPORT: kplus.EnvValue.fromValue(`${PORT}`),
      PGDATABASE: kplus.EnvValue.fromValue(db.name),
      PGUSER: kplus.EnvValue.fromValue(db.owner),
      PGPASSWORD: kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.credentials.key(db.passwordKey) }),
      PGSSLMODE: kplus.EnvValue.fromValue(this.connection.sslMode),
    };
    for (const c of workload.containers) {
      for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    }
    this.workload.connections.allowFrom(workload, ['postgresql']);
  }

  // ---------------------------------------------------------------- Patroni (Spilo)

  private configurePatroni(scope: string, props: PostgresClusterProps, walDir: string | undefined): void {
    const w = this.workload;
    const local: { [k: string]: string } = {};
    const dcs: { [k: string]: string } = {};
    for (const [k, v] of Object.entries(this.params)) (DCS_ONLY.has(k) ? dcs : local)[k] = v;

    // Deep-merged over Spilo's own template by configure_spilo.py (user values win, lists replace).
    const config: any = {
      bootstrap: {
        post_init: '/etc/cdk8s-stateful/post-init.sh',
        dcs: {
          ttl: 30,
          loop_wait: 10,
          retry_timeout: 10,
          synchronous_mode: props.synchronous ? true : false,
          postgresql: { use_pg_rewind: true, use_slots: true, parameters: dcs },
        },
        ...(walDir ? { initdb: [{ encoding: 'UTF8' }, { locale: 'en_US.UTF-8' }, 'data-checksums', { waldir: walDir }] } : {}),
      },
      postgresql: {
        parameters: local,
        // Spilo's own list with scram-sha-256: TLS (Spilo's self-signed certificate) for every
        // remote connection, replication only for the replication user.
        pg_hba: [
          'local all all trust',
          'host all all 127.0.0.1/32 scram-sha-256',
          'host all all ::1/128 scram-sha-256',
          `local replication ${REPLICATION_USER} trust`,
          `hostssl replication ${REPLICATION_USER} all scram-sha-256`,
          'hostnossl all all all reject',
          'hostssl all all all scram-sha-256',
        ],
        ...(walDir ? { create_replica_method: ['basebackup'], basebackup: [{ waldir: walDir }, { checkpoint: 'fast' }] } : {}),
      },
    };

    w.volumes.addConfigFiles('bootstrap', {
      mountPath: '/etc/cdk8s-stateful',
      files: { 'post-init.sh': patroniPostInit(this.mountedDbs()) },
      defaultMode: 0o555,
    });
    const env: Array<[string, kplus.EnvValue]> = [
      // Spilo's env names (postgres-appliance/scripts/configure_spilo.py, get_placeholders and
      // get_dcs_config): every KUBERNETES_* variable becomes a key of Patroni's kubernetes section.
      ['SCOPE', kplus.EnvValue.fromValue(scope)],
      ['PGVERSION', kplus.EnvValue.fromValue(this.version)],
      ['PGROOT', kplus.EnvValue.fromValue(`${SPILO_HOME}/pgdata/pgroot`)],
      ['POD_IP', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP)],
      ['POD_NAMESPACE', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE)],
      ['DCS_ENABLE_KUBERNETES_API', kplus.EnvValue.fromValue('true')],
      ['KUBERNETES_USE_CONFIGMAPS', kplus.EnvValue.fromValue('true')],
      // Spilo defaults this to true, which needs a ClusterRole on endpoints/kubernetes in 'default'.
      ['KUBERNETES_BYPASS_API_SERVICE', kplus.EnvValue.fromValue('false')],
      ['KUBERNETES_LABELS', kplus.EnvValue.fromValue(JSON.stringify({ application: 'patroni' }))],
      ['KUBERNETES_SCOPE_LABEL', kplus.EnvValue.fromValue('cluster-name')],
      ['KUBERNETES_ROLE_LABEL', kplus.EnvValue.fromValue('role')],
      ['KUBERNETES_LEADER_LABEL_VALUE', kplus.EnvValue.fromValue('primary')],
      ['KUBERNETES_STANDBY_LEADER_LABEL_VALUE', kplus.EnvValue.fromValue('primary')],
      ['KUBERNETES_FOLLOWER_LABEL_VALUE', kplus.EnvValue.fromValue('replica')],
      // Don't probe the cloud metadata endpoint (169.254.169.254) at start-up.
      ['SPILO_PROVIDER', kplus.EnvValue.fromValue('local')],
      ['PGUSER_SUPERUSER', kplus.EnvValue.fromValue(SUPERUSER)],
      ['PGPASSWORD_SUPERUSER', this.secretEnv(SUPERUSER_KEY)],
      ['PGUSER_STANDBY', kplus.EnvValue.fromValue(REPLICATION_USER)],
      ['PGPASSWORD_STANDBY', this.secretEnv(REPLICATION_KEY)],
      ['SPILO_CONFIGURATION', kplus.EnvValue.fromValue(JSON.stringify(config))],
    ];
    for (const [k, v] of env) w.addEnv(k, v);
  }

  // ---------------------------------------------------------------- streaming (official image)

  private configureStreaming(walDir: string | undefined): void {
    const w = this.workload;
    const pgdata = `${OFFICIAL_DATA}/pgdata`;
    w.addEnv('POSTGRES_USER', kplus.EnvValue.fromValue(SUPERUSER));
    w.addEnv('POSTGRES_PASSWORD', this.secretEnv(SUPERUSER_KEY));
    w.addEnv('PGDATA', kplus.EnvValue.fromValue(pgdata));
    w.addEnv('POSTGRES_INITDB_ARGS', kplus.EnvValue.fromValue('--data-checksums'));
    if (walDir) w.addEnv('POSTGRES_INITDB_WALDIR', kplus.EnvValue.fromValue(walDir));
    w.volumes.addConfigFiles('initdb', {
      mountPath: '/docker-entrypoint-initdb.d',
      files: { 'replication-and-databases.sh': streamingInitdb(REPLICATION_USER, this.credentials.key(REPLICATION_KEY), this.mountedDbs()) },
    });
    const mounts: WorkloadMount[] = [
      { volume: 'data', mountPath: OFFICIAL_DATA },
      ...(walDir ? [{ volume: 'wal', mountPath: OFFICIAL_WAL }] : []),
      { volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
      { volume: 'scratch-tmp', mountPath: '/tmp' },
    ];
    w.addInitContainer({
      name: 'clone',
      image: this.image,
      command: ['bash', '-c', streamingClone(REPLICATION_USER, this.credentials.key(REPLICATION_KEY), walDir)],
      env: {
        PGDATA: kplus.EnvValue.fromValue(pgdata),
        PRIMARY_HOST: kplus.EnvValue.fromValue(w.podDnsName(0)),
        PEERS_HOST: kplus.EnvValue.fromValue(w.serviceDnsName),
      },
      mounts,
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) } },
    });
  }

  // ---------------------------------------------------------------- backup

  private addBackup(b: PostgresBackupOptions): { cronJob: k8s.KubeCronJob; claim: k8s.KubePersistentVolumeClaim } {
    const keep = b.keep ?? 7;
    if (!Number.isInteger(keep) || keep < 1) throw new ValidationError(`backup.keep must be a whole number ≥ 1, got ${keep}`, this);
    const schedule = b.schedule ?? '0 2 * * *';
    if (schedule.trim().split(/\s+/).length !== 5) {
      throw new ValidationError(`backup.schedule '${schedule}' is not a 5-field cron expression; use e.g. '0 2 * * *'`, this);
    }
    const name = `${this.workload.name}-backup`;
    if (name.length > 52) {
      // The CronJob controller appends an 11-character suffix to Job names, which must stay within 63.
      throw new ValidationError(`backup CronJob name '${name}' is longer than 52 characters; use a cluster name of at most 45 characters`, this);
    }
    const labels = { [LabelKeys.NAME]: 'postgres', [LabelKeys.INSTANCE]: this.workload.name, [LabelKeys.COMPONENT]: 'backup', [LabelKeys.MANAGED_BY]: MANAGED_BY };
    const claim = new k8s.KubePersistentVolumeClaim(this, 'BackupClaim', {
      metadata: { name, labels, annotations: { 'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Prune=false' } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: b.storageClass?.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(sizeToQuantity(b.size)) } },
      },
    });
    const sec = restrictedContainerSecurity();
    const cronJob = new k8s.KubeCronJob(this, 'Backup', {
      metadata: { name, labels },
      spec: {
        schedule,
        timeZone: b.timeZone,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: restrictedPodSecurity(OFFICIAL_UID, OFFICIAL_GID, OFFICIAL_GID),
                containers: [{
                  name: 'pg-dumpall',
                  // pg_dumpall must be at least the server's major version: the official image of the same major.
                  image: OFFICIAL_IMAGES[this.version],
                  imagePullPolicy: 'IfNotPresent',
                  command: ['bash', '-c', `set -o pipefail\n${dumpAll(keep)}`],
                  env: [
                    { name: 'PGHOST', value: this.connection.host },
                    { name: 'PGPORT', value: `${PORT}` },
                    { name: 'PGUSER', value: SUPERUSER },
                    { name: 'PGSSLMODE', value: this.connection.sslMode },
                    { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: this.secretName, key: this.credentials.key(SUPERUSER_KEY) } } },
                  ],
                  volumeMounts: [{ name: 'backup', mountPath: '/backup' }, { name: 'tmp', mountPath: '/tmp' }],
                  securityContext: sec,
                }],
                volumes: [{ name: 'backup', persistentVolumeClaim: { claimName: claim.name } }, { name: 'tmp', emptyDir: {} }],
              },
            },
          },
        },
      },
    });
    this.workload.connections.allowFromLabels({ [LabelKeys.INSTANCE]: this.workload.name, [LabelKeys.COMPONENT]: 'backup' }, ['postgresql']);
    return { cronJob, claim };
  }

  // ---------------------------------------------------------------- helpers

  private secretEnv(key: string): kplus.EnvValue {
    return kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.credentials.key(key) });
  }

  /**
   * The databases with the password keys as they are named in the Secret (renamed by
   * `Credentials.fromSecret`'s key map): the scripts read the passwords from the mounted Secret
   * volume, whose file names are the Secret's keys.
   */
  private mountedDbs(): DatabaseSpec[] {
    return this.dbs.map((d) => ({ ...d, passwordKey: this.credentials.key(d.passwordKey) }));
  }

  private databaseSpecs(dbs: PostgresDatabase[]): DatabaseSpec[] {
    if (!dbs.length) throw new ValidationError("databases is empty; give at least one, e.g. [{ name: 'app' }]", this);
    const out: DatabaseSpec[] = [];
    for (const d of dbs) {
      const owner = d.owner ?? d.name;
      if (!IDENT.test(d.name) || ['postgres', 'template0', 'template1'].includes(d.name)) {
        throw new ValidationError(`database name '${d.name}' is invalid or reserved; use lower-case letters, digits and '_' (e.g. 'orders'), not postgres/template0/template1`, this);
      }
      if (!IDENT.test(owner)) {
        throw new ValidationError(`owner '${owner}' of database '${d.name}' is not a valid role name; use lower-case letters, digits and '_'`, this);
      }
      if (RESERVED_ROLES.has(owner)) {
        throw new ValidationError(`owner '${owner}' of database '${d.name}' is a role the cluster uses itself; choose another owner, e.g. '${d.name}_owner'`, this);
      }
      if (out.some((x) => x.name === d.name)) throw new ValidationError(`database '${d.name}' is listed twice; list it once`, this);
      out.push({ name: d.name, owner, passwordKey: `${owner}-password` });
    }
    return out;
  }

  private buildParameters(props: PostgresClusterProps, resources: kplus.ContainerResources, walDisk: Size): { [name: string]: string } {
    const memory = resources.memory?.limit ?? resources.memory?.request;
    if (!memory) {
      throw new ValidationError('resources.memory sets neither a limit nor a request; the PostgreSQL settings are derived from it: give e.g. { limit: Size.gibibytes(2) }', this);
    }
    const memoryMiB = memory.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR });
    const cpu = resources.cpu?.limit ?? resources.cpu?.request;
    const cpus = cpu ? parseCpu(cpu.amount) : 1;
    const derived = derivedParameters({ memoryMiB, cpus, walDiskMiB: walDisk.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR }) });
    if (memoryMiB < MIN_MEMORY_MIB) {
      throw new ValidationError(
        `memory ${sizeToQuantity(memory)} is too small for PostgreSQL with the derived settings (shared_buffers ${derived.shared_buffers}, max_connections ${derived.max_connections}); give at least ${MIN_MEMORY_MIB}Mi`,
        this,
      );
    }
    const ha = this.mode === ReplicationMode.PATRONI;
    const senders = `${Math.max(10, this.instances + 2)}`;
    const base: { [k: string]: string } = {
      ...derived,
      max_wal_senders: senders,
      max_replication_slots: senders,
      // A replica that is gone for long must not fill the primary's disk with retained WAL.
      max_slot_wal_keep_size: `${Math.floor(walDisk.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR }) / 2)}MB`,
    };
    if (!ha && props.synchronous) base.synchronous_standby_names = 'ANY 1 (*)';
    const user = props.parameters ?? {};
    const managed = ha ? PATRONI_MANAGED : STREAMING_MANAGED;
    for (const [k, v] of Object.entries(user)) {
      if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(k)) {
        throw new ValidationError(`parameter name '${k}' is not a PostgreSQL setting name (lower-case, e.g. 'work_mem')`, this);
      }
      const where = managed[k];
      if (where !== undefined) {
        throw new ValidationError(`parameter '${k}' cannot be set in 'parameters': ${where}`, this);
      }
      if (!ha && k === 'synchronous_standby_names') {
        throw new ValidationError("parameter 'synchronous_standby_names' cannot be set in 'parameters': use the 'synchronous' prop", this);
      }
      if (k === 'wal_level' && !['replica', 'logical'].includes(v)) {
        throw new ValidationError(`parameter wal_level '${v}' breaks replication; use 'replica' or 'logical'`, this);
      }
    }
    const merged = { ...base, ...user };
    const sb = parseSizeKiB(merged.shared_buffers, 8);
    if (sb !== undefined && sb >= memoryMiB * 1024) {
      throw new ValidationError(`parameter shared_buffers ${merged.shared_buffers} is not below the memory limit ${sizeToQuantity(memory)}; PostgreSQL would be OOM-killed: use at most 40% of it`, this);
    }
    return merged;
  }

  private validateProps(props: PostgresClusterProps): void {
    const n = this.instances;
    if (!Number.isInteger(n) || n < 1) {
      throw new ValidationError(`instances must be a whole number ≥ 1, got ${n}`, this);
    }
    if (props.synchronous && n < 2) {
      throw new ValidationError(`synchronous replication needs at least 2 instances, got ${n}; add instances or leave synchronous off`, this);
    }
    if (!Object.values(PostgresVersion).includes(this.version)) {
      throw new ValidationError(`version '${this.version}' is not supported; use one of PostgresVersion (${Object.values(PostgresVersion).join(', ')})`, this);
    }
    const grace = props.terminationGracePeriod;
    if (grace && grace.toSeconds() < 30) {
      throw new ValidationError(`terminationGracePeriod ${grace.toSeconds()}s is too short for a clean PostgreSQL shutdown; use at least 30 seconds`, this);
    }
  }
}

/** A cdk8s-plus `Cpu.amount` ('500m', '2', '1.5') in cores. */
function parseCpu(amount: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(amount);
  if (!m) return 1;
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}
