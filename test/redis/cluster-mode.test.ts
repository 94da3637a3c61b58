// RedisCluster in cluster mode (sharded): one StatefulSet of shards × (1 + replicasPerShard)
// pods announcing their DNS names, the bus port, and the create Job. The runtime tier
// (test/runtime/redis-sharded.test.ts) runs this output.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, RedisCluster, RedisClusterProps, RedisMode, RedisVersion, Warnings } from '../../src';
import { ValidationError } from '../../src/core/errors';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

function synth(props: RedisClusterProps = {}) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'cache' });
  const redis = new RedisCluster(c, 'redis', { mode: RedisMode.cluster(), ...props });
  return { c, redis, objs: synthValidated(c) };
}

describe('RedisMode.cluster() defaults: 3 shards × 1 replica', () => {
  const { redis, objs } = synth();
  const sts = find(objs, 'StatefulSet', 'redis');
  const server = container(sts, 'redis');
  const job = ofKind(objs, 'Job').find((j) => j.metadata.name.startsWith('redis-cluster-'));

  test('one StatefulSet of 6 Parallel pods, the server alone (no Sentinel, no labeler)', () => {
    expect(redis.mode.isCluster).toBe(true);
    expect(sts.spec.replicas).toBe(6);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['redis']);
    expect(server.command).toEqual(['sh', '/scripts/redis-cluster-start.sh']);
    expect(server.image).toBe('docker.io/library/redis:7.4.6');
    expect(redis.primaryService).toBeUndefined();
    expect(ofKind(objs, 'Role').filter((r) => r.metadata.name === 'redis')).toEqual([]);
    expect(redis.quorum).toBe(0);
    expect(redis.sentinelAddresses()).toEqual([]);
  });

  test('ports 6379 and the bus 16379 on the pods and the headless Service; clients get 6379', () => {
    expect(server.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['redis', 6379], ['bus', 16379]]);
    const headless = find(objs, 'Service', 'redis-headless');
    expect(headless.spec.ports.map((p: any) => p.port)).toEqual([6379, 16379]);
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(find(objs, 'Service', 'redis').spec.ports.map((p: any) => p.port)).toEqual([6379]);
  });

  test('NetworkPolicy: the pods reach each other on every port; the create Job reaches 6379', () => {
    const np = find(objs, 'NetworkPolicy', 'redis');
    expect(np.spec.ingress[0]).toEqual({ from: [{ podSelector: { matchLabels: sts.spec.selector.matchLabels } }] });
    const fromJob = np.spec.ingress.find((r: any) => r.from[0].podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'cluster-create');
    expect(fromJob.ports).toEqual([{ port: 6379, protocol: 'TCP' }]);
    expect(job.spec.template.metadata.labels).toMatchObject(fromJob.from[0].podSelector.matchLabels);
  });

  test('server env: node timeout, nodes.conf on the data volume, password from the file', () => {
    const env = envOf(server);
    expect(env).toMatchObject({
      NODE_TIMEOUT_MS: '15000', BUS_PORT: '16379', DATA_DIR: '/data', HEADLESS: 'redis-headless', PASSWORD_FILE: '/secrets/password', PERSISTENCE: 'aof',
    });
    const scripts = find(objs, 'ConfigMap', 'redis-scripts').data;
    expect(Object.keys(scripts).sort()).toEqual(['redis-cluster-start.sh', 'redis-probe.sh']);
    for (const line of ['cluster-enabled yes', 'cluster-config-file $nodes', 'cluster-announce-hostname $self', 'cluster-preferred-endpoint-type hostname',
      'cluster-port $BUS_PORT', 'masterauth "$REDISCLI_AUTH"']) {
      expect(scripts['redis-cluster-start.sh']).toContain(line);
    }
  });

  test('the create Job: same image, uid 999, password mounted, shape in env, name keyed by a hash', () => {
    expect(redis.createJob?.name).toBe(job.metadata.name);
    expect(job.metadata.name).toMatch(/^redis-cluster-[0-9a-f]{8}$/);
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toBe('docker.io/library/redis:7.4.6');
    expect(c.command.slice(0, 2)).toEqual(['bash', '-ec']);
    expect(c.command[2]).toContain('--cluster create');
    expect(c.command[2]).toContain('--cluster-use-empty-masters');
    expect(job.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, runAsNonRoot: true });
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(envOf(c)).toMatchObject({ SHARDS: '3', REPLICAS_PER_SHARD: '1', NAME: 'redis', ORDINALS_START: '0', PASSWORD_FILE: '/secrets/password' });
    expect(job.spec.template.spec.volumes[0].secret.secretName).toBe('redis-credentials');
  });

  test('a new shape is a new Job; the same shape the same Job', () => {
    const again = synth();
    const bigger = synth({ mode: RedisMode.cluster({ shards: 4 }) });
    const name = (o: any[]) => ofKind(o, 'Job').find((j) => j.metadata.name.startsWith('redis-cluster-')).metadata.name;
    expect(name(again.objs)).toBe(job.metadata.name);
    expect(name(bigger.objs)).not.toBe(job.metadata.name);
    expect(find(bigger.objs, 'StatefulSet', 'redis').spec.replicas).toBe(8);
  });
});

