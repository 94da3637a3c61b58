import { Chart, Testing } from 'cdk8s';
import { KafkaCluster, KafkaTopic, Warnings } from '../../src';
import { envOf, find, synthValidated, synthValidatedApp } from '../util/validate';

function setup(): { c: Chart; kafka: KafkaCluster } {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  return { c, kafka: new KafkaCluster(c, 'kafka') };
}

describe('a topic is an idempotent, deterministic, restricted Job', () => {
  const { c, kafka } = setup();
  const topic = kafka.addTopic('orders', { partitions: 12, config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' } });
  const objs = synthValidated(c);
  const job = find(objs, 'Job', topic.job.name);
  const ctr = job.spec.template.spec.containers[0];

  test('name: readable prefix plus a hash of the spec', () => {
    expect(job.metadata.name).toMatch(/^kafka-topic-orders-[0-9a-f]{8}$/);
    expect(topic.topicName).toBe('orders');
    expect(topic.replicationFactor).toBe(3);
  });

  test('the converging script (assets/create-topic.sh), after waiting for the cluster on the internal listener; the spec in env', () => {
    expect(ctr.image).toBe('docker.io/apache/kafka:4.1.2');
    expect(ctr.command[0]).toBe('bash');
    expect(ctr.command[2]).toContain('--create --if-not-exists --topic "$TOPIC"');
    expect(ctr.command[2]).toContain('--alter --topic "$TOPIC" --partitions "$PARTITIONS"');
    expect(ctr.command[2]).toContain('kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP"');
    expect(envOf(ctr).MIN_BROKERS).toBe('3');
    expect(ctr.args).toBeUndefined();
    expect(envOf(ctr)).toMatchObject({
      TOPIC: 'orders', PARTITIONS: '12', REPLICATION_FACTOR: '3', TOPIC_CONFIG: 'cleanup.policy=delete\nretention.ms=604800000',
    });
    expect(envOf(ctr).BOOTSTRAP).toBe('kafka-0.kafka-headless.$(POD_NAMESPACE).svc.cluster.local:9094');
  });

  test('restricted Pod Security Standard, no token, no timestamps', () => {
    const pod = job.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(ctr.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(ctr.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(JSON.stringify(job)).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  test("the brokers' NetworkPolicy admits the Job's pods on the internal port", () => {
    const labels = job.spec.template.metadata.labels;
    const rule = find(objs, 'NetworkPolicy', 'kafka').spec.ingress.find((r: any) => r.ports?.[0]?.port === 9094);
    for (const [k, v] of Object.entries(rule.from[0].podSelector.matchLabels)) expect(labels[k]).toBe(v);
  });
});

test('a changed spec gives a new Job name (a Job template is immutable); the same spec the same name', () => {
  const name = (partitions: number) => setup().kafka.addTopic('t', { partitions }).job.name;
  expect(name(3)).toBe(name(3));
  expect(name(3)).not.toBe(name(6));
});

test('an explicit name, replication factor below the default, long names stay valid object names', () => {
  const { c, kafka } = setup();
  const t = kafka.addTopic('Payments', { name: 'Payments.V2_' + 'x'.repeat(100), replicationFactor: 2 });
  const objs = synthValidated(c);
  expect(topicJobs(objs)).toHaveLength(1);
  expect(t.job.name.length).toBeLessThanOrEqual(63);
  expect(t.job.name).toMatch(/^kafka-topic-payments-v2-x+-[0-9a-f]{8}$/);
  expect(envOf(topicJobs(objs)[0].spec.template.spec.containers[0]).REPLICATION_FACTOR).toBe('2');
  expect(Warnings.of(c).ids()).toEqual(['@cdk8s-stateful/kafka:topicNameMixesDotAndUnderscore']);
});

test('partitions default to the cluster default', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { defaultPartitions: 24 });
  expect(kafka.addTopic('t', {}).partitions).toBe(24);
  expect(synthValidated(c).length).toBeGreaterThan(0);
});

test('a topic id may equal a node pool id', () => {
  const { c, kafka } = setup();
  kafka.addTopic('combined', {});
  expect(topicJobs(synthValidated(c))[0].metadata.name).toMatch(/^kafka-topic-combined-/);
});

test('addTopic throws on a duplicate id or name', () => {
  const { kafka } = setup();
  kafka.addTopic('a', {});
  expect(() => kafka.addTopic('a', {})).toThrow("a topic with id 'a' exists already");
  expect(() => kafka.addTopic('b', { name: 'a' })).toThrow("topic 'a' is added twice (ids 'a' and 'b')");
  expect(kafka.topicList.map((t) => t.topicName)).toEqual(['a']);
});

test("a topic's replication factor counts the brokers of every pool", () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {}, replicas: 3 });
  // Added before the pool that makes it possible: checked at synth, not at addTopic.
  const t = kafka.addTopic('wide', { replicationFactor: 5 });
  kafka.addNodePool('more', { replicas: 2 });
  const objs = synthValidated(c);
  // The Job bootstraps from the first broker of each pool it saw (the client learns the rest),
  // so scaling a pool never changes its immutable pod template.
  expect(envOf(find(objs, 'Job', t.job.name).spec.template.spec.containers[0]).BOOTSTRAP).toBe('kafka-broker-100.kafka-broker-headless.$(POD_NAMESPACE).svc.cluster.local:9094');
});

test('a topic takes any IKafkaCluster: one created directly, in another chart of the app, is admitted like addTopic ones', () => {
  const app = Testing.app();
  const c = new Chart(app, 'data', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka');
  const other = new Chart(app, 'topics', { namespace: 'data' });
  const topic = new KafkaTopic(other, 'audit', { cluster: kafka, partitions: 1 });
  expect(kafka.topicList).toEqual([]);
  const objs = synthValidatedApp(app);
  const job = find(objs, 'Job', topic.job.name);
  expect(job.metadata.namespace).toBe('data');
  expect(envOf(job.spec.template.spec.containers[0]).BOOTSTRAP).toBe(kafka.internalSeedServers);
  const rule = find(objs, 'NetworkPolicy', 'kafka').spec.ingress.find((r: any) => r.ports?.[0]?.port === 9094);
  expect(rule.from[0].podSelector.matchLabels).toEqual(topic.podLabels);
});

/** The topic Jobs (the roller Job is a Job too). */
function topicJobs(objs: any[]): any[] {
  return objs.filter((o) => o.kind === 'Job' && o.metadata.name.includes('-topic-'));
}
