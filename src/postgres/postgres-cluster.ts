import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PostgresBackup } from './postgres-backup';
import { PostgresBindOptions, PostgresClusterProps, PostgresConnection, ReplicationMode } from './postgres-cluster-props';
import { PostgresPooler } from './postgres-pooler';
import { PostgresRollout } from './postgres-rollout';
import { PostgresVersion } from './postgres-version';
import { alertedCronJob, archiverAlerts, cronJobAlerts } from './private/backup-alerts';
import { checkBind } from './private/bind-checks';
import { databaseSpecs } from './private/databases';
import { officialImage } from './private/images';
import { addUpgradeJob, validateUpgrade } from './private/major-upgrade';
import { MONITOR_KEY, monitorPostgres, monitorRole } from './private/monitoring';
import { configureObjectStorage } from './private/object-storage';
import { PatroniReplication } from './private/patroni';
import { POOLER_KEY, reconcileJobs, reconcileSelector, reconcileSpec } from './private/reconcile';
import { CREDENTIALS_DIR, DatabaseSpec, PORT, REPLICATION_KEY, ReplicationStrategy, SUPERUSER, SUPERUSER_KEY } from './private/replication';
import { addRolloutJob, podTemplateHash, validateRollout } from './private/rollout';
import { StreamingReplication } from './private/streaming';
import { bindCa, serveTls, VERIFY_FULL } from './private/tls';
import { clusterParameters } from './private/tuning';
import { ValidationError } from '../core/errors';
import { Credentials } from '../core/kit/credentials';
import { GeneratedSecret } from '../core/kit/generated-secret';
import { MonitoredWorkload, Monitoring } from '../core/kit/monitoring';
import { ScriptJob } from '../core/kit/script-job';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { TlsCertificate } from '../core/kit/tls';
import { LabelKeys } from '../core/labels';
import { Names, MAX_STATEFULSET_NAME } from '../core/naming';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { UpdateStrategy } from '../core/workload/update-strategy';
import { WorkloadVolume } from '../core/workload/volumes';

/** The variables `bind` sets. */
/** A workload's selector requirement as a cdk8s-plus expression. */
function labelExpression(e: k8s.LabelSelectorRequirement): kplus.LabelExpression {
  switch (e.operator) {
    case 'In': return kplus.LabelExpression.in(e.key, e.values ?? []);
    case 'NotIn': return kplus.LabelExpression.notIn(e.key, e.values ?? []);
    case 'Exists': return kplus.LabelExpression.exists(e.key);
    default: return kplus.LabelExpression.doesNotExist(e.key);
  }
}


/**
 * A PostgreSQL cluster on plain Kubernetes objects, no operator.
 *
 * Patroni mode (default): Spilo pods elect a leader through ConfigMaps; Patroni labels the
 * primary `role=primary` and the replicas `role=replica`, and the Services `<name>` and
 * `<name>-ro` select on that label, so they follow a failover. Streaming mode: official image,
 * pod 0 primary, no failover.
 *
 * `ApiObject.of(cluster)` is the StatefulSet.
 */