test('shape, node timeout and a Valkey image', () => {
  const { redis, objs } = synth({
    mode: RedisMode.cluster({ shards: 5, replicasPerShard: 2, nodeTimeout: Duration.seconds(5) }),
    image: 'docker.io/valkey/valkey:8.1.4',
    resources: { memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } },
  });
  const sts = find(objs, 'StatefulSet', 'redis');
  expect(sts.spec.replicas).toBe(15);
  expect(envOf(container(sts, 'redis')).NODE_TIMEOUT_MS).toBe('5000');
  expect(container(sts, 'redis').image).toBe('docker.io/valkey/valkey:8.1.4');
  expect(redis.createJob?.toJson().spec.template.spec.containers[0].image).toBe('docker.io/valkey/valkey:8.1.4');
  expect(redis.clusterNodes()).toHaveLength(15);
});

test('bind: cluster-aware seeds, the client Service, the password; port 6379 only', () => {
  const { c, redis } = synth();
  const web = new kplus.Deployment(c, 'web', { containers: [{ image: 'docker.io/library/nginx:1.27.3', portNumber: 8080 }] });
  redis.bind(web);
  const objs = synthValidated(c);
  const env = envOf(ofKind(objs, 'Deployment')[0].spec.template.spec.containers[0]);
  expect(env.REDIS_CLUSTER_NODES).toBe(Array.from({ length: 6 }, (_, i) => `redis-${i}.redis-headless:6379`).join(','));
  expect(env.REDIS_HOST).toBe('redis');
  expect(env.REDIS_PORT).toBe('6379');
  expect(env.REDIS_SENTINELS).toBeUndefined();
  const np = find(objs, 'NetworkPolicy', 'redis');
  const rule = np.spec.ingress[np.spec.ingress.length - 1];
  expect(rule.from[0].podSelector.matchLabels).toEqual(ofKind(objs, 'Deployment')[0].spec.selector.matchLabels);
  expect(rule.ports).toEqual([{ port: 6379, protocol: 'TCP' }]);
});

test('no replicas per shard: a warning', () => {
  const { redis } = synth({ mode: RedisMode.cluster({ replicasPerShard: 0 }) });
  expect(Warnings.of(redis).ids()).toContain('@cdk8s-stateful/redis:noClusterFailover');
});

