import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MongoBackup } from './mongo-backup';
import { MongoBindOptions, MongoReplicaSetProps } from './mongo-replica-set-props';
import { MongoVersion } from './mongo-version';
import { arbiterWorkload } from './private/arbiter';
import {
  cacheProblem, connectionString, defaultCacheGb, KEYFILE_KEY, membersFile, membersProblem, mongoshConf, Problem, replicaSetNameProblem,
  ROOT_PASSWORD_KEY, ROOT_USER, UserSpec, userSpecs, usersFile, versionProblem,
} from './private/config';
import { CREDENTIALS_DIR, DATA_DIR, KEYFILE, MEMBERS_DIR, MONGODB_UID, MONGOSH_CONF, PORT, SCRIPTS_DIR } from './private/layout';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { Credentials } from '../core/kit/credentials';
import { GeneratedSecret } from '../core/kit/generated-secret';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { LabelKeys } from '../core/labels';
import { MAX_STATEFULSET_NAME, Names } from '../core/naming';
import { registerObjects } from '../core/registry';
import { kibibytes } from '../core/units';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { HealthProbe } from '../core/workload/container';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { WorkloadVolume } from '../core/workload/volumes';

/** The variables `bind` sets. */
const BIND_ENV = ['MONGODB_USERNAME', 'MONGODB_PASSWORD', 'MONGODB_DATABASE', 'MONGODB_URI'];

/**
 * A MongoDB replica set on the official image, no operator: N voting members with keyfile
 * authentication, a bootstrap sidecar per member that initiates the set once (from the members'
 * stable DNS names), creates the root and application users, and adds members on scale-up
 * (removes them on scale-down only when told), readiness from `db.hello()`, the WiredTiger cache
 * from the memory limit, a PodDisruptionBudget of one, a NetworkPolicy, and `bind()` with a
 * replica-set connection string. Passwords and the keyfile are generated in the cluster.
 *
 * `ApiObject.of(replicaSet)` is the StatefulSet. See docs/mongodb.md.
 */
export class MongoReplicaSet extends Construct implements IStatefulService {
  /** The StatefulSet name. */
  public readonly name: string;
  /** The replica set name (`--replSet`). */
  public readonly replicaSetName: string;
  /** Data-bearing members. */
  public readonly replicas: number;
  /** The release. */
  public readonly version: MongoVersion;
  /** The StatefulSet, headless Service, PDB and NetworkPolicy. */
  public readonly workload: StatefulWorkload;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The ConfigMap with the scripts (start, probe, bootstrap). */
  public readonly configMap: k8s.KubeConfigMap;
  /**
   * The ConfigMap with the member ordinals and the users the bootstrap creates. Mounted without a
   * checksum annotation: a scale or a new user reaches the running sidecars (the kubelet refreshes
   * the files) without restarting every member.
   */
  public readonly membersConfigMap: k8s.KubeConfigMap;
  /** The client Service (`<name>-client`): any member, for tools that do not discover the set. */
  public readonly clientService: k8s.KubeService;
  /** Name of the Secret with the passwords and the keyfile. */
  public readonly secretName: string;
  /** The Job that generates the Secret, unless credentials come from an existing Secret. */
  public readonly secretGenerator?: GeneratedSecret;
  /** The WiredTiger cache in GB, when set (from the memory limit or `wiredTigerCacheSize`). */
  public readonly wiredTigerCacheGb?: number;
  /** The arbiter's StatefulSet (`<name>-arbiter`), when `arbiter` is set. */
  public readonly arbiter?: StatefulWorkload;
  /** The backup CronJob and its claim, when `backup` is set. */
  public readonly backup?: MongoBackup;
  /** Port of every member. */
  public readonly port = PORT;

  private readonly credentials: Credentials;
  private readonly secret: kplus.ISecret;
  private readonly users: UserSpec[];
  private readonly bindings: kplus.Workload[] = [];

