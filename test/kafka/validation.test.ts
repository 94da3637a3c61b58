import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Errors, KafkaAuthentication, KafkaCluster, KafkaTls, KafkaClusterProps, KafkaNodeRole, KafkaTopicOptions, Warnings,
} from '../../src';
import { ValidationError } from '../../src/core/errors';
import { synthValidated } from '../util/validate';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

const secret = (c: Chart, name: string) => kplus.Secret.fromSecretName(c, name, name);
/** TLS: every authenticated cluster needs it (KafkaAuthenticationNeedsTls). */
const tlsOf = (c: Chart) => KafkaTls.fromPkcs12Secret(secret(c, 'kafka-tls'), { passwordSecret: secret(c, 'kafka-tls-pw') });

/** Props that fail when the cluster is constructed. */
const BAD_PROPS: Array<[string, (c: Chart) => KafkaClusterProps, string, string | undefined]> = [
  ['even controller count', () => ({ controllers: { replicas: 4 } }), 'the KRaft quorum has 4 controllers; use an odd number (3 or 5)', 'KafkaQuorumEven'],
  ['even combined count', () => ({ replicas: 2 }), 'the KRaft quorum has 2 controllers; use an odd number', 'KafkaQuorumEven'],
  ['zero nodes', () => ({ replicas: 0 }), 'replicas must be a whole number ≥ 1, got 0', 'KafkaNodePoolReplicasInvalid'],
  ['client and internal port clash', () => ({ listeners: { internalPort: 9092 } }), 'listeners.clientPort and listeners.internalPort are both 9092; give each listener its own port', 'KafkaPortConflict'],
  ['controller and client port clash', () => ({ listeners: { controllerPort: 9092 } }), 'listeners.clientPort and listeners.controllerPort are both 9092', 'KafkaPortConflict'],
  ['port out of range', () => ({ listeners: { clientPort: 70000 } }), 'listeners.clientPort 70000 is not a port; use 1-65535', 'KafkaPortInvalid'],
  ['heap above the memory limit', () => ({ heap: Size.gibibytes(4), resources: { memory: { limit: Size.gibibytes(2) } } }),
    'heap 4096Mi is not below the memory limit 2048Mi', 'KafkaHeapNotBelowLimit'],
  ['heap equal to the limit', () => ({ heap: Size.gibibytes(2) }), 'heap 2048Mi is not below the memory limit 2048Mi', 'KafkaHeapNotBelowLimit'],
  ['tiny heap', () => ({ heap: Size.mebibytes(64) }), 'heap 64Mi is too small for Kafka', 'KafkaHeapTooSmall'],
  ['controller heap above its limit', () => ({ controllers: { heap: Size.gibibytes(1) } }), 'heap 1024Mi is not below the memory limit 1024Mi', 'KafkaHeapNotBelowLimit'],
  ['malformed cluster id', () => ({ clusterId: 'not-a-uuid' }), "clusterId 'not-a-uuid' is not a Kafka cluster id: give 22 base64url characters", 'KafkaClusterIdInvalid'],
  ["the image's default cluster id", () => ({ clusterId: '5L6g3nShT-eMCtK--X86sw' }), "is the apache/kafka image's built-in default", 'KafkaClusterIdImageDefault'],
  ['SASL without users', (c) => ({ listeners: { tls: tlsOf(c), authentication: KafkaAuthentication.SASL_PLAIN } }), 'listeners.users is empty; add at least one user', 'KafkaSaslUsersMissing'],
  ['users without SASL', (c) => ({ listeners: { users: [{ username: 'a', passwordSecret: secret(c, 's') }] } }),
    'listeners.users is set but authentication is not SASL_PLAIN', 'KafkaUsersWithoutSasl'],
  ['bad SASL user name', (c) => ({ listeners: { tls: tlsOf(c), authentication: KafkaAuthentication.SASL_PLAIN, users: [{ username: 'a b', passwordSecret: secret(c, 's') }] } }),
    "SASL user name 'a b' may only hold letters, digits", 'KafkaSaslUserNameInvalid'],
  ['duplicate SASL user', (c) => ({
    listeners: {
      tls: tlsOf(c),
      authentication: KafkaAuthentication.SASL_PLAIN,
      users: [{ username: 'a', passwordSecret: secret(c, 's') }, { username: 'a', passwordSecret: secret(c, 't') }],
    },
  }), "SASL user 'a' is listed twice", 'KafkaSaslUserDuplicate'],
  ['config sets a managed key', () => ({ config: { 'min.insync.replicas': '1' } }), "config sets 'min.insync.replicas', which the construct manages; use its prop", 'KafkaConfigKeyManaged'],
  ['config key with upper case', () => ({ config: { 'log.Retention': '1' } }), "config key 'log.Retention' cannot be passed to the apache/kafka image", 'KafkaConfigKeyInvalid'],
  // The image strips every "KAFKA_" from env names (KafkaDockerWrapper.getServerConfigsFromEnv):
  // KAFKA_KAFKA_METRICS_REPORTERS would silently set `metrics.reporters`.
  ['config key the image would read back as another key (kafka.*)', () => ({ config: { 'kafka.metrics.reporters': 'x' } }),
    "config key 'kafka.metrics.reporters' cannot be passed to the apache/kafka image: its env var KAFKA_KAFKA_METRICS_REPORTERS is read back as 'metrics.reporters'", 'KafkaConfigKeyNotRoundTrip'],
  ['config key whose "_." is read back as "-"', () => ({ config: { 'a_.b': '1' } }), "is read back as 'a-b'", 'KafkaConfigKeyNotRoundTrip'],
  ['config key whose ".." is read back as "_"', () => ({ config: { 'a..b': '1' } }), "is read back as 'a_b'", 'KafkaConfigKeyNotRoundTrip'],
  ['rack awareness without a namespace', () => ({ rackAwareness: {} }), "rackAwareness needs the chart's namespace", 'KafkaRackAwarenessNeedsNamespace'],
  ['rack awareness with a bad label key', () => ({ rackAwareness: { topologyKey: 'zone key' } }), "rackAwareness.topologyKey 'zone key' is not a label key", 'KafkaTopologyKeyInvalid'],
  ['invalid name', () => ({ name: 'Kafka_1' }), "name 'Kafka_1' must be a DNS-1035 label", undefined],
  ['zero default partitions', () => ({ defaultPartitions: 0 }), 'defaultPartitions must be a whole number ≥ 1, got 0', 'KafkaDefaultPartitionsInvalid'],
];