const BAD: Array<[string, RedisClusterProps, string, string]> = [
  ['2 shards', { mode: RedisMode.cluster({ shards: 2 }) }, 'shards must be a whole number from 3 to 1000', 'RedisClusterShardsInvalid'],
  ['fractional shards', { mode: RedisMode.cluster({ shards: 3.5 }) }, 'got 3.5', 'RedisClusterShardsInvalid'],
  ['negative replicas per shard', { mode: RedisMode.cluster({ replicasPerShard: -1 }) }, 'replicasPerShard must be a whole number from 0 to 5, got -1', 'RedisClusterReplicasPerShardInvalid'],
  ['node timeout below a second', { mode: RedisMode.cluster({ nodeTimeout: Duration.millis(200) }) }, 'nodeTimeout must be whole milliseconds of at least 1 second', 'RedisClusterNodeTimeoutInvalid'],
  ['Sentinel replicas', { mode: RedisMode.cluster(), replicas: 6 }, "replicas is Sentinel mode's", 'RedisClusterSentinelProps'],
  ['Sentinel quorum and master name', { mode: RedisMode.cluster(), quorum: 2, masterName: 'x' }, "masterName, quorum are Sentinel mode's", 'RedisClusterSentinelProps'],
  ['Redis 6', { mode: RedisMode.cluster(), version: RedisVersion.of('6.2.14') }, 'cluster mode needs Redis 7 or later', 'RedisClusterVersionTooOld'],
  ['a name too long for the Job', { mode: RedisMode.cluster(), name: 'r'.repeat(47) }, 'needs it to be at most 46', 'RedisClusterNameTooLong'],
];

test.each(BAD)('%s → ValidationError', (_, props, message, code) => {
  let err: unknown;
  try {
    new RedisCluster(new Chart(Testing.app(), 'test'), 'redis', props);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as Error).message).toContain(message);
  expect(Errors.codeOf(err)).toBe(code);
});

