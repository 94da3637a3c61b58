// The Kafka upgrade rule (safety issue A1/B): any change of CLUSTER_ID is reported.
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { KafkaCluster, UpgradeRisk, UpgradeSafety } from '../../src';
import { kafkaClusterIdFindings, kafkaTopicFindings } from '../../src/upgrade/private/kafka-rules';

/** The StatefulSets of an app, by name. */
function statefulSets(build: (app: App) => void): Map<string, any> {
  const app = Testing.app();
  build(app);
  return new Map(UpgradeSafety.objectsOf(app).filter((o) => o.kind === 'StatefulSet').map((o) => [o.metadata.name, o]));
}

function findings(before: Map<string, any>, after: Map<string, any>) {
  return [...before].flatMap(([n, b]) => kafkaClusterIdFindings(b, after.get(n)));
}

const ns = (app: App, id = 'streaming') => new Chart(app, id, { namespace: 'streaming' });

test('a changed CLUSTER_ID is reported on every pool, with the old id to pin', () => {
  const before = statefulSets((app) => new KafkaCluster(ns(app), 'events', { controllers: {}, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' }));
  const after = statefulSets((app) => new KafkaCluster(ns(app), 'events', { controllers: {} }));
  const f = findings(before, after);
  expect(f.map((x) => [x.id, x.risk, x.kind, x.name, x.namespace])).toEqual([
    ['@cdk8s-stateful/policy:kafkaClusterIdChanged', UpgradeRisk.DATA_LOSS, 'StatefulSet', 'events-controller', 'streaming'],
    ['@cdk8s-stateful/policy:kafkaClusterIdChanged', UpgradeRisk.DATA_LOSS, 'StatefulSet', 'events-broker', 'streaming'],
  ]);
  expect(f[0].message).toMatch(/^container kafka: CLUSTER_ID MkU3OEVBNTcwNTJENDM2Qg → [A-Za-z0-9_-]{22}: /);
  expect(f[0].migration[0]).toContain("set clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' on the KafkaCluster");
});

test('renaming the chart or wrapping the cluster keeps the id: no finding', () => {
  const before = statefulSets((app) => new KafkaCluster(ns(app), 'events'));
  const after = statefulSets((app) => new KafkaCluster(new Construct(ns(app, 'platform'), 'Messaging'), 'events'));
  expect(findings(before, after)).toEqual([]);
});

test('removing CLUSTER_ID is reported; other StatefulSets and kinds are ignored', () => {
  const sts = (env: any[]) => ({ kind: 'StatefulSet', metadata: { name: 'k' }, spec: { template: { spec: { containers: [{ name: 'kafka', env }] } } } });
  expect(kafkaClusterIdFindings(sts([{ name: 'CLUSTER_ID', value: 'a' }]), sts([]))[0].message).toContain('CLUSTER_ID a → (removed)');
  expect(kafkaClusterIdFindings(sts([]), sts([{ name: 'CLUSTER_ID', value: 'a' }]))).toEqual([]);
  expect(kafkaClusterIdFindings(sts([{ name: 'CLUSTER_ID', value: 'a' }]), sts([{ name: 'CLUSTER_ID', value: 'a' }]))).toEqual([]);
  expect(kafkaClusterIdFindings({ kind: 'Deployment' }, { kind: 'Deployment' })).toEqual([]);
  const fromSecret = (key: string) => sts([{ name: 'CLUSTER_ID', valueFrom: { secretKeyRef: { name: 's', key } } }]);
  expect(kafkaClusterIdFindings(fromSecret('a'), fromSecret('a'))).toEqual([]);
  expect(kafkaClusterIdFindings(fromSecret('a'), fromSecret('b'))).toHaveLength(1);
});

describe('topic changes the topic Job cannot apply', () => {
  const objs = (partitions: number, replicationFactor?: number, config?: { [k: string]: string }) => {
    const app = Testing.app();
    new KafkaCluster(ns(app), 'events').addTopic('orders', { partitions, replicationFactor, config });
    return UpgradeSafety.objectsOf(app);
  };

  test('fewer partitions and another replication factor are rejected, naming the topic', () => {
    const f = kafkaTopicFindings(objs(12, 3), objs(6, 2));
    expect(f.map((x) => [x.id, x.risk, x.kind, x.namespace])).toEqual([
      ['@cdk8s-stateful/policy:kafkaTopicPartitionsDecrease', UpgradeRisk.REJECTED, 'Job', 'streaming'],
      ['@cdk8s-stateful/policy:kafkaTopicReplicationFactorChange', UpgradeRisk.REJECTED, 'Job', 'streaming'],
    ]);
    expect(f[0].message).toBe('topic orders: partitions 12 → 6; Kafka cannot remove partitions, the topic Job fails');
    expect(f[1].migration[0]).toContain('kafka-reassign-partitions.sh');
  });

  test('more partitions, other configs, a new topic: no finding', () => {
    expect(kafkaTopicFindings(objs(6), objs(12, undefined, { 'retention.ms': '1' }))).toEqual([]);
    const app = Testing.app();
    const k = new KafkaCluster(ns(app), 'events');
    k.addTopic('orders', { partitions: 6 });
    k.addTopic('audit', { partitions: 1 });
    expect(kafkaTopicFindings(objs(6), UpgradeSafety.objectsOf(app))).toEqual([]);
  });
});
