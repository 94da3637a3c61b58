// assets/create-topic.sh, run as the synthesized topic Job runs it, against fake Kafka tools.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Stubs } from './stubs';
import { KafkaCluster, KafkaTls, KafkaTopicOptions } from '../../../src';
import { envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '../../../src/kafka/assets/create-topic.sh');

/** The topic Job's container as synthesized. */
function topicContainer(tls = false, options: KafkaTopicOptions = { partitions: 6, config: { 'retention.ms': '1000' } }): any {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const listeners = tls ? {
    tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(c, 'tls', 'kafka-tls'), {
      passwordSecret: kplus.Secret.fromSecretName(c, 'pw', 'kafka-tls-password'),
      clientSecret: kplus.Secret.fromSecretName(c, 'admin', 'kafka-admin-tls'),
    }),
  } : {};
  const kafka = new KafkaCluster(c, 'kafka', { listeners });
  const topic = kafka.addTopic('orders', options);
  const objs = synthValidated(c, { externalSecrets: ['kafka-tls', 'kafka-tls-password', 'kafka-admin-tls'] });
  return find(objs, 'Job', topic.job.name).spec.template.spec.containers[0];
}

/**
 * Runs the container's command and args with its env as the kubelet builds it: plain values with
 * `$(VAR)` expanded from the variables before them, POD_NAMESPACE from the downward API ('data'),
 * and `extra`.
 */
function runJob(stubs: Stubs, ctr: any, extra: { [k: string]: string } = {}) {
  const env: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(envOf(ctr))) {
    if (k === 'POD_NAMESPACE') env[k] = 'data';
    else if (typeof v === 'string') env[k] = v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => env[name] ?? m);
  }
  return stubs.run([...ctr.command, ...(ctr.args ?? [])], { ...env, ...extra });
}

/** kafka-broker-api-versions.sh prints one "(id: n ...)" line per broker that answers. */
const brokersUp = (n: number) => Array.from({ length: n }, (_, i) => `echo 'kafka-${i}:9094 (id: ${i} rack: null) -> ('`).join('\n');

let stubs: Stubs;
beforeEach(() => {
  stubs = new Stubs();
  stubs.add('sleep');
  // Emulates the tools: --describe prints <dir>/describe (the topic as it exists) if present.
  stubs.add('kafka-topics.sh', `case " $* " in *" --describe "*) [ ! -f "${stubs.dir}/describe" ] || cat "${stubs.dir}/describe" ;; *" --create "*) echo "Created topic" ;; esac`);
  stubs.add('kafka-configs.sh', 'echo "Completed updating config"');
});
afterEach(() => stubs.cleanup());