test.each(BAD_PROPS)('%s → ValidationError', (_, props, message, code) => {
  const c = chart();
  let err: unknown;
  try {
    new KafkaCluster(c, 'kafka', props(c));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as Error).message).toContain(message);
  // The name check is the core's (Names); every Kafka check has a Kafka* code.
  if (code) expect(Errors.codeOf(err)).toBe(code);
});

/**
 * Relationships checked when the app synthesizes (pools and topics may still be added): the
 * validator returns messages, which cdk8s reports together ("Validation failed with ...").
 */
const BAD_AT_SYNTH: Array<[string, KafkaClusterProps, string]> = [
  ['replication factor above the brokers', { replicas: 3, defaultReplicationFactor: 4 }, 'defaultReplicationFactor 4 is more than the 3 broker(s)'],
  ['min ISR equal to the replication factor', { minInsyncReplicas: 3 }, 'minInsyncReplicas 3 is not below defaultReplicationFactor 3'],
  ['min ISR above RF 1', { replicas: 1, minInsyncReplicas: 2 }, 'minInsyncReplicas 2 with replication factor 1 can never be met'],
  ['min ISR zero', { minInsyncReplicas: 0 }, 'minInsyncReplicas must be a whole number ≥ 1, got 0'],
];

test.each(BAD_AT_SYNTH)('%s → validation message at synth', (_, props, message) => {
  const c = chart('data');
  new KafkaCluster(c, 'kafka', props);
  expect(() => Testing.synth(c)).toThrow(`[test/kafka] ${message}`);
});