  constructor(scope: Construct, id: string, props: MongoReplicaSetProps = {}) {
    super(scope, id);
    this.version = props.version ?? MongoVersion.V8_0_17;
    this.replicas = props.replicas ?? 3;
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(500) },
      memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) },
    };
    const limit = resources.memory?.limit;
    this.wiredTigerCacheGb = props.wiredTigerCacheSize ? kibibytes(props.wiredTigerCacheSize) / 1024 / 1024 : defaultCacheGb(limit);
    const users = userSpecs(props.users ?? [{ name: 'app', database: 'app' }]);
    // Validated here so the error speaks of this construct's id or `name` prop.
    const name = Names.stable(this, props.name, MAX_STATEFULSET_NAME);
    this.replicaSetName = props.replicaSetName ?? name;
    this.fail(versionProblem(this.version.version)
      ?? membersProblem(this.replicas, props.arbiter ?? false)
      ?? replicaSetNameProblem(this.replicaSetName)
      ?? cacheProblem(this.wiredTigerCacheGb, limit ? kibibytes(limit) / 1024 / 1024 : undefined)
      ?? ('code' in users ? users : undefined));
    this.users = users as UserSpec[];
    if (!this.users.length) throw new ValidationError('MongoUserInvalid', "users is empty; give at least one, e.g. [{ name: 'app', database: 'app' }]", this);

    this.workload = new StatefulWorkload(this, 'Resource', {
      name,
      image: this.version.image,
      appName: 'mongodb',
      component: 'database',
      version: this.version.version,
      containerName: 'mongod',
      replicas: this.replicas,
      clusterDomain: props.clusterDomain,
      // Members must resolve each other before any is Ready (the set is initiated with all of
      // them, and a member is Ready only once it is primary or secondary), and all start
      // together: OrderedReady would wait for a Ready member-0 that waits for its peers.
      publishNotReadyAddresses: true,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      ports: [{ name: 'mongodb', port: PORT }],
      command: ['bash', `${SCRIPTS_DIR}/start.sh`],
      args: [
        'mongod', '--replSet', this.replicaSetName, '--bind_ip_all', '--port', `${PORT}`, '--dbpath', DATA_DIR, '--keyFile', KEYFILE,
        ...(this.wiredTigerCacheGb !== undefined ? ['--wiredTigerCacheSizeGB', `${this.wiredTigerCacheGb}`] : []),
      ],
      resources,
      // mongosh in the probe costs a Node.js start (~0.5 s CPU): every 10 s, with time to spare.
      readiness: HealthProbe.exec(['bash', `${SCRIPTS_DIR}/probe.sh`], { period: Duration.seconds(10), timeout: Duration.seconds(10) }),
      // Liveness is the port only: a busy or syncing member must not be killed for a slow answer.
      liveness: HealthProbe.tcpSocket(PORT, { period: Duration.seconds(10), timeout: Duration.seconds(5), failureThreshold: 6 }),
      // Journal recovery after an unclean stop can take minutes before mongod listens.
      startup: HealthProbe.tcpSocket(PORT, { period: Duration.seconds(10), failureThreshold: 60 }),
      dataVolumes: { data: { mountPath: DATA_DIR, size: props.storage ?? Size.gibibytes(10), storageClass: props.storageClass } },
      // mongod's Unix socket (/tmp/mongodb-27017.sock), the keyfile copy, and mongosh's HOME.
      scratchPaths: ['/tmp'],
      security: { user: MONGODB_UID, group: MONGODB_UID },
      // A primary steps down and waits for a secondary to catch up (up to 15 s) before it exits.
      terminationGracePeriod: Duration.seconds(60),
      placement: props.placement,
      networkPolicy: props.networkPolicy,
    });
    this.name = this.workload.name;
    this.statefulSet = this.workload.statefulSet;
    this.node.defaultChild = this.statefulSet;
    const w = this.workload;

    // Credentials: a generated Secret or an existing one, mounted as files (passwords never in env).
    this.credentials = props.credentials ?? Credentials.generate();
    const keys = [ROOT_PASSWORD_KEY, KEYFILE_KEY, ...this.users.map((u) => u.passwordKey)];
    this.credentials._assertValid(this, keys, `${this.name}-credentials`);
    this.secretName = this.credentials.secretName(`${this.name}-credentials`);
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', this.secretName);
    if (this.credentials.isGenerated) {
      this.secretGenerator = new GeneratedSecret(this, 'Credentials', {
        secretName: this.secretName,
        keys,
        labels: { [LabelKeys.NAME]: 'mongodb', [LabelKeys.INSTANCE]: this.name, [LabelKeys.PART_OF]: this.name },
        image: this.credentials.generatorImage,
      });
    }
    const file = (key: string) => `${CREDENTIALS_DIR}/${this.credentials.key(key)}`;
    w.volumes.add('credentials', WorkloadVolume.fromSecret(this.secret, { defaultMode: 0o440 }));
    w.addMount({ volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true });

    this.configMap = w.volumes.addConfigFiles('scripts', {
      mountPath: SCRIPTS_DIR,
      files: {
        'start.sh': loadAsset('mongodb/assets/start.sh'),
        'probe.sh': loadAsset('mongodb/assets/probe.sh'),
        'bootstrap.sh': loadAsset('mongodb/assets/bootstrap.sh'),
        'reconcile.js': loadAsset('mongodb/assets/reconcile.js'),
        'mongosh.conf': mongoshConf(),
      },
    });
    w.addMount({ volume: 'scripts', mountPath: MONGOSH_CONF, subPath: 'mongosh.conf', readOnly: true });
    this.membersConfigMap = new k8s.KubeConfigMap(this, 'Members', {
      metadata: { name: `${this.name}-members`, labels: w.labels },
      data: {
        members: membersFile(Array.from({ length: this.replicas }, (_, i) => w.ordinalsStart + i)),
        users: usersFile(this.users, file),
      },
    });
    registerObjects(this, this.membersConfigMap);
    w.volumes.add('members', WorkloadVolume.fromConfigMap(kplus.ConfigMap.fromConfigMapName(this, 'MembersRef', this.membersConfigMap.name)));
    w.volumes.add('bootstrap-tmp', WorkloadVolume.emptyDir());

    w.addEnv('MONGO_PORT', kplus.EnvValue.fromValue(`${PORT}`));
    w.addEnv('MONGO_KEYFILE_SOURCE', kplus.EnvValue.fromValue(file(KEYFILE_KEY)));
    w.addEnv('MONGO_KEYFILE', kplus.EnvValue.fromValue(KEYFILE));
    w.addEnv('HOME', kplus.EnvValue.fromValue('/tmp'));

    if (props.arbiter) {
      this.arbiter = arbiterWorkload(this, {
        name: `${this.name}-arbiter`,
        image: this.version.image,
        version: this.version.version,
        replicaSetName: this.replicaSetName,
        secret: this.secret,
        keyfileKey: this.credentials.key(KEYFILE_KEY),
        clusterDomain: w.clusterDomain,
        placement: props.placement,
        networkPolicy: props.networkPolicy,
      });
      // Heartbeats go both ways between the arbiter and every member.
      w.connections.allowFromLabels(this.arbiter.selectorLabels, ['mongodb']);
      this.arbiter.connections.allowFromLabels(w.selectorLabels, ['mongodb']);
    }
    const arbiterHost: { [name: string]: kplus.EnvValue } = this.arbiter
      ? { MONGO_ARBITER_HOST: kplus.EnvValue.fromValue(`${this.arbiter.podName(0)}.${this.arbiter.headlessService.name}.$(POD_NAMESPACE).svc.${w.clusterDomain}:${PORT}`) }
      : {};
    w.addSidecar({
      name: 'bootstrap',
      image: this.version.image,
      command: ['bash', `${SCRIPTS_DIR}/bootstrap.sh`],
      env: {
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        MONGO_REPLICA_SET: kplus.EnvValue.fromValue(this.replicaSetName),
        MONGO_STATEFULSET: kplus.EnvValue.fromValue(this.name),
        MONGO_HEADLESS: kplus.EnvValue.fromValue(w.headlessService.name),
        MONGO_CLUSTER_DOMAIN: kplus.EnvValue.fromValue(w.clusterDomain),
        MONGO_PORT: kplus.EnvValue.fromValue(`${PORT}`),
        MONGO_SCRIPTS: kplus.EnvValue.fromValue(SCRIPTS_DIR),
        MONGO_MEMBERS_FILE: kplus.EnvValue.fromValue(`${MEMBERS_DIR}/members`),
        MONGO_USERS_FILE: kplus.EnvValue.fromValue(`${MEMBERS_DIR}/users`),
        MONGO_ROOT_PASSWORD_FILE: kplus.EnvValue.fromValue(file(ROOT_PASSWORD_KEY)),
        MONGO_REMOVE_MEMBERS: kplus.EnvValue.fromValue(props.removeMembersOnScaleDown ? 'true' : 'false'),
        MONGO_RECONCILE_INTERVAL: kplus.EnvValue.fromValue('15'),
        HOME: kplus.EnvValue.fromValue('/tmp'),
        ...arbiterHost,
      },
      mounts: [
        { volume: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true },
        { volume: 'scripts', mountPath: MONGOSH_CONF, subPath: 'mongosh.conf', readOnly: true },
        { volume: 'members', mountPath: MEMBERS_DIR, readOnly: true },
        { volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
        { volume: 'bootstrap-tmp', mountPath: '/tmp' },
      ],
      // mongosh is a Node.js program: ~100 MiB while a pass runs, nothing between passes.
      resources: {
        cpu: { request: kplus.Cpu.millis(20), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
      },
    });

    this.clientService = w.services.add('client', { ports: ['mongodb'] });

    if (props.backup) {
      this.backup = new MongoBackup(this, 'Backup', {
        ...props.backup,
        name: `${this.name}-backup`,
        instance: this.name,
        image: this.version.image,
        hosts: this.hosts((o) => `${w.podName(o)}.${w.headlessService.name}`).join(','),
        replicaSetName: this.replicaSetName,
        user: ROOT_USER,
        passwordSecret: this.secret,
        passwordKey: this.credentials.key(ROOT_PASSWORD_KEY),
        uid: MONGODB_UID,
      });
      w.connections.allowFromLabels(this.backup.podSelector, ['mongodb']);
    }

    const voting = this.replicas + (this.arbiter ? 1 : 0);
    if (this.arbiter) {
      Warnings.of(this).add('@cdk8s-stateful/mongodb:arbiter',
        'an arbiter holds no data: with one data member down, w: "majority" writes wait (or, under the implicit w: 1 default of such sets, ' +
        'acknowledged writes can be rolled back), and the data has one copy fewer; MongoDB recommends a data member instead');
    }
    if (this.replicas === 1) {
      Warnings.of(this).add('@cdk8s-stateful/mongodb:singleMember',
        'a replica set of 1 has no secondary to elect: it stops serving while its only member restarts; use 3 members for production');
    } else if (voting % 2 === 0) {
      Warnings.of(this).add('@cdk8s-stateful/mongodb:evenMembers',
        `${voting} voting members tolerate no more failures than ${voting - 1}; use an odd number (3 or 5)`);
    }
  }

  /** The client Service (any member: prefer `connectionString`, which lets the driver find the primary). */
  public get endpoint(): ServiceEndpoint {
    return { host: this.workload.qualify(this.clientService.name), port: PORT };
  }

  /** Ingress into the members (the NetworkPolicy). */
  public get connections(): Connections {
    return this.workload.connections;
  }

  /**
   * The replica-set connection string without credentials: every member by its stable DNS name
   * (qualified when the chart sets a namespace), `replicaSet=<name>&authSource=admin`.
   */
  public get connectionString(): string {
    return connectionString(this.hosts((o) => this.workload.podDnsName(o)), this.replicaSetName, this.users[0].database);
  }

  /**
   * Connect a cdk8s-plus workload as one of `users`: env `MONGODB_USERNAME`, `MONGODB_PASSWORD`
   * (from the Secret), `MONGODB_DATABASE` and `MONGODB_URI` (every member, `replicaSet=`,
   * `authSource=admin`, the password through `$(MONGODB_PASSWORD)`) in each of its containers,
   * and a NetworkPolicy rule letting its pods reach the members. The workload must be in the
   * replica set's namespace: pods read Secrets of their own namespace only.
   */
  public bind(workload: kplus.Workload, options: MongoBindOptions = {}): void {
    const user = options.user === undefined ? this.users[0] : this.users.find((u) => u.name === options.user);
    if (!user) {
      throw new ValidationError('MongoBindUserUnknown',
        `bind: user '${options.user}' is not one of this replica set's users (${this.users.map((u) => u.name).join(', ')}); add it to 'users'`, this);
    }
    if (!workload.containers.length) {
      throw new ValidationError('MongoBindNoContainers', `bind: workload '${workload.node.path}' has no containers yet; add them before calling bind()`, this);
    }
    if (this.bindings.includes(workload)) {
      throw new ValidationError('MongoBindDuplicate', `bind: workload '${workload.node.path}' is bound to this replica set already; bind it once`, this);
    }
    for (const c of workload.containers) {
      const set = BIND_ENV.filter((k) => k in c.env.variables);
      if (set.length) {
        throw new ValidationError('MongoBindEnvConflict',
          `bind: container '${c.name}' of '${workload.node.path}' already sets ${set.join(', ')} (bound to another replica set, or set by hand); bind one replica set per workload`, this);
      }
    }
    const here = this.workload.namespace;
    const there = workload.metadata.namespace;
    if (here !== there) {
      throw new ValidationError('MongoBindCrossNamespace',
        `bind: '${workload.node.path}' is in namespace ${there ? `'${there}'` : '(none set)'} and the replica set in ${here ? `'${here}'` : '(none set)'}; ` +
        `pods read Secrets of their own namespace only: bind workloads of the same namespace, or copy the '${this.credentials.key(user.passwordKey)}' password ` +
        'into a Secret there and build the URI from replicaSet.connectionString', this);
    }
    const hosts = this.hosts((o) => `${this.workload.podName(o)}.${this.workload.headlessService.name}`);
    const env: { [name: string]: kplus.EnvValue } = {
      MONGODB_USERNAME: kplus.EnvValue.fromValue(user.name),
      MONGODB_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.credentials.key(user.passwordKey) }),
      MONGODB_DATABASE: kplus.EnvValue.fromValue(user.database),
      // The generated passwords are URL-safe, so they need no escaping in the URI.
      MONGODB_URI: kplus.EnvValue.fromValue(connectionString(hosts, this.replicaSetName, user.database, '$(MONGODB_USERNAME):$(MONGODB_PASSWORD)')),
    };
    for (const c of workload.containers) {
      for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    }
    this.bindings.push(workload);
    this.workload.connections.allowFrom(workload, ['mongodb']);
  }

  private hosts(host: (ordinal: number) => string): string[] {
    return Array.from({ length: this.replicas }, (_, i) => `${host(this.workload.ordinalsStart + i)}:${PORT}`);
  }

  private fail(problem: Problem | undefined): void {
    if (problem) throw new ValidationError(problem.code, problem.message, this);
  }
}
