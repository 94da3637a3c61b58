import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, Errors, MongoReplicaSet, MongoReplicaSetProps, MongoRole, MongoVersion, UpgradeSafety, Warnings } from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

function chart(namespace: string | null = 'db'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

function mongo(props: MongoReplicaSetProps = {}) {
  const c = chart();
  const rs = new MongoReplicaSet(c, 'mongo', props);
  return { c, rs, objs: synthValidated(c, { externalSecrets: [rs.secretName] }) };
}

const hosts = [0, 1, 2].map((i) => `mongo-${i}.mongo-headless:27017`).join(',');

describe('defaults: 3 voting members, official image, keyfile auth, generated credentials', () => {
  const { rs, objs } = mongo();
  const sts = find(objs, 'StatefulSet', 'mongo');
  const main = container(sts, 'mongod');
  const sidecar = container(sts, 'bootstrap');
  const env = envOf(sidecar);

  test('snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('3 members, Parallel, pinned official image; mongod with --replSet, --bind_ip_all, the keyfile copy and the cache from the 2Gi limit', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(main.image).toBe('docker.io/library/mongo:8.0.17');
    expect(main.command).toEqual(['bash', '/opt/cdk8s-stateful/mongodb/start.sh']);
    expect(main.args).toEqual(['mongod', '--replSet', 'mongo', '--bind_ip_all', '--port', '27017', '--dbpath', '/data/db',
      '--keyFile', '/tmp/mongodb-keyfile', '--wiredTigerCacheSizeGB', '0.5']);
    expect(envOf(main).MONGO_KEYFILE_SOURCE).toBe('/etc/mongodb/credentials/keyfile');
    expect(rs.replicaSetName).toBe('mongo');
    expect(rs.wiredTigerCacheGb).toBe(0.5);
  });

  test('readiness from db.hello() (probe.sh), liveness and startup on the port', () => {
    expect(main.readinessProbe.exec.command).toEqual(['bash', '/opt/cdk8s-stateful/mongodb/probe.sh']);
    expect(main.livenessProbe.tcpSocket).toEqual({ port: 27017 });
    expect(main.startupProbe.tcpSocket).toEqual({ port: 27017 });
    expect(main.startupProbe.failureThreshold).toBe(60);
  });

  test('the bootstrap sidecar: members and users from a ConfigMap without a checksum, passwords from files', () => {
    expect(sidecar.image).toBe(main.image);
    expect(env.MONGO_REPLICA_SET).toBe('mongo');
    expect(env.MONGO_HEADLESS).toBe('mongo-headless');
    expect(env.MONGO_REMOVE_MEMBERS).toBe('false');
    expect(env.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(env.MONGO_ROOT_PASSWORD_FILE).toBe('/etc/mongodb/credentials/root-password');
    const members = find(objs, 'ConfigMap', 'mongo-members');
    expect(members.data.members).toBe('0\n1\n2\n');
    expect(members.data.users).toBe('app app readWrite /etc/mongodb/credentials/app-password\n');
    const vol = sts.spec.template.spec.volumes.find((v: any) => v.name === 'members');
    expect(vol.configMap.name).toBe('mongo-members');
    // Only the scripts roll the pods.
    expect(sts.spec.template.metadata.annotations['checksum/config']).toBeDefined();
    expect(JSON.stringify(sidecar.env)).not.toMatch(/PASSWORD"/);
  });

  test('generated Secret with the root password, the keyfile and the app password', () => {
    const job = objs.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('mongo-credentials-'));
    const keys = job.spec.template.spec.containers[0].env.find((e: any) => e.name === 'SECRET_KEYS').value;
    expect(keys).toBe('app-password,keyfile,root-password');
    expect(rs.secretName).toBe('mongo-credentials');
    const vol = sts.spec.template.spec.volumes.find((v: any) => v.name === 'credentials');
    expect(vol.secret).toEqual({ secretName: 'mongo-credentials', defaultMode: 0o440 });
  });

  test('restricted pod as the image user 999 with a read-only root; PDB allows one disruption; headless Service publishes not-ready addresses', () => {
    const pod = sts.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    for (const c of [main, sidecar]) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(find(objs, 'PodDisruptionBudget', 'mongo').spec.maxUnavailable).toBe(1);
    expect(find(objs, 'Service', 'mongo-headless').spec.publishNotReadyAddresses).toBe(true);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
  });

  test('connection string: every member, replicaSet, authSource=admin; endpoint is the client Service', () => {
    expect(rs.connectionString).toBe(`mongodb://${[0, 1, 2].map((i) => `mongo-${i}.mongo-headless.db.svc.cluster.local:27017`).join(',')}` +
      '/app?replicaSet=mongo&authSource=admin');
    expect(rs.endpoint).toEqual({ host: 'mongo-client.db.svc.cluster.local', port: 27017 });
  });
});

test('5 members, 7.0, users with roles, an explicit cache, a named set, removal on scale-down', () => {
  const { rs, objs } = mongo({
    replicas: 5,
    version: MongoVersion.V7_0_28,
    replicaSetName: 'rs0',
    users: [{ name: 'orders', database: 'orders' }, { name: 'reports', database: 'orders', roles: [MongoRole.READ] }],
    wiredTigerCacheSize: Size.gibibytes(1),
    resources: { memory: { limit: Size.gibibytes(4) } },
    removeMembersOnScaleDown: true,
  });
  const sts = find(objs, 'StatefulSet', 'mongo');
  const main = container(sts, 'mongod');
  expect(main.image).toBe('docker.io/library/mongo:7.0.28');
  expect(main.args.slice(1, 3)).toEqual(['--replSet', 'rs0']);
  expect(main.args.slice(-2)).toEqual(['--wiredTigerCacheSizeGB', '1']);
  expect(envOf(container(sts, 'bootstrap')).MONGO_REMOVE_MEMBERS).toBe('true');
  const cm = find(objs, 'ConfigMap', 'mongo-members');
  expect(cm.data.members).toBe('0\n1\n2\n3\n4\n');
  expect(cm.data.users).toBe('orders orders readWrite /etc/mongodb/credentials/orders-password\nreports orders read /etc/mongodb/credentials/reports-password\n');
  expect(rs.connectionString).toContain('/orders?replicaSet=rs0&authSource=admin');
});

test.each<[string, Size, number]>([
  ['1Gi: the 0.25 GB floor', Size.gibibytes(1), 0.25],
  ['4Gi: half of 3', Size.gibibytes(4), 1.5],
  ['3000Mi', Size.mebibytes(3000), 0.96],
])('WiredTiger cache from the memory limit, %s', (_name, limit, gb) => {
  expect(mongo({ resources: { memory: { limit } } }).rs.wiredTigerCacheGb).toBe(gb);
});

test('no memory limit: mongod picks its own cache', () => {
  const { objs } = mongo({ resources: { cpu: { request: kplus.Cpu.millis(500) } } });
  expect(container(find(objs, 'StatefulSet', 'mongo'), 'mongod').args).not.toContain('--wiredTigerCacheSizeGB');
});

test('warnings: a single member, an even count', () => {
  expect(Warnings.of(mongo({ replicas: 1 }).c).ids()).toEqual(['@cdk8s-stateful/mongodb:singleMember']);
  expect(Warnings.of(mongo({ replicas: 4 }).c).ids()).toEqual(['@cdk8s-stateful/mongodb:evenMembers']);
});

test('credentials from an existing Secret: no generator, renamed keys in the files the scripts read', () => {
  const c = chart();
  const secret = kplus.Secret.fromSecretName(c, 'S', 'mongo-admin');
  const rs = new MongoReplicaSet(c, 'mongo', { credentials: Credentials.fromSecret(secret, { 'root-password': 'root', 'keyfile': 'key' }) });
  const objs = synthValidated(c, { externalSecrets: ['mongo-admin'] });
  expect(rs.secretGenerator).toBeUndefined();
  expect(objs.filter((o) => o.kind === 'Job')).toEqual([]);
  const sts = find(objs, 'StatefulSet', 'mongo');
  expect(envOf(container(sts, 'mongod')).MONGO_KEYFILE_SOURCE).toBe('/etc/mongodb/credentials/key');
  expect(envOf(container(sts, 'bootstrap')).MONGO_ROOT_PASSWORD_FILE).toBe('/etc/mongodb/credentials/root');
});

test('an arbiter: a StatefulSet of one mongod without a claim, admitted both ways, known to the bootstrap; discouraged by a warning', () => {
  const { c, rs, objs } = mongo({ replicas: 2, arbiter: true });
  const arb = find(objs, 'StatefulSet', 'mongo-arbiter');
  expect(arb.spec.replicas).toBe(1);
  expect(arb.spec.volumeClaimTemplates).toBeUndefined();
  const main = container(arb, 'mongod');
  expect(main.args).toEqual(['mongod', '--replSet', 'mongo', '--bind_ip_all', '--port', '27017', '--dbpath', '/data/db',
    '--keyFile', '/tmp/mongodb-keyfile', '--wiredTigerCacheSizeGB', '0.25']);
  expect(arb.spec.template.spec.volumes.find((v: any) => v.name === main.volumeMounts.find((m: any) => m.mountPath === '/data/db').name).emptyDir).toEqual({});
  expect(envOf(container(find(objs, 'StatefulSet', 'mongo'), 'bootstrap')).MONGO_ARBITER_HOST)
    .toBe('mongo-arbiter-0.mongo-arbiter-headless.$(POD_NAMESPACE).svc.cluster.local:27017');
  const selects = (np: any, component: string) => np.spec.ingress.some((r: any) => r.from?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/component'] === component);
  expect(selects(find(objs, 'NetworkPolicy', 'mongo'), 'arbiter')).toBe(true);
  expect(selects(find(objs, 'NetworkPolicy', 'mongo-arbiter'), 'database')).toBe(true);
  expect(rs.arbiter!.name).toBe('mongo-arbiter');
  expect(rs.connectionString).not.toContain('arbiter');
  expect(Warnings.of(c).ids()).toEqual(['@cdk8s-stateful/mongodb:arbiter']);
});

test('MongoVersion.of pins any tag', () => {
  expect(MongoVersion.of('8.0.18').image).toBe('docker.io/library/mongo:8.0.18');
  expect(MongoVersion.V7_0_28.toString()).toBe('7.0.28');
});

describe('backup', () => {
  test('a CronJob running mongodump against every member as root, to a kept claim; the NetworkPolicy admits it', () => {
    const { rs, objs } = mongo({ backup: { size: Size.gibibytes(50), schedule: '30 3 * * *', keep: 3 } });
    const cron = find(objs, 'CronJob', 'mongo-backup');
    expect(cron.spec.schedule).toBe('30 3 * * *');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const env = envOf(pod.containers[0]);
    expect(pod.containers[0].image).toBe('docker.io/library/mongo:8.0.17');
    expect(env.MONGO_HOSTS).toBe(hosts);
    expect(env.MONGO_USER).toBe('root');
    expect(env.MONGO_PASSWORD_FILE).toBe('/etc/mongodb/credentials/root-password');
    expect(env.KEEP).toBe('3');
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
    const claim = find(objs, 'PersistentVolumeClaim', 'mongo-backup');
    expect(claim.spec.resources.requests.storage).toBe('50Gi');
    expect(rs.backup!.claim.name).toBe('mongo-backup');
    const rule = find(objs, 'NetworkPolicy', 'mongo').spec.ingress[1];
    expect(rule.from[0].podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'mongo', 'app.kubernetes.io/component': 'backup' });
    expect(rule.ports).toEqual([{ port: 27017, protocol: 'TCP' }]);
  });
});

describe('bad props', () => {
  test.each<[string, MongoReplicaSetProps, string, string]>([
    ['no members', { replicas: 0 }, 'MongoReplicasInvalid',
      'replicas must be a whole number from 1 to 7 (a replica set has at most 7 voting members), got 0: use 3 or 5'],
    ['too many voting members', { replicas: 9 }, 'MongoReplicasInvalid',
      'replicas must be a whole number from 1 to 7 (a replica set has at most 7 voting members), got 9: use 3 or 5'],
    ['arbiter beside 1', { replicas: 1, arbiter: true }, 'MongoArbiterNeedsMembers',
      'an arbiter breaks ties between data members and needs at least 2 of them, got replicas 1'],
    ['arbiter beside 7', { replicas: 7, arbiter: true }, 'MongoReplicasInvalid',
      'replicas must be a whole number from 1 to 6 beside an arbiter (a replica set has at most 7 voting members), got 7: use 3 or 5'],
    ['6.0', { version: MongoVersion.of('6.0.20') }, 'MongoVersionInvalid', "version '6.0.20' is not a MongoDB 7.0.x or 8.0.x release (the image tag, e.g. '8.0.17')"],
    ['set name', { replicaSetName: 'rs/0' }, 'MongoReplicaSetNameInvalid', "replicaSetName 'rs/0' must be 1 to 64 letters, digits, '_' or '-'"],
    ['tiny cache', { wiredTigerCacheSize: Size.mebibytes(128) }, 'MongoCacheSizeInvalid',
      "wiredTigerCacheSize 0.125GB is below MongoDB's minimum of 0.25GB; give at least Size.mebibytes(256)"],
    ['cache near the limit', { wiredTigerCacheSize: Size.gibibytes(2) }, 'MongoCacheSizeInvalid',
      'wiredTigerCacheSize 2GB leaves too little of the 2GB memory limit for connections, indexes being built and the filesystem cache, ' +
        'and the container is OOM-killed; leave it out (half of the limit minus 1GB) or keep it below 80% of the limit'],
    ['root user', { users: [{ name: 'root', database: 'app' }] }, 'MongoUserInvalid',
      "user name 'root' must be 1 to 63 letters, digits, '_', '.' or '-' (not 'root', which the replica set creates itself)"],
    ['admin database', { users: [{ name: 'ops', database: 'admin' }] }, 'MongoUserInvalid',
      "database 'admin' of user 'ops' must be 1 to 63 letters, digits, '_' or '-' and not admin/local/config"],
    ['user twice', { users: [{ name: 'a', database: 'x' }, { name: 'a', database: 'y' }] }, 'MongoUserInvalid', "user 'a' is listed twice; list each user once"],
    ['no roles', { users: [{ name: 'a', database: 'x', roles: [] }] }, 'MongoUserInvalid', "user 'a' has no roles; give at least one, e.g. MongoRole.READ_WRITE"],
    ['no users', { users: [] }, 'MongoUserInvalid', "users is empty; give at least one, e.g. [{ name: 'app', database: 'app' }]"],
    ['backup keep', { backup: { size: Size.gibibytes(1), keep: 0 } }, 'MongoBackupInvalid', 'backup.keep must be a whole number of 1 or more, got 0'],
    ['backup schedule', { backup: { size: Size.gibibytes(1), schedule: 'daily' } }, 'MongoBackupInvalid',
      "schedule 'daily' must have five fields (minute hour day-of-month month day-of-week), e.g. '0 2 * * *'"],
    ['backup deadline', { backup: { size: Size.gibibytes(1), activeDeadline: Duration.millis(1500) } }, 'MongoBackupInvalid',
      'backup.activeDeadline must be a whole number of seconds from 1 to 2147483647, got 1.5s; use e.g. Duration.seconds(1)'],
  ])('%s', (_name, props, code, message) => {
    let err: unknown;
    try {
      new MongoReplicaSet(chart(), 'mongo', props);
    } catch (e) {
      err = e;
    }
    expect(Errors.codeOf(err)).toBe(code);
    expect((err as Error).message).toBe(`test/mongo: ${message}`);
  });
});

describe('bind', () => {
  function client(c: Chart, id = 'app') {
    return new kplus.Deployment(c, id, { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
  }

  test('user, password from the Secret, database and a replica-set URI; the NetworkPolicy admits the workload', () => {
    const c = chart();
    const rs = new MongoReplicaSet(c, 'mongo', { users: [{ name: 'app', database: 'app' }, { name: 'ro', database: 'app', roles: [MongoRole.READ] }] });
    const app = client(c);
    rs.bind(app, { user: 'ro' });
    const objs = synthValidated(c, { externalSecrets: [rs.secretName] });
    const c0 = find(objs, 'Deployment', app.name).spec.template.spec.containers[0];
    expect(c0.env.map((e: any) => e.name)).toEqual(['MONGODB_USERNAME', 'MONGODB_PASSWORD', 'MONGODB_DATABASE', 'MONGODB_URI']);
    const env = envOf(c0);
    expect(env.MONGODB_USERNAME).toBe('ro');
    expect(env.MONGODB_PASSWORD).toEqual({ secretKeyRef: { name: 'mongo-credentials', key: 'ro-password' } });
    expect(env.MONGODB_URI).toBe(`mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@${hosts}/app?replicaSet=mongo&authSource=admin`);
    const rule = find(objs, 'NetworkPolicy', 'mongo').spec.ingress[1];
    expect(rule.ports).toEqual([{ port: 27017, protocol: 'TCP' }]);
    expect(rule.from[0].podSelector.matchLabels).toEqual(app.matchLabels);
  });

  test.each<[string, (r: MongoReplicaSet, c: Chart) => void, string, string]>([
    ['unknown user', (r, c) => r.bind(client(c), { user: 'x' }), 'MongoBindUserUnknown',
      "bind: user 'x' is not one of this replica set's users (app); add it to 'users'"],
    ['no containers', (r, c) => r.bind(new kplus.Deployment(c, 'empty')), 'MongoBindNoContainers',
      "bind: workload 'test/empty' has no containers yet; add them before calling bind()"],
    ['twice', (r, c) => { const w = client(c); r.bind(w); r.bind(w); }, 'MongoBindDuplicate',
      "bind: workload 'test/app' is bound to this replica set already; bind it once"],
    ['env set', (r, c) => { const w = client(c); w.containers[0].env.addVariable('MONGODB_URI', kplus.EnvValue.fromValue('x')); r.bind(w); },
      'MongoBindEnvConflict',
      "bind: container 'main' of 'test/app' already sets MONGODB_URI (bound to another replica set, or set by hand); bind one replica set per workload"],
    ['other namespace', (r, c) => r.bind(client(new Chart(c.node.root as App, 'other', { namespace: 'apps' }))), 'MongoBindCrossNamespace',
      "bind: 'other/app' is in namespace 'apps' and the replica set in 'db'; pods read Secrets of their own namespace only: bind workloads of the same namespace, " +
        "or copy the 'app-password' password into a Secret there and build the URI from replicaSet.connectionString"],
  ])('%s', (_name, fn, code, message) => {
    const c = chart();
    const r = new MongoReplicaSet(c, 'mongo');
    let err: unknown;
    try {
      fn(r, c);
    } catch (x) {
      err = x;
    }
    expect(Errors.codeOf(err)).toBe(code);
    expect((err as Error).message).toBe(`test/mongo: ${message}`);
  });
});

describe('UpgradeSafety', () => {
  const objs = (props: MongoReplicaSetProps) => mongo(props).objs;

  test('5 → 3 without removal: the stopped members stay voting members (mongoScaleDown, not quorumShrink)', () => {
    const findings = UpgradeSafety.check(objs({ replicas: 5 }), objs({ replicas: 3 }));
    expect(findings.map((f) => `${f.id} ${f.kind}/${f.name}`)).toEqual(['@cdk8s-stateful/policy:mongoScaleDown StatefulSet/mongo']);
    expect(findings[0].message).toBe('replicas 5 → 3: mongo-3 and mongo-4 stop but stay voting members of the replica set config (removeMembersOnScaleDown is off), ' +
      'so a primary still needs 3 of 5 with only 3 running — one more failure stops writes');
  });

  test('3 → 1 with removal: no majority is left to remove them', () => {
    const findings = UpgradeSafety.check(objs({ removeMembersOnScaleDown: true }), objs({ replicas: 1, removeMembersOnScaleDown: true }));
    expect(findings[0].message).toContain('leaving 1 of 3 voting members, fewer than a majority (2)');
  });

  test('growing, or the same set again, has no findings', () => {
    expect(UpgradeSafety.check(objs({}), objs({ replicas: 5 }))).toEqual([]);
    expect(UpgradeSafety.check(objs({}), objs({}))).toEqual([]);
  });
});

test('mongosh runs without log files or telemetry: /etc/mongosh.conf in both containers', () => {
  const { objs } = mongo();
  const sts = find(objs, 'StatefulSet', 'mongo');
  expect(find(objs, 'ConfigMap', 'mongo-scripts').data['mongosh.conf']).toBe('mongosh:\n  disableLogging: true\n  enableTelemetry: false\n  forceDisableTelemetry: true\n');
  for (const name of ['mongod', 'bootstrap']) {
    expect(container(sts, name).volumeMounts).toContainEqual({ name: 'scripts', mountPath: '/etc/mongosh.conf', subPath: 'mongosh.conf', readOnly: true });
  }
});
