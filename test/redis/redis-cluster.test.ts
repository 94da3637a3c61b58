import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Credentials, Errors, RedisCluster, RedisClusterProps, RedisMaxMemoryPolicy, RedisPersistence, RedisVersion, Warnings,
} from '../../src';
import { ValidationError } from '../../src/core/errors';
import { container, envOf, find, synthValidated } from '../util/validate';

function chart(namespace: string | undefined = 'cache'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function synth(props: RedisClusterProps = {}) {
  const c = chart();
  const redis = new RedisCluster(c, 'redis', props);
  return { c, redis, objs: synthValidated(c) };
}

describe('defaults: 3 pods, each a server and a Sentinel, AOF, generated password', () => {
  const { redis, objs } = synth();
  const sts = find(objs, 'StatefulSet', 'redis');
  const server = container(sts, 'redis');
  const sentinel = container(sts, 'sentinel');

  test('snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('pinned official image, 3 Parallel pods, not-ready addresses published', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(server.image).toBe('docker.io/library/redis:7.4.6');
    expect(sentinel.image).toBe('docker.io/library/redis:7.4.6');
    expect(find(objs, 'Service', 'redis-headless').spec.publishNotReadyAddresses).toBe(true);
    expect(find(objs, 'PodDisruptionBudget', 'redis').spec.maxUnavailable).toBe(1);
  });

  test('restricted: uid 999, read-only root; config in an emptyDir, password only from the Secret', () => {
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    for (const c of sts.spec.template.spec.containers) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    const vols = sts.spec.template.spec.volumes;
    const conf = sentinel.volumeMounts.find((m: any) => m.mountPath === '/conf');
    expect(vols.find((v: any) => v.name === conf.name).emptyDir).toBeDefined();
    expect(vols.find((v: any) => v.name === 'credentials').secret.secretName).toBe('redis-credentials');
    expect(envOf(server).PASSWORD_FILE).toBe('/secrets/password');
    // No ConfigMap holds a password: the scripts read the mounted file.
    for (const cm of objs.filter((o) => o.kind === 'ConfigMap')) expect(JSON.stringify(cm.data)).not.toMatch(/requirepass "[^$]/);
    expect(redis.secretGenerator?.secretName).toBe('redis-credentials');
  });

  test('maxmemory is 75% of the 512 MiB limit; AOF everysec; noeviction', () => {
    const env = envOf(server);
    expect(env.MAXMEMORY).toBe(`${Math.floor(512 * 1024 * 1024 * 0.75)}`);
    expect(env.PERSISTENCE).toBe('aof');
    expect(env.MAXMEMORY_POLICY).toBe('noeviction');
  });

  test('Sentinel: majority quorum, 30 s down-after, 3 min failover timeout; probes use the probe script', () => {
    const env = envOf(sentinel);
    expect(env).toMatchObject({ QUORUM: '2', DOWN_AFTER_MS: '30000', FAILOVER_TIMEOUT_MS: '180000', MASTER_NAME: 'mymaster' });
    expect(sentinel.readinessProbe.exec.command).toEqual(['sh', '/scripts/redis-probe.sh', '26379', 'ready']);
    expect(server.livenessProbe.exec.command).toEqual(['sh', '/scripts/redis-probe.sh', '6379', 'live']);
  });

  test('client Service has both ports; -primary selects role=primary; the Role patches these pods only', () => {
    expect(find(objs, 'Service', 'redis').spec.ports.map((p: any) => p.port)).toEqual([6379, 26379]);
    const primary = find(objs, 'Service', 'redis-primary');
    expect(primary.spec.selector.role).toBe('primary');
    expect(primary.spec.ports.map((p: any) => p.port)).toEqual([6379]);
    expect(find(objs, 'Role', 'redis').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['patch'], resourceNames: ['redis-0', 'redis-1', 'redis-2'] },
    ]);
    expect(container(sts, 'role-labeler').command).toEqual(['python3', '/scripts/role-labeler.py']);
    expect(redis.endpoint).toEqual({ host: 'redis-primary.cache.svc.cluster.local', port: 6379 });
    expect(Warnings.of(redis).ids()).toEqual([]);
  });
});

test('primaryService off: no Role, no token, no labeler, endpoint is the client Service', () => {
  const { redis, objs } = synth({ primaryService: false });
  const sts = find(objs, 'StatefulSet', 'redis');
  expect(objs.some((o) => o.kind === 'Role' && o.metadata.name === 'redis')).toBe(false);
  expect(sts.spec.template.spec.automountServiceAccountToken).toBe(false);
  expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['redis', 'sentinel']);
  expect(redis.endpoint.host).toBe('redis.cache.svc.cluster.local');
});

test('persistence, policy, percent, timing, quorum, version and a Valkey image', () => {
  const { objs } = synth({
    persistence: RedisPersistence.RDB,
    maxMemoryPolicy: RedisMaxMemoryPolicy.ALLKEYS_LRU,
    maxMemoryPercent: 50,
    resources: { memory: { limit: Size.gibibytes(2) } },
    downAfter: Duration.seconds(5),
    quorum: 3,
    version: RedisVersion.of('7.4.7'),
    image: 'docker.io/valkey/valkey:8.1.4',
    masterName: 'sessions',
  });
  const sts = find(objs, 'StatefulSet', 'redis');
  expect(envOf(container(sts, 'redis'))).toMatchObject({ PERSISTENCE: 'rdb', MAXMEMORY_POLICY: 'allkeys-lru', MAXMEMORY: `${1024 * 1024 * 1024}` });
  expect(envOf(container(sts, 'sentinel'))).toMatchObject({ QUORUM: '3', DOWN_AFTER_MS: '5000', MASTER_NAME: 'sessions' });
  expect(container(sts, 'redis').image).toBe('docker.io/valkey/valkey:8.1.4');
  expect(sts.metadata.labels['app.kubernetes.io/version']).toBe('7.4.7');
});