export class PostgresCluster extends Construct implements IStatefulService {
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
  /** PostgreSQL version. */
  public readonly version: PostgresVersion;
  /** Number of instances. */
  public readonly instances: number;
  /** Image of the database container. */
  public readonly image: string;
  /** Name of the Secret with the passwords. */
  public readonly secretName: string;
  /** The Job that generates the Secret, unless credentials come from an existing Secret. */
  public readonly secretGenerator?: GeneratedSecret;
  /** The backup CronJob, its claim and its ScriptJob, when `backup` is set. */
  public readonly backup?: PostgresBackup;
  /** The backup CronJob, when `backup` is set. */
  public readonly backupCronJob?: k8s.KubeCronJob;
  /** The backup volume claim, when `backup` is set. */
  public readonly backupClaim?: k8s.KubePersistentVolumeClaim;
  /** Connection details for clients. */
  public readonly connection: PostgresConnection;
  /** The scrape objects, alert rules and dashboard, when `monitoring` is set. */
  public readonly monitoring?: MonitoredWorkload;
  /** The restore verification CronJob's ScriptJob, when `continuousBackup.verify` is set. */
  public readonly restoreVerify?: ScriptJob;
  /**
   * The restore verification's ServiceAccount (no Role), when `continuousBackup.verify` is set and
   * the store has no credentials Secret: annotate it for IRSA / workload identity like `workload.serviceAccount`.
   */
  public readonly restoreVerifyServiceAccount?: k8s.KubeServiceAccount;
  /** How pod template changes roll out (docs/postgres.md, "Roll out a change safely"). */
  public readonly rollout: PostgresRollout;
  /** The primary-aware rollout Job (named after a hash of the pod template), in Patroni mode unless `rollout` is rollingUpdate(). */
  public readonly rolloutJob?: k8s.KubeJob;
  /** The major-upgrade Job, when `upgradeFrom` names an older major than `version`. */
  public readonly upgradeJob?: k8s.KubeJob;
  /** The Job that converges roles, databases, grants and passwords (named by a hash of its spec). */
  public readonly reconcileJob: k8s.KubeJob;
  /** The CronJob re-running it, when `reconcile.resyncSchedule` is set. */
  public readonly reconcileCronJob?: k8s.KubeCronJob;
  /** The PgBouncer pool, when `pooler` is set. */
  public readonly pooler?: PostgresPooler;
  /** The server certificate (its Secret and cert-manager objects), when `tls` is set. */
  public readonly tlsCertificate?: TlsCertificate;

  private readonly credentials: Credentials;
  private readonly secret: kplus.ISecret;
  private readonly dbs: DatabaseSpec[];
  private readonly params: { [name: string]: string };
  private bindings = 0;
  private readonly userNames: string[];

