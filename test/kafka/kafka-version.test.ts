import { Chart, Testing } from 'cdk8s';
import { Errors, KafkaCluster, KafkaVersion } from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

test('the listed releases and their pinned images are as before', () => {
  expect([KafkaVersion.V3_9_2, KafkaVersion.V4_0_1, KafkaVersion.V4_1_2, KafkaVersion.V4_2_0].map((v) => [v.version, v.image])).toEqual([
    ['3.9.2', 'docker.io/apache/kafka:3.9.2'],
    ['4.0.1', 'docker.io/apache/kafka:4.0.1'],
    ['4.1.2', 'docker.io/apache/kafka:4.1.2'],
    ['4.2.0', 'docker.io/apache/kafka:4.2.0'],
  ]);
  expect(KafkaVersion.V4_1_2.major).toBe(4);
  expect(KafkaVersion.V3_9_2.major).toBe(3);
  expect(`${KafkaVersion.V4_2_0}`).toBe('4.2.0');
});

test('KafkaVersion.of pins a release the library does not list: image, version label and log4j generation follow it', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { version: KafkaVersion.of('3.8.1') });
  expect(kafka.image).toBe('docker.io/apache/kafka:3.8.1');
  const sts = find(synthValidated(c), 'StatefulSet', 'kafka');
  expect(container(sts, 'kafka').image).toBe('docker.io/apache/kafka:3.8.1');
  expect(sts.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('3.8.1');
  // 3.x: log4j 1, no share-group settings.
  expect(envOf(container(sts, 'kafka')).KAFKA_LOG4J_OPTS).toBe('-Dlog4j.configuration=file:/etc/kafka/log-config/log4j.properties');
  expect(envOf(container(sts, 'kafka')).KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR).toBeUndefined();
});

test.each([
  ['4.1'], ['latest'], ['v4.1.2'], ['3.6.2'], ['2.8.0'], ['4.1.2 '],
])("KafkaVersion.of('%s') is rejected by the cluster", (v) => {
  const c = new Chart(Testing.app(), 'test');
  let err: unknown;
  try {
    new KafkaCluster(c, 'kafka', { version: KafkaVersion.of(v) });
  } catch (e) {
    err = e;
  }
  expect(Errors.codeOf(err)).toBe('KafkaVersionInvalid');
  expect((err as Error).message).toContain(`version '${v}' is not a release the apache/kafka image is published for`);
});

test('release candidates and new majors are accepted', () => {
  const c = new Chart(Testing.app(), 'test');
  expect(new KafkaCluster(c, 'a', { version: KafkaVersion.of('4.2.0-rc1') }).image).toBe('docker.io/apache/kafka:4.2.0-rc1');
  expect(new KafkaCluster(c, 'b', { version: KafkaVersion.of('5.0.0') }).version.major).toBe(5);
});
