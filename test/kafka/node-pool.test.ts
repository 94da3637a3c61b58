import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { KafkaCluster, KafkaNodeRole } from '../../src';
import { find, synthValidated } from '../util/validate';

test('ApiObject.of(pool) is its StatefulSet; a JSON patch through it lands in the output', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {} });
  const pool = kafka.addNodePool('fast', { replicas: 2 });
  expect(ApiObject.of(pool)).toBe(pool.statefulSet);
  expect(pool.node.defaultChild).toBe(pool.statefulSet);
  expect(ApiObject.of(kafka.nodePool('broker'))).toBe(kafka.nodePool('broker').statefulSet);
  ApiObject.of(pool).addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 10));
  expect(find(synthValidated(c), 'StatefulSet', 'kafka-fast').spec.minReadySeconds).toBe(10);
});

test('a pool knows its roles, node ids and heap; brokers are Ready once caught up, controller-only nodes when their port opens', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {} });
  const controllers = kafka.nodePool('controller');
  expect(controllers.roles).toEqual([KafkaNodeRole.CONTROLLER]);
  expect(controllers.isBroker).toBe(false);
  expect(controllers.nodeIds).toEqual([0, 1, 2]);
  expect(controllers.heap.toMebibytes()).toBe(512);
  const objs = synthValidated(c);
  const probe = (name: string) => find(objs, 'StatefulSet', name).spec.template.spec.containers[0].readinessProbe;
  expect(probe('kafka-controller').tcpSocket.port).toBe(9093);
  expect(probe('kafka-broker').exec.command).toEqual(['bash', '/opt/kafka-probe/broker-ready.sh']);
});
