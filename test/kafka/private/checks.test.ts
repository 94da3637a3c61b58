import {
  clusterIdProblem, configKeyProblem, nodeIdsProblem, poolProblem, portsProblem, replicationProblems, topicProblem, usersProblem, versionProblem,
} from '../../../src/kafka/private/checks';

test('valid input has no problem', () => {
  expect(versionProblem('4.1.2')).toBeUndefined();
  expect(clusterIdProblem('MkU3OEVBNTcwNTJENDM2Qg')).toBeUndefined();
  expect(portsProblem([['a', 1], ['b', 65535]])).toBeUndefined();
  expect(usersProblem(false, [])).toBeUndefined();
  expect(usersProblem(true, ['a', 'b.c_d-e'])).toBeUndefined();
  expect(configKeyProblem('log.retention.hours')).toBeUndefined();
  expect(poolProblem({ roles: ['broker'], replicas: 1, firstNodeId: 0, heapMi: 128, memoryLimitMi: 256 })).toBeUndefined();
  expect(nodeIdsProblem('x', [3, 4], [['a', [0, 1, 2]], ['b', [5]]])).toBeUndefined();
  expect(topicProblem({ name: 'orders', partitions: 1, replicationFactor: 1, config: { 'min.insync.replicas': '1' } })).toBeUndefined();
  expect(replicationProblems(3, 3, 2)).toEqual([]);
  expect(replicationProblems(1, 1, 1)).toEqual([]);
});

test('the first problem wins, with its code', () => {
  expect(portsProblem([['a', 0], ['b', 0]])?.code).toBe('KafkaPortInvalid');
  expect(poolProblem({ roles: [], replicas: 0, firstNodeId: -1, heapMi: 1 })?.code).toBe('KafkaNodePoolRolesEmpty');
  expect(poolProblem({ roles: ['broker'], replicas: 1, firstNodeId: 0, heapMi: 64 })?.code).toBe('KafkaHeapTooSmall');
  expect(usersProblem(true, ['a b', 'a b'])?.code).toBe('KafkaSaslUserNameInvalid');
});

test('node ids: the suggested first id is the next hundred above every used id', () => {
  expect(nodeIdsProblem('x', [150, 151], [['a', [0, 1, 2]], ['b', [100, 101, 150]]])?.message)
    .toBe("node ids 150-151 of pool 'x' overlap ids 100-150 of pool 'b'; set firstNodeId to 200 or more");
});

test('replication: each check only once the previous holds', () => {
  expect(replicationProblems(3, 0, 0)).toEqual(['defaultReplicationFactor must be a whole number ≥ 1, got 0']);
  expect(replicationProblems(2, 3, 0)).toHaveLength(1);
  expect(replicationProblems(3, 2, 2)[0]).toContain('use 1');
});
