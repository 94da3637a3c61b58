// The reassignment Job (KafkaClusterProps.rebalance, KafkaCluster.drainBrokers): when it exists, what
// it is named by, what it mounts, the drained-brokers annotation, and the props it refuses.
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, KafkaCluster, KafkaClusterProps, KafkaTls, Tls } from '../../src';
import { envOf, find, ofKind, synthValidated } from '../util/validate';

const DRAINED = 'kafka.cdk8s-stateful.io/drained-brokers';

function cluster(props: KafkaClusterProps = {}, setup: (k: KafkaCluster) => void = () => {}) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'events', { controllers: { replicas: 3 }, replicas: 3, ...props });
  setup(kafka);
  return { c, kafka, objs: synthValidated(c, { externalSecrets: ['events-tls-password'] }) };
}
const reassignJobs = (objs: any[]) => ofKind(objs, 'Job').filter((j) => j.metadata.name.startsWith('events-reassign-'));

test('off by default: no reassignment Job, no annotation', () => {
  const { kafka, objs } = cluster();
  expect(kafka.rebalanceJob).toBeUndefined();
  expect(reassignJobs(objs)).toEqual([]);
  expect(find(objs, 'StatefulSet', 'events-broker').metadata.annotations?.[DRAINED]).toBeUndefined();
});

test('rebalance: one Job on the cluster image over INTERNAL, every broker id, 50 MiB/s by default, topic Job labels (admitted on INTERNAL)', () => {
  const { kafka, objs } = cluster({ rebalance: {} }, (k) => k.addNodePool('big', { replicas: 2 }));
  const jobs = reassignJobs(objs);
  expect(jobs.map((j) => j.metadata.name)).toEqual([kafka.rebalanceJob!.metadata.name]);
  const job = jobs[0];
  expect(job.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'topic', 'app.kubernetes.io/instance': 'events' });
  const ctr = job.spec.template.spec.containers[0];
  expect(ctr.image).toBe(kafka.image);
  expect(envOf(ctr)).toMatchObject({
    BROKERS: '100,101,102,200,201',
    DRAIN: '',
    THROTTLE: String(50 * 1024 * 1024),
    BOOTSTRAP: 'events-broker-100.events-broker-headless.$(POD_NAMESPACE).svc.cluster.local:9094,events-big-200.events-big-headless.$(POD_NAMESPACE).svc.cluster.local:9094',
  });
  expect(ctr.command.slice(0, 2)).toEqual(['bash', '-ec']);
  expect(job.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['tmp']);
});

test('named by the broker id set: a new name when brokers are added, the same one for a topic', () => {
  const name = (props: KafkaClusterProps, f?: (k: KafkaCluster) => void) => cluster({ rebalance: {}, ...props }, f).kafka.rebalanceJob!.metadata.name;
  const base = name({});
  expect(name({}, (k) => k.addTopic('orders', {}))).toBe(base);
  expect(name({ replicas: 4 })).not.toBe(base);
  expect(name({}, (k) => k.addNodePool('big', {}))).not.toBe(base);
  expect(name({ rebalance: { throttleMebibytesPerSecond: 10 } })).not.toBe(base);
});

test('onScaleOut: false runs nothing until brokers are drained', () => {
  expect(cluster({ rebalance: { onScaleOut: false } }).kafka.rebalanceJob).toBeUndefined();
  const { kafka } = cluster({ replicas: 4, rebalance: { onScaleOut: false } }, (k) => k.drainBrokers([103]));
  expect(kafka.rebalanceJob).toBeDefined();
});

test('drainBrokers: the Job moves replicas off those ids, and their pool carries them in an annotation UpgradeSafety reads', () => {
  const { kafka, objs } = cluster({ replicas: 5 }, (k) => {
    k.addNodePool('big', { replicas: 3 });
    k.drainBrokers([104]);
    k.drainBrokers([103, 202]);
  });
  expect(envOf(find(objs, 'Job', kafka.rebalanceJob!.metadata.name!).spec.template.spec.containers[0])).toMatchObject({
    BROKERS: '100,101,102,103,104,200,201,202', DRAIN: '103,104,202',
  });
  expect(find(objs, 'StatefulSet', 'events-broker').metadata.annotations[DRAINED]).toBe('103,104');
  expect(find(objs, 'StatefulSet', 'events-big').metadata.annotations[DRAINED]).toBe('202');
  expect(find(objs, 'StatefulSet', 'events-controller').metadata.annotations?.[DRAINED]).toBeUndefined();
});

test('with TLS: the Jobs\' own client certificate (<name>-admin-tls) and the store password, never the nodes\' keystore', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const tls = KafkaTls.certManager(Tls.certManager({ selfSignedCa: true }), { passwordSecret: kplus.Secret.fromSecretName(c, 'Pw', 'events-tls-password') });
  const kafka = new KafkaCluster(c, 'events', { controllers: { replicas: 3 }, replicas: 3, listeners: { tls }, rebalance: {} });
  const objs = synthValidated(c, { externalSecrets: ['events-tls-password'] });
  const pod = find(objs, 'Job', kafka.rebalanceJob!.metadata.name!).spec.template.spec;
  expect(pod.volumes.find((v: any) => v.name === 'tls').secret.secretName).toBe('events-admin-tls');
  expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/kafka/tls', readOnly: true });
  expect(pod.containers[0].env.find((e: any) => e.name === 'TLS_STORE_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'events-tls-password', key: 'password' });
});

test.each<[string, KafkaClusterProps, ((k: KafkaCluster) => void) | undefined, string]>([
  ['a throttle of 0', { rebalance: { throttleMebibytesPerSecond: 0 } }, undefined, 'KafkaRebalanceThrottleInvalid'],
  ['a fractional throttle', { rebalance: { throttleMebibytesPerSecond: 1.5 } }, undefined, 'KafkaRebalanceThrottleInvalid'],
  ['draining a controller id', {}, (k) => k.drainBrokers([0]), 'KafkaDrainBrokerUnknown'],
  ['draining an id the pool no longer has', {}, (k) => k.drainBrokers([105]), 'KafkaDrainBrokerUnknown'],
  ['draining a broker that is not the highest of its pool', { replicas: 5 }, (k) => k.drainBrokers([102]), 'KafkaDrainBrokerNotLast'],
  ['draining below the replication factor', {}, (k) => k.drainBrokers([102]), 'KafkaDrainLeavesTooFew'],
  ['draining below a topic\'s replication factor', { replicas: 4, defaultReplicationFactor: 2, minInsyncReplicas: 1 },
    (k) => { k.addTopic('orders', { replicationFactor: 4 }); k.drainBrokers([103]); }, 'KafkaDrainLeavesTooFew'],
])('%s is refused', (_name, props, setup, code) => {
  let err: unknown;
  try {
    cluster(props, setup);
  } catch (e) {
    err = e;
  }
  expect(Errors.codeOf(err)).toBe(code);
  expect(String(err)).toContain('test/events');
});
