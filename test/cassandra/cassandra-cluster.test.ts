import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CassandraCluster, CassandraClusterProps, CassandraVersion, Errors, UpgradeSafety, Warnings } from '../../src';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

function cass(props: CassandraClusterProps = {}, namespace: string | null = 'events') {
  const c = new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
  const cluster = new CassandraCluster(c, 'cass', props);
  return { c, cluster, objs: synthValidated(c) };
}

describe('defaults: 3 nodes on the official image, authentication on', () => {
  const { cluster, objs } = cass({ keyspaces: [{ name: 'telemetry' }] });
  const sts = find(objs, 'StatefulSet', 'cass');
  const main = container(sts, 'cassandra');
  const env = envOf(main);
  const yaml: string = find(objs, 'ConfigMap', 'cass-config').data['cassandra.yaml'];

  test('snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('image, Parallel, start script, restricted uid 999, drain before stop', () => {
    expect(main.image).toBe('docker.io/library/cassandra:5.0.3');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(main.command).toEqual(['bash', '/opt/cdk8s-stateful/cassandra/start.sh']);
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    expect(main.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(main.lifecycle.preStop.exec.command).toEqual(['bash', '-c', 'CASSANDRA_CONF=/etc/cassandra-conf nodetool -h 127.0.0.1 drain']);
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(120);
  });

  test('seeds: the first three nodes by stable DNS name; pod IP for listen/broadcast', () => {
    expect(env.SEEDS).toBe([0, 1, 2].map((i) => `cass-${i}.cass-headless.$(POD_NAMESPACE).svc.cluster.local`).join(','));
    expect(env.POD_IP).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    expect(yaml).toContain('listen_address: @POD_IP@');
    expect(yaml).toContain('      - seeds: "@SEEDS@"');
  });

  test('cassandra.yaml: required settings, 4.1+ names, PasswordAuthenticator as a 5.0 ParameterizedClass, GossipingPropertyFileSnitch', () => {
    for (const line of ['partitioner: org.apache.cassandra.dht.Murmur3Partitioner', 'commitlog_sync: periodic', 'commitlog_sync_period: 10000ms',
      'authorizer: CassandraAuthorizer', 'endpoint_snitch: GossipingPropertyFileSnitch', 'num_tokens: 16', "cluster_name: 'cass'"]) {
      expect(yaml.split('\n')).toContain(line);
    }
    expect(yaml).toContain('authenticator:\n  class_name: org.apache.cassandra.auth.PasswordAuthenticator');
  });

  test('heap: half the 8Gi limit, new size 800M (cassandra-env.sh pair)', () => {
    expect([env.MAX_HEAP_SIZE, env.HEAP_NEWSIZE]).toEqual(['4096M', '800M']);
  });

  test('auth Job: named by a hash of its spec, admin and role passwords from the generated Secret', () => {
    const job = ofKind(objs, 'Job').find((j) => j.metadata.name.startsWith('cass-auth-'));
    expect(job.metadata.name).toMatch(/^cass-auth-[0-9a-f]{8}$/);
    const jenv = envOf(job.spec.template.spec.containers[0]);
    expect(jenv.KEYSPACES).toBe('telemetry:3:telemetry:telemetry-password');
    expect(jenv.ADMIN_PASSWORD_FILE).toBe('/etc/cassandra-passwords/admin-password');
    expect(jenv.HOST).toBe('cass-client');
    expect(cluster.endpoint).toEqual({ host: 'cass-client.events.svc.cluster.local', port: 9042 });
  });

  test('no warnings', () => {
    expect(Warnings.of(cluster).ids()).toEqual([]);
  });
});

test('4.1: authenticator as a class name', () => {
  const { objs } = cass({ version: CassandraVersion.V4_1_8 });
  expect(find(objs, 'ConfigMap', 'cass-config').data['cassandra.yaml']).toContain('\nauthenticator: PasswordAuthenticator\n');
});