test('bash -n and shellcheck find nothing', () => {
  expect(spawnSync('bash', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', [ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
  expect(sc.status).toBe(0);
});

/** `kafka-topics.sh --describe` of an existing topic (Kafka 4.x layout). */
const describe = (partitions: number, rf: number, configs: string) => [
  `Topic: orders\tTopicId: Ax9VxXbRQzqW0QvWm4eU7g\tPartitionCount: ${partitions}\tReplicationFactor: ${rf}\tConfigs: ${configs}`,
  ...Array.from({ length: partitions }, (_, p) => `\tTopic: orders\tPartition: ${p}\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0\tElr: \tLastKnownElr: `),
].join('\n') + '\n';

const BOOTSTRAP = 'kafka-0.kafka-headless.data.svc.cluster.local:9094';

test('a missing topic: created with the spec from env, on the internal bootstrap list', () => {
  const ctr = topicContainer();
  expect(ctr.args).toBeUndefined();
  expect(envOf(ctr)).toMatchObject({ TOPIC: 'orders', PARTITIONS: '6', REPLICATION_FACTOR: '3', TOPIC_CONFIG: 'retention.ms=1000' });
  stubs.add('kafka-broker-api-versions.sh', brokersUp(3));
  const r = runJob(stubs, ctr);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const props = path.join(stubs.dir, 'client.properties');
  expect(stubs.calls('kafka-broker-api-versions.sh')).toEqual([['--bootstrap-server', BOOTSTRAP, '--command-config', props]]);
  expect(stubs.calls('kafka-topics.sh')).toEqual([
    ['--bootstrap-server', BOOTSTRAP, '--command-config', props, '--describe', '--if-exists', '--topic', 'orders'],
    ['--bootstrap-server', BOOTSTRAP, '--command-config', props, '--create', '--if-not-exists',
      '--topic', 'orders', '--partitions', '6', '--replication-factor', '3', '--config', 'retention.ms=1000'],
  ]);
  expect(stubs.calls('kafka-configs.sh')).toEqual([]);
  expect(r.stdout).toContain('topic orders: created with 6 partitions, replication factor 3');
  // PLAINTEXT: the client config is empty.
  expect(stubs.file('client.properties')).toBe('');
  expect(stubs.calls('sleep')).toEqual([]);
});

test('an existing topic as in the spec: nothing is changed', () => {
  stubs.add('kafka-broker-api-versions.sh', brokersUp(3));
  stubs.write('describe', describe(6, 3, 'retention.ms=1000'));
  const r = runJob(stubs, topicContainer());
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(stubs.calls('kafka-topics.sh').map((c) => c[4])).toEqual(['--describe']);
  expect(stubs.calls('kafka-configs.sh')).toEqual([]);
  expect(r.stdout).toContain('topic orders: 6 partitions, as in the spec');
  expect(r.stdout).toContain('topic orders: configs as in the spec');
});

test('an existing topic converges: partitions are added, changed configs set, undeclared ones left and logged', () => {
  stubs.add('kafka-broker-api-versions.sh', brokersUp(3));
  stubs.write('describe', describe(3, 3, 'cleanup.policy=compact,delete,retention.ms=5000,segment.ms=100'));
  const ctr = topicContainer(false, { partitions: 12, config: { 'retention.ms': '1000', 'cleanup.policy': 'compact,delete', 'x.y': 'a\\b' } });
  const r = runJob(stubs, ctr);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const props = path.join(stubs.dir, 'client.properties');
  expect(stubs.calls('kafka-topics.sh')[1]).toEqual(['--bootstrap-server', BOOTSTRAP, '--command-config', props, '--alter', '--topic', 'orders', '--partitions', '12']);
  const file = path.join(stubs.dir, 'topic-config.properties');
  expect(stubs.calls('kafka-configs.sh')).toEqual([[
    '--bootstrap-server', BOOTSTRAP, '--command-config', props, '--alter', '--entity-type', 'topics', '--entity-name', 'orders', '--add-config-file', file,
  ]]);
  // Only what differs; a value with commas stays whole, a backslash is escaped for the properties format.
  expect(stubs.file('topic-config.properties')).toBe('retention.ms=1000\nx.y=a\\\\b\n');
  expect(r.stdout).toContain('topic orders: partitions 3 -> 12');
  expect(r.stdout).toContain('topic orders: set retention.ms x.y');
  expect(r.stdout).toContain('topic orders: left as they are (not in the spec): segment.ms; remove with kafka-configs.sh --alter --delete-config');
});

test.each([
  ['fewer partitions', describe(8, 3, ''), 'topic orders: has 8 partitions, the spec asks for 6; Kafka cannot remove partitions: set partitions back to 8 (or more)'],
  ['another replication factor', describe(6, 2, ''), 'topic orders: replication factor is 2, the spec asks for 3; kafka-topics.sh cannot change it: move replicas with kafka-reassign-partitions.sh'],
])('%s: the Job fails with one clear line and changes nothing', (_, existing, line) => {
  stubs.add('kafka-broker-api-versions.sh', brokersUp(3));
  stubs.write('describe', existing);
  const r = runJob(stubs, topicContainer());
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(line);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(stubs.calls('kafka-topics.sh').map((c) => c[4])).toEqual(['--describe']);
  expect(stubs.calls('kafka-configs.sh')).toEqual([]);
});

test('a failing describe fails the Job (nothing is created blindly)', () => {
  stubs.add('kafka-broker-api-versions.sh', brokersUp(3));
  stubs.add('kafka-topics.sh', 'echo "TimeoutException" >&2; exit 1');
  const r = runJob(stubs, topicContainer());
  expect(r.status).toBe(1);
  expect(stubs.calls('kafka-topics.sh')).toHaveLength(1);
});

test('waits (10 s a try) until as many brokers answer as the replication factor', () => {
  const ctr = topicContainer();
  // 1 broker on the first try, 3 from the second on.
  stubs.add('kafka-broker-api-versions.sh', `if [ -f "${stubs.dir}/seen" ]; then\n${brokersUp(3)}\nelse touch "${stubs.dir}/seen"; ${brokersUp(1)}; fi`);
  const r = runJob(stubs, ctr);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('waiting for 3 brokers, 1 up (1/60)');
  expect(stubs.calls('sleep')).toEqual([['10']]);
  expect(stubs.calls('kafka-topics.sh')).toHaveLength(2);
});

test('gives up after 60 tries without creating anything (the Job retries)', () => {
  const ctr = topicContainer();
  stubs.add('kafka-broker-api-versions.sh', 'echo "connection refused" >&2; exit 1');
  const r = runJob(stubs, ctr);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('only 0 of 3 brokers answered at kafka-0.kafka-headless.data.svc.cluster.local:9094');
  expect(stubs.calls('sleep')).toHaveLength(59);
  expect(stubs.calls('kafka-topics.sh')).toEqual([]);
});

test('TLS: the client config points at the mounted PKCS#12 stores with the password from env', () => {
  const ctr = topicContainer(true);
  expect(envOf(ctr).TLS_STORE_PASSWORD).toEqual({ secretKeyRef: { name: 'kafka-tls-password', key: 'password' } });
  stubs.add('kafka-broker-api-versions.sh', brokersUp(3));
  const r = runJob(stubs, ctr, { TLS_STORE_PASSWORD: 's3cret' });
  expect(r.status).toBe(0);
  expect(stubs.file('client.properties').split('\n')).toEqual([
    'security.protocol=SSL',
    'ssl.keystore.type=PKCS12',
    'ssl.keystore.location=/etc/kafka/tls/keystore.p12',
    'ssl.keystore.password=s3cret',
    'ssl.truststore.type=PKCS12',
    'ssl.truststore.location=/etc/kafka/tls/truststore.p12',
    'ssl.truststore.password=s3cret',
    '',
  ]);
  expect(ctr.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/kafka/tls', readOnly: true });
});
