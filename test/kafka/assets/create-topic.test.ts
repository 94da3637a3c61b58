// assets/create-topic.sh, run as the synthesized topic Job runs it, against fake Kafka tools.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Stubs } from './stubs';
import { KafkaCluster, KafkaTls } from '../../../src';
import { envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '../../../src/kafka/assets/create-topic.sh');

/** The topic Job's container as synthesized. */
function topicContainer(tls = false): any {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const listeners = tls ? {
    tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(c, 'tls', 'kafka-tls'), {
      passwordSecret: kplus.Secret.fromSecretName(c, 'pw', 'kafka-tls-password'),
    }),
  } : {};
  const kafka = new KafkaCluster(c, 'kafka', { listeners });
  const topic = kafka.addTopic('orders', { partitions: 6, config: { 'retention.ms': '1000' } });
  const objs = synthValidated(c, { externalSecrets: ['kafka-tls', 'kafka-tls-password'] });
  return find(objs, 'Job', topic.job.name).spec.template.spec.containers[0];
}

/** Runs the container's command and args with its plain env values (and `extra`). */
function runJob(stubs: Stubs, ctr: any, extra: { [k: string]: string } = {}) {
  const env: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(envOf(ctr))) if (typeof v === 'string') env[k] = v;
  return stubs.run([...ctr.command, ...ctr.args], { ...env, ...extra });
}

/** kafka-broker-api-versions.sh prints one "(id: n ...)" line per broker that answers. */
const brokersUp = (n: number) => Array.from({ length: n }, (_, i) => `echo 'kafka-${i}:9094 (id: ${i} rack: null) -> ('`).join('\n');

let stubs: Stubs;
beforeEach(() => {
  stubs = new Stubs();
  stubs.add('sleep');
  stubs.add('kafka-topics.sh', 'echo "Created topic"');
});
afterEach(() => stubs.cleanup());

test('bash -n and shellcheck find nothing', () => {
  expect(spawnSync('bash', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', [ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
  expect(sc.status).toBe(0);
});

test('enough brokers: creates the topic with --if-not-exists and the Job args, on the internal bootstrap list', () => {
  const ctr = topicContainer();
  stubs.add('kafka-broker-api-versions.sh', brokersUp(3));
  const r = runJob(stubs, ctr);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const bootstrap = [0, 1, 2].map((i) => `kafka-${i}.kafka-headless.data.svc.cluster.local:9094`).join(',');
  const props = path.join(stubs.dir, 'client.properties');
  expect(stubs.calls('kafka-broker-api-versions.sh')).toEqual([['--bootstrap-server', bootstrap, '--command-config', props]]);
  expect(stubs.calls('kafka-topics.sh')).toEqual([[
    '--bootstrap-server', bootstrap, '--command-config', props, '--create', '--if-not-exists',
    '--topic', 'orders', '--partitions', '6', '--replication-factor', '3', '--config', 'retention.ms=1000',
  ]]);
  // PLAINTEXT: the client config is empty.
  expect(stubs.file('client.properties')).toBe('');
  expect(stubs.calls('sleep')).toEqual([]);
});

test('waits (10 s a try) until as many brokers answer as the replication factor', () => {
  const ctr = topicContainer();
  // 1 broker on the first try, 3 from the second on.
  stubs.add('kafka-broker-api-versions.sh', `if [ -f "${stubs.dir}/seen" ]; then\n${brokersUp(3)}\nelse touch "${stubs.dir}/seen"; ${brokersUp(1)}; fi`);
  const r = runJob(stubs, ctr);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('waiting for 3 brokers, 1 up (1/60)');
  expect(stubs.calls('sleep')).toEqual([['10']]);
  expect(stubs.calls('kafka-topics.sh')).toHaveLength(1);
});

test('gives up after 60 tries without creating anything (the Job retries)', () => {
  const ctr = topicContainer();
  stubs.add('kafka-broker-api-versions.sh', 'echo "connection refused" >&2; exit 1');
  const r = runJob(stubs, ctr);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('only 0 of 3 brokers answered at kafka-0.kafka-headless.data.svc.cluster.local:9094,');
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