test('rackFromNodeLabel: an init container reads the zone label; LOCALITY_FILE', () => {
  const { objs } = cass({ rackFromNodeLabel: 'topology.kubernetes.io/zone' });
  const sts = find(objs, 'StatefulSet', 'cass');
  expect(envOf(sts.spec.template.spec.initContainers[0]).LABELS).toBe('rack=topology.kubernetes.io/zone');
  expect(envOf(container(sts, 'cassandra')).LOCALITY_FILE).toBe('/etc/cassandra-rack/node-labels');
  expect(find(objs, 'ClusterRole', 'events-cass-node-reader').rules[0].verbs).toEqual(['get']);
});

test('bind: CQL env with the keyspace role and a NetworkPolicy rule', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'events' });
  const cluster = new CassandraCluster(c, 'cass', { keyspaces: [{ name: 'telemetry', role: 'ingest', replicationFactor: 2 }] });
  const app = new kplus.Deployment(c, 'ingest', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
  cluster.bind(app);
  const objs = synthValidated(c);
  const env = envOf(ofKind(objs, 'Deployment')[0].spec.template.spec.containers[0]);
  expect(env.CASSANDRA_CONTACT_POINTS).toBe('cass-client');
  expect(env.CASSANDRA_LOCAL_DC).toBe('dc1');
  expect(env.CASSANDRA_USERNAME).toBe('ingest');
  expect(env.CASSANDRA_PASSWORD).toEqual({ secretKeyRef: { name: 'cass-credentials', key: 'ingest-password' } });
  expect(() => cluster.bind(app)).toThrow(/bound to this cluster already/);
});

test('UpgradeSafety flags scale-in (decommission first) and not scale-out', () => {
  const shrink = UpgradeSafety.check(cass({ replicas: 5 }).objs, cass({ replicas: 3 }).objs).filter((f) => f.id.endsWith('quorumShrink'));
  expect(shrink.map((f) => `${f.kind}/${f.name}`)).toEqual(['StatefulSet/cass']);
  expect(UpgradeSafety.check(cass({ replicas: 3 }).objs, cass({ replicas: 5 }).objs).filter((f) => f.id.endsWith('quorumShrink'))).toEqual([]);
});

test('one node warns', () => {
  expect(Warnings.of(cass({ replicas: 1 }).cluster).ids()).toEqual(['@cdk8s-stateful/cassandra:fewNodes']);
});

const bad: Array<[string, CassandraClusterProps, string]> = [
  ['CassandraVersionInvalid', { version: CassandraVersion.of('4.0.16') }, "version '4.0.16'"],
  ['CassandraVersionInvalid', { version: CassandraVersion.of('5') }, "version '5'"],
  ['CassandraReplicasInvalid', { replicas: 0 }, 'got 0'],
  ['CassandraNumTokensInvalid', { numTokens: 0 }, 'got 0'],
  ['CassandraDatacenterInvalid', { datacenter: 'dc 1' }, "datacenter 'dc 1'"],
  ['CassandraRackLabelInvalid', { rackFromNodeLabel: 'not a label' }, "'not a label'"],
  ['CassandraKeyspaceInvalid', { keyspaces: [{ name: 'System' }] }, "keyspace 'System'"],
  ['CassandraKeyspaceInvalid', { keyspaces: [{ name: 'system_auth' }] }, "keyspace 'system_auth'"],
  ['CassandraKeyspaceInvalid', { keyspaces: [{ name: 'a', role: 'cassandra' }] }, "role 'cassandra'"],
  ['CassandraKeyspaceInvalid', { keyspaces: [{ name: 'a' }, { name: 'a' }] }, 'listed twice'],
  ['CassandraReplicationFactorInvalid', { keyspaces: [{ name: 'a', replicationFactor: 4 }] }, 'got 4'],
  ['CassandraMemoryTooSmall', { resources: { memory: { limit: Size.gibibytes(1) } } }, 'heap of 512Mi'],
];
test.each(bad)('%s: %j', (code, props, message) => {
  let err: unknown;
  try {
    cass(props);
  } catch (e) { err = e; }
  expect(Errors.isValidationError(err)).toBe(true);
  expect(Errors.codeOf(err)).toBe(code);
  expect((err as Error).message).toContain(message);
});

test('rackFromNodeLabel without a chart namespace', () => {
  expect(() => cass({ rackFromNodeLabel: 'topology.kubernetes.io/zone' }, null)).toThrow(/set `namespace` on the chart/);
});