const BAD_TOPICS: Array<[string, KafkaTopicOptions, string, string]> = [
  ['illegal character', { name: 'orders/eu' }, "topic name 'orders/eu' is not legal in Kafka: use 1-249 characters from [a-zA-Z0-9._-]", 'KafkaTopicNameInvalid'],
  ['dot', { name: '.' }, "topic name '.' is not legal in Kafka", 'KafkaTopicNameInvalid'],
  ['dot dot', { name: '..' }, "topic name '..' is not legal in Kafka", 'KafkaTopicNameInvalid'],
  ['too long', { name: 'x'.repeat(250) }, 'is not legal in Kafka: use 1-249 characters', 'KafkaTopicNameInvalid'],
  ['internal prefix', { name: '__consumer_offsets' }, "starts with '__', which Kafka reserves for internal topics", 'KafkaTopicNameReserved'],
  ['zero partitions', { partitions: 0 }, "topic 'orders' has partitions 0; use a whole number ≥ 1", 'KafkaTopicPartitionsInvalid'],
  ['fractional replication factor', { replicationFactor: 1.5 }, "topic 'orders' has replicationFactor 1.5; use a whole number ≥ 1", 'KafkaTopicReplicationFactorInvalid'],
  ['bad config key', { config: { 'Retention MS': '1' } }, "config key 'Retention MS' is not a Kafka topic config name", 'KafkaTopicConfigKeyInvalid'],
  ['multi-line config value', { config: { 'retention.ms': '1\n2' } }, "config 'retention.ms' needs a one-line, non-empty value", 'KafkaTopicConfigValueInvalid'],
  ['topic min ISR not below its RF', { replicationFactor: 2, config: { 'min.insync.replicas': '2' } }, 'sets min.insync.replicas 2, not below its replicationFactor 2', 'KafkaTopicMinInsyncNotBelowRf'],
];

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

test.each(BAD_TOPICS)('topic: %s → ValidationError', (_, options, message, code) => {
  const kafka = new KafkaCluster(chart('data'), 'kafka');
  const err = thrown(() => kafka.addTopic('orders', options));
  expect(err).toBeInstanceOf(ValidationError);
  expect(err.message).toContain(message);
  expect(Errors.codeOf(err)).toBe(code);
  // Checked before the topic is created: nothing is left behind.
  expect(kafka.node.tryFindChild('Topics')?.node.children).toEqual([]);
});

test('addNodePool: controllers are fixed; node ids must not overlap; duplicate ids; roles; first id', () => {
  const kafka = new KafkaCluster(chart('data'), 'kafka', { controllers: {} });
  expect(() => kafka.addNodePool('c', { roles: [KafkaNodeRole.CONTROLLER] })).toThrow('the controllers of a static KRaft quorum are fixed');
  expect(() => kafka.addNodePool('x', { firstNodeId: 101 })).toThrow("node ids 101-103 of pool 'x' overlap ids 100-102 of pool 'broker'; set firstNodeId to 200 or more");
  expect(() => kafka.addNodePool('broker')).toThrow("a node pool with id 'broker' exists already");
  expect(() => kafka.addNodePool('y', { roles: [] })).toThrow('roles must not be empty; use [KafkaNodeRole.BROKER]');
  expect(() => kafka.addNodePool('y', { firstNodeId: -1 })).toThrow('firstNodeId must be a whole number ≥ 0, got -1');
  // A failed add leaves nothing behind: the id can be used again.
  expect(kafka.addNodePool('x', { firstNodeId: 300 }).nodeIds).toEqual([300, 301, 302]);
  expect(() => kafka.addTopic('t', { partitions: 0 })).toThrow('partitions 0');
  expect(kafka.addTopic('t', {}).partitions).toBe(3);
  expect(() => kafka.nodePool('nope')).toThrow("no node pool 'nope'; pools are: controller, broker");
});

test('bind: SASL needs a known user when there are several; no user without SASL', () => {
  const c = chart('data');
  const kafka = new KafkaCluster(c, 'kafka', {
    listeners: {
      tls: tlsOf(c),
      authentication: KafkaAuthentication.SASL_PLAIN,
      users: [{ username: 'a', passwordSecret: secret(c, 's') }, { username: 'b', passwordSecret: secret(c, 't') }],
    },
  });
  const dep = new kplus.Deployment(c, 'app', { containers: [{ image: 'busybox:1.37' }] });
  expect(() => kafka.bind(dep)).toThrow("bind() needs a SASL user: pass { user: '...' } with one of 'a', 'b'");
  expect(() => kafka.bind(dep, { user: 'zed' })).toThrow("bind() got unknown user 'zed'; users are: a, b");
  kafka.bind(dep, { user: 'a' });
  expect(() => kafka.bind(dep, { user: 'a' })).toThrow('is bound to this cluster already; bind it once');
  const plain = new KafkaCluster(c, 'plain');
  expect(() => plain.bind(dep, { user: 'a' })).toThrow("bind() got user 'a' but the client listener has no SASL");
});

