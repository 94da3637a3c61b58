import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { nodeEnv, NodeEnvInput } from '../../../src/kafka/private/node-env';

const base: NodeEnvInput = {
  broker: true,
  controller: true,
  clusterId: 'AAAAAAAAAAAAAAAAAAAAAA',
  clientPort: 9092,
  internalPort: 9094,
  controllerPort: 9093,
  advertisedHost: 'h',
  clientProtocol: 'PLAINTEXT',
  nodeProtocol: 'PLAINTEXT',
  voters: '0@v0:9093',
  kafka4: true,
  defaultReplicationFactor: () => 3,
  minInsyncReplicas: () => 2,
  internalReplicationFactor: () => 1,
  defaultPartitions: 3,
  autoCreateTopics: false,
  saslUsers: [],
  config: {},
  secretConfig: {},
  heapMi: 1024,
  log4jOpts: '-Dx',
};

/** Plain values, and lazy ones produced. */
function values(i: NodeEnvInput): { [k: string]: string | undefined } {
  const out: { [k: string]: string | undefined } = {};
  for (const [k, v] of nodeEnv(i)) {
    const raw = v.value as unknown;
    out[k] = raw instanceof Lazy ? String(raw.produce()) : (raw as string | undefined);
  }
  return out;
}

test('a combined node: both roles, three listeners, advertised CLIENT and INTERNAL, lazy replication settings', () => {
  const env = values(base);
  expect(Object.keys(env).slice(0, 5)).toEqual(['POD_NAME', 'POD_NAMESPACE', 'KAFKA_NODE_ID', 'CLUSTER_ID', 'KAFKA_PROCESS_ROLES']);
  expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  expect(env.KAFKA_LISTENERS).toBe('CLIENT://:9092,INTERNAL://:9094,CONTROLLER://:9093');
  expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('CLIENT://h:9092,INTERNAL://h:9094');
  expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT');
  expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
  expect(env.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
  // Internal topics: min ISR one below their RF, at least 1.
  expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
  expect(env.KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR).toBe('1');
  expect(env.KAFKA_HEAP_OPTS).toBe('-Xms1024m -Xmx1024m');
  expect(Object.keys(env).slice(-4)).toEqual(['KAFKA_HEAP_OPTS', 'KAFKA_LOG4J_OPTS', 'EXTRA_ARGS', 'LOG_DIR']);
});

test('a controller-only node advertises nothing and has no broker settings; Kafka 3 has no share groups', () => {
  const env = values({ ...base, broker: false, advertisedHost: undefined, kafka4: false });
  expect(env.KAFKA_PROCESS_ROLES).toBe('controller');
  expect(env.KAFKA_LISTENERS).toBe('CONTROLLER://:9093');
  expect(env).not.toHaveProperty('KAFKA_ADVERTISED_LISTENERS');
  expect(env).not.toHaveProperty('KAFKA_DEFAULT_REPLICATION_FACTOR');
  expect(env).not.toHaveProperty('KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR');
});

test('TLS and SASL: the secrets come first, then the settings that refer to them; config keys become KAFKA_* names', () => {
  const secret = { name: 's' } as unknown as kplus.ISecret;
  const entries = nodeEnv({
    ...base,
    tlsPassword: { secret, key: 'password' },
    saslUsers: [{ username: 'app', passwordSecret: secret, passwordKey: 'pw' }],
    config: { 'log.retention.hours': '72' },
  });
  const names = entries.map(([k]) => k);
  expect(names.indexOf('TLS_STORE_PASSWORD')).toBeLessThan(names.indexOf('KAFKA_SSL_KEYSTORE_PASSWORD'));
  expect(names.indexOf('SASL_PASSWORD_0')).toBeLessThan(names.indexOf('KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG'));
  const env = Object.fromEntries(entries.map(([k, v]) => [k, v.value]));
  expect(env.KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG)
    .toBe('org.apache.kafka.common.security.plain.PlainLoginModule required user_app="$(SASL_PASSWORD_0)";');
  expect(env.KAFKA_LOG_RETENTION_HOURS).toBe('72');
});