test('warnings: fewer than 3 pods, no memory limit', () => {
  const { redis, objs } = synth({ replicas: 1, resources: { cpu: { request: kplus.Cpu.millis(100) } } });
  expect(Warnings.of(redis).ids()).toEqual(['@cdk8s-stateful/redis:noFailover', '@cdk8s-stateful/redis:noMemoryLimit']);
  expect(envOf(container(find(objs, 'StatefulSet', 'redis'), 'redis')).MAXMEMORY).toBe('0');
});

describe('bind', () => {
  test('same namespace: Sentinels, master name, primary host, password from the Secret, NetworkPolicy', () => {
    const c = chart();
    const redis = new RedisCluster(c, 'redis');
    const app = new kplus.Deployment(c, 'app', { containers: [{ image: 'nginx:1.27.3', portNumber: 8080 }] });
    redis.bind(app);
    const objs = synthValidated(c);
    const env = envOf(find(objs, 'Deployment', app.name).spec.template.spec.containers[0]);
    expect(env.REDIS_SENTINELS).toBe('redis-0.redis-headless:26379,redis-1.redis-headless:26379,redis-2.redis-headless:26379');
    expect(env.REDIS_MASTER_NAME).toBe('mymaster');
    expect(env.REDIS_HOST).toBe('redis-primary');
    expect(env.REDIS_PORT).toBe('6379');
    expect(env.REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'redis-credentials', key: 'password' } });
    const np = find(objs, 'NetworkPolicy', 'redis');
    expect(JSON.stringify(np.spec.ingress)).toContain('26379');
  });

  test('another namespace needs a Secret there, and gets qualified names', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'cache' });
    const b = new Chart(app, 'b', { namespace: 'web' });
    const redis = new RedisCluster(a, 'redis');
    const dep = new kplus.Deployment(b, 'app', { containers: [{ image: 'nginx:1.27.3', portNumber: 8080 }] });
    expect(() => redis.bind(dep)).toThrow(/RedisBindCrossNamespace|pods read Secrets of their own namespace only/);
    redis.bind(dep, { credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(b, 'Pw', 'redis-pw')) });
    const env = dep.containers[0].env.variables;
    expect(env.REDIS_SENTINELS.value).toContain('redis-0.redis-headless.cache.svc.cluster.local:26379');
    expect(env.REDIS_HOST.value).toBe('redis-primary.cache.svc.cluster.local');
  });
});

const BAD_PROPS: Array<[string, RedisClusterProps, string, string]> = [
  ['zero replicas', { replicas: 0 }, 'replicas must be a whole number ≥ 1, got 0', 'RedisReplicasInvalid'],
  ['fractional replicas', { replicas: 2.5 }, 'replicas must be a whole number ≥ 1, got 2.5', 'RedisReplicasInvalid'],
  ['quorum above the Sentinels', { quorum: 4 }, 'quorum must be a whole number from 1 to replicas (3), got 4', 'RedisQuorumInvalid'],
  ['zero quorum', { quorum: 0 }, 'quorum must be a whole number from 1 to replicas (3), got 0', 'RedisQuorumInvalid'],
  ['percent 0', { maxMemoryPercent: 0 }, 'maxMemoryPercent must be a whole number from 1 to 100, got 0', 'RedisMaxMemoryPercentInvalid'],
  ['percent 150', { maxMemoryPercent: 150 }, 'maxMemoryPercent must be a whole number from 1 to 100, got 150', 'RedisMaxMemoryPercentInvalid'],
  ['master name with a space', { masterName: 'my master' }, "masterName 'my master' is invalid", 'RedisMasterNameInvalid'],
  ['down-after below a second', { downAfter: Duration.millis(500) }, 'downAfter must be whole milliseconds of at least 1 second, got 500 ms', 'RedisSentinelTimingInvalid'],
  ['failover timeout below a second', { failoverTimeout: Duration.millis(10) }, 'failoverTimeout must be whole milliseconds of at least 1 second, got 10 ms', 'RedisSentinelTimingInvalid'],
  ['not a version', { version: RedisVersion.of('latest') }, "version 'latest' is not a Redis release", 'RedisVersionInvalid'],
];

test.each(BAD_PROPS)('%s → ValidationError', (_, props, message, code) => {
  let err: unknown;
  try {
    new RedisCluster(chart(), 'redis', props);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as Error).message).toContain(message);
  expect(Errors.codeOf(err)).toBe(code);
});

test('bind errors', () => {
  const c = chart();
  const redis = new RedisCluster(c, 'redis');
  const empty = new kplus.Deployment(c, 'empty');
  expect(() => redis.bind(empty)).toThrow(/has no containers yet/);
  const app = new kplus.Deployment(c, 'app', { containers: [{ image: 'nginx:1.27.3', portNumber: 8080 }] });
  expect(() => redis.bind(app, { credentials: Credentials.generate() })).toThrow(/not Credentials.generate\(\)/);
  redis.bind(app);
  expect(() => redis.bind(app)).toThrow(/already sets REDIS_SENTINELS/);
});