describe('assets/redis-cluster-start.sh (stubbed redis-server and getent)', () => {
  test('renders the cluster config and refreshes peer IPs in nodes.conf from their host names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-cluster-start-'));
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'pw'), 'secret');
    fs.writeFileSync(path.join(bin, 'getent'), '#!/bin/sh\n[ "$2" = r-1.h.ns.svc.cluster.local ] && echo "10.9.9.9 $2"\nexit 0\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'server'), '#!/bin/sh\ncat "$1"\n', { mode: 0o755 });
    const nodes = [
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 10.0.0.1:6379@16379,r-0.h.ns.svc.cluster.local myself,master - 0 0 1 connected 0-5460',
      'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 10.0.0.2:6379@16379,r-1.h.ns.svc.cluster.local,tls-port=0 slave aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 1 1 connected',
      'vars currentEpoch 6 lastVoteEpoch 0',
    ];
    fs.writeFileSync(path.join(dir, 'data', 'nodes.conf'), `${nodes.join('\n')}\n`);
    const script = path.join(__dirname, '../../src/redis/assets/redis-cluster-start.sh');
    const out = execFileSync('sh', [script], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        REDIS_SERVER: 'server',
        POD_NAME: 'r-0',
        POD_NAMESPACE: 'ns',
        HEADLESS: 'h',
        CLUSTER_DOMAIN: 'cluster.local',
        PASSWORD_FILE: path.join(dir, 'pw'),
        CONF_DIR: path.join(dir, 'conf'),
        DATA_DIR: path.join(dir, 'data'),
        REDIS_PORT: '6379',
        BUS_PORT: '16379',
        NODE_TIMEOUT_MS: '3000',
        PERSISTENCE: 'rdb',
        MAXMEMORY: '100',
        MAXMEMORY_POLICY: 'noeviction',
      },
    });
    expect(out).toContain('peer addresses refreshed');
    expect(out).toContain('cluster-announce-hostname r-0.h.ns.svc.cluster.local');
    expect(out).toContain('cluster-node-timeout 3000');
    expect(out).toContain('save 3600 1 300 100 60 10000');
    const after = fs.readFileSync(path.join(dir, 'data', 'nodes.conf'), 'utf8').split('\n');
    expect(after[0]).toBe(nodes[0]);
    expect(after[1]).toBe(nodes[1].replace('10.0.0.2', '10.9.9.9'));
    expect(after[2]).toBe(nodes[2]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('assets/redis-cluster-create.sh (stubbed redis-cli and getent)', () => {
  // The stub answers like 6 nodes: all new (STATE fresh) until `--cluster create`, then a formed 3 × 1 cluster.
  const STUB = `#!/bin/bash
echo "$*" >> "$STUB_DIR/calls"
state=$(cat "$STUB_DIR/state")
case "$*" in
  *"--cluster create"*) echo formed > "$STUB_DIR/state"; exit 0 ;;
  *"--cluster check"*) exit 0 ;;
  *"--cluster rebalance"*) echo '*** No rebalancing needed! All nodes are within the 2.00% threshold.'; exit 0 ;;
  *PING) echo PONG ;;
  *"CLUSTER INFO")
    if [ "$state" = fresh ]; then printf 'cluster_state:fail\\r\\ncluster_known_nodes:1\\r\\ncluster_slots_assigned:0\\r\\n'
    else printf 'cluster_state:ok\\r\\ncluster_known_nodes:6\\r\\ncluster_slots_assigned:16384\\r\\ncluster_slots_ok:16384\\r\\n'; fi ;;
  *"CLUSTER NODES")
    for i in 0 1 2; do echo "m$i 10.0.0.$i:6379@16379,r-$i.h.ns.svc.cluster.local master - 0 0 1 connected $((i * 5461))-$((i * 5461 + 5460))"; done
    for i in 3 4 5; do echo "s$i 10.0.0.$i:6379@16379,r-$i.h.ns.svc.cluster.local slave m$((i - 3)) 0 0 1 connected"; done ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`;
  function run(state: 'fresh' | 'formed') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-cluster-create-'));
    fs.writeFileSync(path.join(dir, 'redis-cli'), STUB, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'getent'), '#!/bin/sh\nn=${2#r-}; echo "10.0.0.${n%%.*} $2"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'state'), state);
    fs.writeFileSync(path.join(dir, 'pw'), 'secret');
    const script = path.join(__dirname, '../../src/redis/assets/redis-cluster-create.sh');
    const out = execFileSync('bash', ['-e', script], {
      encoding: 'utf8',
      env: {
        PATH: `${dir}:/usr/bin:/bin`,
        STUB_DIR: dir,
        NAME: 'r',
        HEADLESS: 'h',
        POD_NAMESPACE: 'ns',
        CLUSTER_DOMAIN: 'cluster.local',
        ORDINALS_START: '0',
        SHARDS: '3',
        REPLICAS_PER_SHARD: '1',
        REDIS_PORT: '6379',
        PASSWORD_FILE: path.join(dir, 'pw'),
        WAIT_SECONDS: '5',
      },
    });
    const calls = fs.readFileSync(path.join(dir, 'calls'), 'utf8').split('\n');
    fs.rmSync(dir, { recursive: true, force: true });
    return { out, calls };
  }

  test('six new nodes: one `--cluster create` of every pod by IP, with the replica count', () => {
    const { out, calls } = run('fresh');
    expect(out).toContain('creating a cluster of 3 primaries with 1 replicas each');
    const creates = calls.filter((c) => c.includes('--cluster create'));
    expect(creates).toEqual([`--no-auth-warning --cluster create ${[0, 1, 2, 3, 4, 5].map((i) => `10.0.0.${i}:6379`).join(' ')} --cluster-replicas 1 --cluster-yes`]);
    expect(out).toContain('cluster ok: 6 nodes, 3 primaries, 16384 slots ok');
  });

  test('a formed cluster: no create, no add-node; the balanced rebalance changes nothing', () => {
    const { out, calls } = run('formed');
    expect(calls.some((c) => c.includes('--cluster create') || c.includes('add-node'))).toBe(false);
    expect(out).toContain('nothing to do: every node is in the cluster and the slots are balanced');
  });
});