/** Errors of the cluster's methods, with their codes. */
const BAD_CALLS: Array<[string, (c: Chart) => unknown, string, string]> = [
  ['a controller pool added later', (c) => new KafkaCluster(c, 'kafka').addNodePool('c', { roles: [KafkaNodeRole.CONTROLLER] }),
    'the controllers of a static KRaft quorum are fixed', 'KafkaNodePoolControllerRole'],
  ['overlapping node ids', (c) => new KafkaCluster(c, 'kafka').addNodePool('x', { firstNodeId: 2 }),
    "node ids 2-4 of pool 'x' overlap ids 0-2 of pool 'combined'; set firstNodeId to 100 or more", 'KafkaNodeIdsOverlap'],
  ['a duplicate pool id', (c) => new KafkaCluster(c, 'kafka').addNodePool('combined'), "a node pool with id 'combined' exists already", 'KafkaNodePoolIdDuplicate'],
  ['empty roles', (c) => new KafkaCluster(c, 'kafka').addNodePool('y', { roles: [] }), 'roles must not be empty', 'KafkaNodePoolRolesEmpty'],
  ['a negative first node id', (c) => new KafkaCluster(c, 'kafka').addNodePool('y', { firstNodeId: -1 }),
    'firstNodeId must be a whole number ≥ 0, got -1', 'KafkaNodePoolFirstNodeIdInvalid'],
  ['an unknown pool', (c) => new KafkaCluster(c, 'kafka').nodePool('nope'), "no node pool 'nope'; pools are: combined", 'KafkaNodePoolNotFound'],
  ['a duplicate topic id', (c) => { const k = new KafkaCluster(c, 'kafka'); k.addTopic('a', {}); k.addTopic('a', {}); },
    "a topic with id 'a' exists already", 'KafkaTopicIdDuplicate'],
  ['a topic added twice', (c) => { const k = new KafkaCluster(c, 'kafka'); k.addTopic('a', {}); k.addTopic('b', { name: 'a' }); },
    "topic 'a' is added twice (ids 'a' and 'b')", 'KafkaTopicDuplicate'],
  ['topic names that collide in Kafka', (c) => { const k = new KafkaCluster(c, 'kafka'); k.addTopic('a', { name: 'orders.eu' }); k.addTopic('b', { name: 'orders_eu' }); },
    "topic 'orders_eu' collides with topic 'orders.eu' (id 'a'): Kafka treats '.' and '_' as the same in topic names", 'KafkaTopicNameCollision'],
  ['an empty pool id', (c) => new KafkaCluster(c, 'kafka').addNodePool(''), "node pool id '' must be a non-empty string without '/'", 'KafkaNodePoolIdInvalid'],
  ['a pool id with a slash', (c) => new KafkaCluster(c, 'kafka').addNodePool('a/b'), "node pool id 'a/b' must be a non-empty string without '/'", 'KafkaNodePoolIdInvalid'],
  ['an empty topic id', (c) => new KafkaCluster(c, 'kafka').addTopic('', { name: 'orders' }), "topic id '' must be a non-empty string without '/'", 'KafkaTopicIdInvalid'],
  ['a topic id with a slash', (c) => new KafkaCluster(c, 'kafka').addTopic('a/b', { name: 'orders' }), "topic id 'a/b' must be", 'KafkaTopicIdInvalid'],
  ['tlsDnsNames without a namespace', (c) => new KafkaCluster(c, 'kafka').tlsDnsNames, "tlsDnsNames needs the chart's namespace", 'KafkaTlsDnsNamesNeedNamespace'],
];

test.each(BAD_CALLS)('%s → ValidationError with a code', (_, call, message, code) => {
  const err = thrown(() => call(chart()));
  expect(err).toBeInstanceOf(ValidationError);
  expect(err.message).toContain(message);
  expect(Errors.codeOf(err)).toBe(code);
});