  constructor(scope: Construct, id: string, props: PostgresClusterProps = {}) {
    super(scope, id);
    this.instances = props.instances ?? 3;
    this.mode = props.mode ?? ReplicationMode.PATRONI;
    this.version = props.version ?? PostgresVersion.V17;
    const strategy: ReplicationStrategy = this.mode === ReplicationMode.PATRONI ? new PatroniReplication() : new StreamingReplication();
    this.image = props.image ?? strategy.defaultImage(this.version);
    this.credentials = props.credentials ?? Credentials.generate();
    this.validateProps(props, strategy);
    // --- rollouts and major upgrades (issue 11 parts 5 and 6) ---
    const patroni = this.mode === ReplicationMode.PATRONI;
    if (props.rollout?.isPrimaryAware && !patroni) {
      throw new ValidationError('PostgresRolloutNeedsPatroni',
        'rollout PostgresRollout.primaryAware() needs Patroni mode (it switches over through Patroni); streaming mode rolls out with the StatefulSet\'s RollingUpdate: leave rollout unset', this);
    }
    this.rollout = props.rollout ?? (patroni ? PostgresRollout.primaryAware() : PostgresRollout.rollingUpdate());
    validateRollout(this, this.rollout);
    const upgrade = validateUpgrade(this, props.upgradeFrom, this.version, patroni, props.image !== undefined);

    const storage = props.storage ?? {};
    const dataSize = storage.size ?? Size.gibibytes(10);
    const walSize = storage.walSize;
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.units(1) },
      memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) },
    };
    this.dbs = databaseSpecs(this, props.databases ?? [{ name: 'app' }]);
    const spec = reconcileSpec(this, this.dbs, props.users ?? [], props.pooler ? this.dbs.map((d) => d.name) : []);
    this.userNames = (props.users ?? []).map((u) => u.name);
    // The WAL budget: its own volume, or a quarter of the data volume when they share it.
    const walBudget = walSize ?? Size.mebibytes(Math.floor(dataSize.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR }) / 4));
    this.params = clusterParameters(this, {
      resources,
      walDisk: walBudget,
      walVolume: walSize,
      instances: this.instances,
      modeParameters: strategy.modeParameters(props.synchronous ?? false),
      managed: strategy.managedParameters,
      user: props.parameters ?? {},
    });

    // Validated here so the error speaks of this construct's id or `name` prop.
    const name = Names.stable(this, props.name, MAX_STATEFULSET_NAME);
    // A sub-directory: initdb --waldir and pg_basebackup need it empty, and a volume root may hold lost+found.
    const walDir = walSize ? `${strategy.walMount}/pg_wal` : undefined;

    this.workload = new StatefulWorkload(this, 'Workload', {
      name,
      image: this.image,
      replicas: this.instances,
      appName: 'postgres',
      component: 'database',
      version: this.version.majorVersion,
      containerName: 'postgres',
      resources,
      dataVolumes: {
        data: {
          mountPath: strategy.dataMount,
          size: dataSize,
          storageClass: storage.storageClass,
          expandable: storage.expandable,
          claimTemplateSize: storage.claimTemplateSize,
        },
        ...(walSize ? {
          wal: {
            mountPath: strategy.walMount,
            size: walSize,
            storageClass: storage.walStorageClass ?? storage.storageClass,
            expandable: storage.expandable,
            claimTemplateSize: storage.walClaimTemplateSize,
          },
        } : {}),
      },
      // Primary-aware rollouts: pods are replaced only when the rollout Job deletes them.
      updateStrategy: this.rollout.isPrimaryAware ? UpdateStrategy.onDelete() : undefined,
      placement: props.placement,
      clusterDomain: props.clusterDomain,
      terminationGracePeriod: props.terminationGracePeriod ?? Duration.seconds(60),
      ...strategy.workloadProps(name, this.params),
    });
    this.node.defaultChild = this.workload;
    this.statefulSet = this.workload.statefulSet;
    this.headlessService = this.workload.headlessService;

    // Credentials: a generated Secret or an existing one. Pods reference it from env
    // (secretKeyRef, not optional) and as a volume: until it exists the kubelet keeps the pods in
    // CreateContainerConfigError / ContainerCreating and retries; nothing crash-loops.
    this.credentials._assertValid(this, [SUPERUSER_KEY, REPLICATION_KEY, ...new Set(this.dbs.map((d) => d.passwordKey)), ...spec.keys], `${this.workload.name}-credentials`);
    this.secretName = this.credentials.secretName(`${this.workload.name}-credentials`);
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', this.secretName);
    if (this.credentials.isGenerated) {
      this.secretGenerator = new GeneratedSecret(this, 'Credentials', {
        secretName: this.secretName,
        keys: [SUPERUSER_KEY, REPLICATION_KEY, ...new Set(this.dbs.map((d) => d.passwordKey)), ...(props.monitoring ? [MONITOR_KEY] : []),
          ...spec.keys],
        labels: { [LabelKeys.NAME]: 'postgres', [LabelKeys.INSTANCE]: this.workload.name, [LabelKeys.PART_OF]: this.workload.name },
        image: this.credentials.generatorImage,
      });
    }
    this.workload.volumes.add('credentials', WorkloadVolume.fromSecret(this.secret, { defaultMode: 0o440 }));
    this.workload.addMount({ volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true });

    // The scripts read passwords from the mounted Secret volume, whose file names are the
    // Secret's keys (renamed by `Credentials.fromSecret`'s key map).
    const credentialFile = (key: string) => `${CREDENTIALS_DIR}/${this.credentials.key(key)}`;
    strategy.configure({
      workload: this.workload,
      name,
      version: this.version,
      image: this.image,
      parameters: this.params,
      synchronous: props.synchronous ?? false,
      walDir,
      databases: this.dbs,
      roles: props.monitoring ? [monitorRole(credentialFile(MONITOR_KEY))] : [],
      secretEnv: (key) => this.secretEnv(key),
      credentialFile,
    });
    // ---- object storage: continuous backup, bootstrap, standby (private/object-storage.ts)
    const verify = configureObjectStorage(this, {
      workload: this.workload,
      name,
      major: this.version.majorVersion,
      image: this.image,
      instances: this.instances,
      patroni: this.mode === ReplicationMode.PATRONI,
      continuousBackup: props.continuousBackup,
      bootstrap: props.bootstrap,
      standby: props.standby,
    });
    this.restoreVerify = verify?.job;
    this.restoreVerifyServiceAccount = verify?.serviceAccount;
    // ---- end object storage
    const services = strategy.addServices(this.workload);
    this.primaryService = services.primary;
    this.replicaService = services.replica;
    // ---- TLS (issue 12): the server certificate, served and reloaded on renewal (private/tls.ts).
    if (props.tls) {
      this.tlsCertificate = serveTls(this, props.tls, {
        workload: this.workload, patroni: this.mode === ReplicationMode.PATRONI, image: this.image, superuserPassword: this.secretEnv(SUPERUSER_KEY),
      });
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
      sslMode: this.tlsCertificate ? VERIFY_FULL : strategy.sslMode,
      caSecretName: this.tlsCertificate?.secretName,
      caKey: this.tlsCertificate?.caKey,
    };

    if (props.backup) {
      this.backup = new PostgresBackup(this, 'Backup', {
        ...props.backup,
        name: `${this.workload.name}-backup`,
        instance: this.workload.name,
        // pg_dump must be at least the server's major version: the official image of the same release.
        image: officialImage(this.version),
        // Built from the pod's namespace at run time: survives a Kustomize `namespace:` overlay.
        host: `${this.primaryService.name}.$(POD_NAMESPACE).svc.${this.workload.clusterDomain}`,
        port: PORT,
        user: SUPERUSER,
        // The Job has no CA mounted: encrypted, not verified (as without `tls`).
        sslMode: strategy.sslMode,
        passwordSecret: this.secret,
        passwordKey: this.credentials.key(SUPERUSER_KEY),
      });
      this.backupCronJob = this.backup.cronJob;
      this.backupClaim = this.backup.claim;
      this.workload.connections.allowFromLabels(this.backup.podSelector, ['postgresql']);
    }
    if (props.monitoring) {
      this.monitoring = monitorPostgres(props.monitoring, {
        workload: this.workload,
        patroni: this.mode === ReplicationMode.PATRONI,
        sslMode: strategy.sslMode,
        password: this.secretEnv(MONITOR_KEY),
        walBudget,
        volumes: walSize ? ['data', 'wal'] : ['data'],
        // Backup alerts (issue 12): WAL archiving, and the backup/verify CronJobs that exist.
        backupAlerts: [
          ...(props.continuousBackup ? archiverAlerts(Monitoring.podMatchers(this.workload)) : []),
          ...(this.backupCronJob ? cronJobAlerts(this.workload.namespace, alertedCronJob(this.backupCronJob, 'logical backup')) : []),
          ...(this.restoreVerify?.cronJob ? cronJobAlerts(this.workload.namespace, alertedCronJob(this.restoreVerify.cronJob, 'restore verification')) : []),
        ],
      });
    }
    // --- users, grants and pooling (issue 11, parts 3-4): private/reconcile.ts, postgres-pooler.ts ---
    const reconcile = reconcileJobs(this, {
      ...props.reconcile,
      instance: this.workload.name,
      spec: spec.text(credentialFile),
      image: officialImage(this.version),
      host: `${this.primaryService.name}.$(POD_NAMESPACE).svc.${this.workload.clusterDomain}`,
      port: PORT,
      user: SUPERUSER,
      sslMode: strategy.sslMode,
      secret: this.secret,
      superuserKey: this.credentials.key(SUPERUSER_KEY),
      credentialsDir: CREDENTIALS_DIR,
    });
    this.reconcileJob = reconcile.job.job!;
    this.reconcileCronJob = reconcile.cronJob?.cronJob;
    this.workload.connections.allowFromLabels(reconcileSelector(this.workload.name), ['postgresql']);
    if (props.pooler) {
      this.pooler = new PostgresPooler(this, 'Pooler', {
        ...props.pooler,
        instance: this.workload.name,
        primaryHost: this.primaryService.name,
        replicaHost: this.replicaService.name,
        port: PORT,
        databases: this.databases,
        serverSslMode: strategy.sslMode,
        secret: this.secret,
        passwordKey: this.credentials.key(POOLER_KEY),
        maxConnections: Number(this.params.max_connections),
      });
      this.workload.connections.allowFromLabels(this.pooler.podSelector, ['postgresql']);
    }
    // --- rollouts and major upgrades (issue 11 parts 5 and 6): keep this block last, the rollout
    // Job's name hashes the finished pod template.
    if (upgrade) {
      this.upgradeJob = addUpgradeJob(new Construct(this, 'MajorUpgrade'), this.workload, this.primaryService.name, props.upgradeFrom!, this.version).job;
    }
    if (this.rollout.isPrimaryAware) {
      this.rolloutJob = addRolloutJob(new Construct(this, 'Rollout'), this.workload, this.image, this.rollout).job;
      const hash = podTemplateHash(this.workload);
      this.node.addValidation({
        validate: () => (podTemplateHash(this.workload) === hash ? [] : [
          `the pod template of '${this.workload.name}' changed after the PostgresCluster was created (through 'workload'), so the rollout Job `
          + `'${this.rolloutJob!.name}' does not carry its hash and the pods would not be replaced; make the change through the cluster's props, `
          + 'or use rollout: PostgresRollout.rollingUpdate()',
        ]),
      });
    }
    if (this.instances === 1) {
      Warnings.of(this).add('@cdk8s-stateful/postgres:singleInstance',
        'instances is 1: there is no replica to fail over to, and a node drain or node loss stops the database; use 3 instances for high availability');
    }
  }

  /** The read-write endpoint (the primary Service). */
  public get endpoint(): ServiceEndpoint {
    return { host: this.connection.host, port: this.connection.port };
  }

  /** Ingress into the database pods: `cluster.connections.allowFrom(peer, ['postgresql'])`. */
  public get connections(): Connections {
    return this.workload.connections;
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
   *
   * In the cluster's namespace PGHOST is the Service's short name (it resolves in the pod's own
   * namespace, so a Kustomize `namespace:` overlay of both keeps it working). In another
   * namespace PGHOST is the qualified name, the NetworkPolicy peer selects the workload's pods in
   * that namespace, and `options.credentials` must name a Secret there. A workload is bound once.
   */
  public bind(workload: kplus.Workload, options: PostgresBindOptions = {}): void {
    const { db, login, remote, there } = checkBind(this, workload, options, {
      databases: this.dbs,
      namespace: this.workload.namespace,
      secretName: this.secretName,
      passwordKey: (k) => this.credentials.key(k),
      pooled: this.pooler !== undefined,
      loginFor: (d, u) => this.loginFor(d, u),
    });
    const creds = options.credentials;
    const pool = options.pooled ? this.pooler : undefined;
    const service = pool ? (options.readOnly ? pool.readOnlyService : pool.service).name
      : options.readOnly ? this.replicaService.name : this.primaryService.name;
    const password = creds
      ? kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, `BindSecret${this.bindings}`, creds.secretName('')), key: creds.key(login.passwordKey) })
      : kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.credentials.key(login.passwordKey) });
    const env: { [name: string]: kplus.EnvValue } = {
      PGHOST: kplus.EnvValue.fromValue(remote ? this.workload.qualify(service) : service),
      PGPORT: kplus.EnvValue.fromValue(`${PORT}`),
      PGDATABASE: kplus.EnvValue.fromValue(db.name),
      PGUSER: kplus.EnvValue.fromValue(login.owner),
      PGPASSWORD: password,
      // The pool has no client certificate yet: TLS runs from PgBouncer to the server.
      PGSSLMODE: kplus.EnvValue.fromValue(pool ? 'prefer' : this.connection.sslMode),
    };
    for (const c of workload.containers) {
      for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    }
    // A pooled client reaches the PgBouncer pods only, on the port of its Service.
    const [connections, ports] = pool ? [pool.connections, [options.readOnly ? 'pgbouncer-ro' : 'pgbouncer']] : [this.workload.connections, ['postgresql']];
    // The pool has no server certificate of its own: TLS from the app ends at verify-full to the cluster only.
    if (this.tlsCertificate && !pool) bindCa(this, workload, this.tlsCertificate, options.caSecret, remote, this.bindings);
    if (remote) {
      // The workload's own selector, in its namespace: a bare pod selector would match the cluster's namespace only.
      const id = `Bind${this.bindings}`;
      connections.allowFrom(kplus.Pods.select(this, id, {
        labels: workload.matchLabels,
        expressions: workload.matchExpressions.map((e) => labelExpression(e)),
        namespaces: kplus.Namespaces.select(this, `${id}Namespace`, { names: [there!] }),
      }), ports);
    } else {
      connections.allowFrom(workload, ports);
    }
    this.bindings++;
  }

  /** The role a bind logs in as: the database's owner, or one of `users` (issue 11, part 3). */
  private loginFor(db: DatabaseSpec, user: string | undefined): { owner: string; passwordKey: string } {
    if (user === undefined || user === db.owner) return db;
    if (!this.userNames.includes(user) && !this.dbs.some((d) => d.owner === user)) {
      throw new ValidationError('PostgresBindUserUnknown',
        `bind: user '${user}' is neither a database owner nor one of 'users' (${[...new Set(this.dbs.map((d) => d.owner)), ...this.userNames].join(', ')}); declare it in 'users'`, this);
    }
    return { owner: user, passwordKey: `${user}-password` };
  }

  private secretEnv(key: string): kplus.EnvValue {
    return kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.credentials.key(key) });
  }

  private validateProps(props: PostgresClusterProps, strategy: ReplicationStrategy): void {
    const n = this.instances;
    if (!Number.isInteger(n) || n < 1) {
      throw new ValidationError('PostgresInstancesInvalid', `instances must be a whole number ≥ 1, got ${n}`, this);
    }
    if (props.synchronous && n < 2) {
      throw new ValidationError('PostgresSynchronousNeedsReplicas',
        `synchronous replication needs at least 2 instances, got ${n}; add instances or leave synchronous off`, this);
    }
    const v = this.version;
    if (!/^\d+$/.test(v.majorVersion) || !new RegExp(`^${v.majorVersion}(\\.\\d+)*$`).test(v.fullVersion)) {
      throw new ValidationError('PostgresVersionInvalid',
        `version '${v.fullVersion}' (major '${v.majorVersion}') is not a PostgreSQL release; use e.g. PostgresVersion.V17 or PostgresVersion.of('17.6', '17')`, this);
    }
    const unsupported = props.image === undefined ? strategy.unsupportedVersion(v) : undefined;
    if (unsupported) throw new ValidationError('PostgresVersionUnsupported', unsupported, this);
    const grace = props.terminationGracePeriod;
    // In milliseconds: toSeconds() throws a plain Error for e.g. 1500 ms (the workload rejects fractions).
    if (grace && !(grace.toMilliseconds() >= 30_000)) {
      throw new ValidationError('PostgresGracePeriodTooShort',
        `terminationGracePeriod ${grace.toMilliseconds() / 1000}s is too short for a clean PostgreSQL shutdown; use at least 30 seconds`, this);
    }
  }
}