test('bind() errors carry codes', () => {
  const c = chart('data');
  const users = [{ username: 'a', passwordSecret: secret(c, 's') }, { username: 'b', passwordSecret: secret(c, 't') }];
  const kafka = new KafkaCluster(c, 'kafka', { listeners: { tls: tlsOf(c), authentication: KafkaAuthentication.SASL_PLAIN, users } });
  const plain = new KafkaCluster(c, 'plain');
  const dep = new kplus.Deployment(c, 'app', { containers: [{ image: 'busybox:1.37' }] });
  expect(Errors.codeOf(thrown(() => kafka.bind(dep)))).toBe('KafkaBindUserRequired');
  expect(Errors.codeOf(thrown(() => kafka.bind(dep, { user: 'zed' })))).toBe('KafkaBindUserUnknown');
  expect(Errors.codeOf(thrown(() => plain.bind(dep, { user: 'a' })))).toBe('KafkaBindUserWithoutSasl');
  kafka.bind(dep, { user: 'a' });
  expect(Errors.codeOf(thrown(() => kafka.bind(dep, { user: 'a' })))).toBe('KafkaBindDuplicate');
});

test('every ValidationError in src/kafka carries a Kafka* code', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('fs'); const path = require('path');
  const dir = path.join(__dirname, '../../src/kafka');
  const files: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e: any) => {
    if (e.isDirectory()) walk(path.join(d, e.name));
    else if (e.name.endsWith('.ts')) files.push(path.join(d, e.name));
  });
  walk(dir);
  for (const f of files) {
    const text: string = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/new ValidationError\(\s*([^,]+),/g)) {
      expect([path.basename(f), m[1]]).toEqual([path.basename(f), expect.stringMatching(/^('Kafka[A-Za-z]+'|problem\.code|overlap\.code|user\.code)$/)]);
    }
    for (const m of text.matchAll(/problem\('([A-Za-z]+)'|code: '([A-Za-z]+)'/g)) expect(m[1] ?? m[2]).toMatch(/^Kafka[A-Z]/);
  }
});

test('a topic above the brokers is checked when the app synthesizes, after every pool is added', () => {
  // Checked lazily: a pool added after the topic counts.
  const c = chart('data');
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {}, replicas: 1 });
  Warnings.acknowledge(c, '@cdk8s-stateful/kafka:singleBroker');
  const topic = kafka.addTopic('orders', { replicationFactor: 3 });
  expect(topic.replicationFactor).toBe(3);
  kafka.addNodePool('more', { replicas: 2 });
  expect(() => synthValidated(c)).not.toThrow();
  // Without the later pool the topic is an error at synth, naming the brokers.
  const c2 = chart('data');
  new KafkaCluster(c2, 'kafka').addTopic('orders', { replicationFactor: 4 });
  expect(() => Testing.synth(c2)).toThrow("topic 'orders' has replicationFactor 4 but the cluster has 3 broker(s); use at most 3 or add brokers");
});

test("topic names are compared as Kafka compares them: '.' and '_' collide, '-' does not", () => {
  const kafka = new KafkaCluster(chart('data'), 'kafka');
  kafka.addTopic('a', { name: 'x.y' });
  kafka.addTopic('b', { name: 'x-y' });
  expect(() => kafka.addTopic('c', { name: 'x_y' })).toThrow("collides with topic 'x.y'");
  // A failed add leaves nothing: another name works under the same id.
  expect(kafka.addTopic('c', { name: 'xy' }).topicName).toBe('xy');
});

test.each<[string, () => KafkaClusterProps, string]>([
  ['an empty SASL password Secret name', () => ({ listeners: { tls: tlsOf(new Chart(Testing.app(), 'y')), authentication: KafkaAuthentication.SASL_PLAIN, users: [{ username: 'app', passwordSecret: kplus.Secret.fromSecretName(new Chart(Testing.app(), 'x'), 's', '') }] } }),
    "SASL user 'app': Secret name '' is not a Secret name"],
  ['an invalid SASL password key', () => ({ listeners: { tls: tlsOf(new Chart(Testing.app(), 'y')), authentication: KafkaAuthentication.SASL_PLAIN, users: [{ username: 'app', passwordSecret: kplus.Secret.fromSecretName(new Chart(Testing.app(), 'x'), 's', 'pw'), passwordKey: 'a/b' }] } }),
    "SASL user 'app': key 'a/b' of Secret 'pw' is not a Secret key"],
])('%s is a KafkaSecretRefInvalid ValidationError', (_what, props, message) => {
  let caught: any;
  try { new KafkaCluster(new Chart(Testing.app(), 'test', { namespace: 'data' }), 'kafka', props()); } catch (e) { caught = e; }
  expect(Errors.codeOf(caught)).toBe('KafkaSecretRefInvalid');
  expect(caught.message).toContain(message);
});
