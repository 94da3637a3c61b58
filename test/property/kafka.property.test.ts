/**
 * Property-based tests (safety issue F) for KafkaCluster, addNodePool and addTopic: generated
 * props inside and far outside the documented domains. Whatever the input, the library either
 * throws a ValidationError or writes objects that pass the validators and the API server's
 * value rules. Fixed seed; FC_RUNS=<n> runs more cases.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { count, either, onlyValidationErrorsOrValidOutput, opt, Outcomes, RUNS, SEED, size, word } from './arbitraries';
import {
  KafkaAcl, KafkaAclOperation, KafkaAclPatternType, KafkaAuthentication, KafkaCluster, KafkaClusterProps, KafkaNodePoolOptions, KafkaTls,
  KafkaTopicOptions, KafkaVersion,
} from '../../src';
import { ValidationError } from '../../src/core/errors';

const ports = (base: number) => either(fc.constantFrom(base, base + 10000), fc.constantFrom(0, -1, 65536, 1.5, NaN, 9092));
const nodeId = either(fc.constantFrom(100, 200, 300, 1000), fc.constantFrom(-1, 0, 1.5, 2 ** 31, 2 ** 32, Infinity));
const odd = either(fc.constantFrom(1, 3, 5), fc.constantFrom(2, 4, 0, -1, 1.5, 2 ** 32, 1e8));
const clusterId = either(fc.constantFrom('MkU3OEVBNTcwNTJENDM2Qg', 'q1Sh-9_ISia_zwGINzRvyQ'), fc.constantFrom('', 'x', '5L6g3nShT-eMCtK--X86sw', 'MkU3OEVBNTcwNTJENDM2Qh'));
const version = either(fc.constantFrom(KafkaVersion.V3_9_2, KafkaVersion.V4_0_1, KafkaVersion.V4_1_2, KafkaVersion.V4_2_0),
  fc.constantFrom('', '3.6.0', '4.1', 'latest', '4.1.2 ', '99.0.0-rc1').map((v) => KafkaVersion.of(v)));
const configKey = either(fc.constantFrom('log.retention.hours', 'num.io.threads', 'message.max.bytes', 'compression.type', 'ssl.key.password'),
  fc.constantFrom('listeners', 'Log.Retention', 'a__b', 'kafka.metrics.reporters', 'x_.y', '', ' '));
const configValue = either(fc.constantFrom('1', '168', 'lz4'), fc.string({ maxLength: 20 }));
const topicName = either(fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/), fc.constantFrom('', '.', '..', '__x', 'a/b', 'x'.repeat(250), 'Orders.V2'));
const domain = either(fc.constantFrom('cluster.local', 'k8s.example'), fc.constantFrom('', 'UPPER', '-x', 'a..b', 'x'.repeat(300)));
const topologyKey = either(fc.constantFrom('topology.kubernetes.io/zone', 'example.com/rack'), word(true));
/** Memory limits with a heap that fits (tame), or anything (hostile). */
const heapOf = either(fc.constantFrom(Size.mebibytes(256), Size.mebibytes(512)), size(true));
const memory = (h: boolean) => opt(either(
  fc.constantFrom(Size.gibibytes(2), Size.gibibytes(4)).map((limit) => ({ memory: { request: limit, limit } })),
  fc.record({ memory: opt(fc.record({ request: opt(size(true)), limit: opt(size(true)) })) }),
)(h)) as fc.Arbitrary<kplus.ContainerResources | undefined>;

const storageOf = (h: boolean) => opt(fc.record({ size: opt(size(h)), expandable: opt(fc.boolean()) }));

const propsOf = (h: boolean): fc.Arbitrary<KafkaClusterProps> => fc.record({
  name: opt(word(h)),
  version: opt(version(h)),
  clusterId: opt(clusterId(h)),
  replicas: opt(odd(h)),
  controllers: opt(fc.record({ replicas: opt(odd(h)), storage: storageOf(h), resources: memory(h), heap: opt(heapOf(h)) })),
  storage: storageOf(h),
  resources: memory(h),
  heap: opt(heapOf(h)),
  listeners: opt(fc.record({ clientPort: opt(ports(9092)(h)), controllerPort: opt(ports(9093)(h)), internalPort: opt(ports(9094)(h)) })),
  defaultReplicationFactor: opt(either(fc.constantFrom(1, 2, 3), fc.constantFrom(0, 4, 1.5, 2 ** 31))(h)),
  minInsyncReplicas: opt(either(fc.constantFrom(1, 2), fc.constantFrom(0, 3, 1.5))(h)),
  defaultPartitions: opt(count(h)),
  autoCreateTopics: opt(fc.boolean()),
  config: opt(fc.dictionary(configKey(h), configValue(h), { maxKeys: 3 })),
  rackAwareness: opt(fc.record({ topologyKey: opt(topologyKey(h)) })),
  clusterDomain: opt(domain(h)),
  networkPolicy: opt(fc.boolean()),
}) as fc.Arbitrary<KafkaClusterProps>;

const poolsOf = (h: boolean) => fc.array(fc.record({
  id: word(h),
  options: fc.record({
    replicas: opt(count(h)), firstNodeId: opt(nodeId(h)), storage: storageOf(h), resources: memory(h), heap: opt(heapOf(h)), name: opt(word(h)),
  }),
}), { maxLength: 2 }) as fc.Arbitrary<Array<{ id: string; options: KafkaNodePoolOptions }>>;

const topicsOf = (h: boolean) => fc.array(fc.record({
  id: word(h),
  options: fc.record({
    name: opt(topicName(h)),
    partitions: opt(count(h)),
    replicationFactor: opt(either(fc.constantFrom(1, 2, 3), fc.constantFrom(0, 9, 1.5, 2 ** 31))(h)),
    config: opt(fc.dictionary(either(fc.constantFrom('retention.ms', 'cleanup.policy'), fc.constantFrom('Retention', 'a b', ''))(h), configValue(h), { maxKeys: 2 })),
  }),
}), { maxLength: 3 }) as fc.Arbitrary<Array<{ id: string; options: KafkaTopicOptions }>>;

const cases = fc.boolean().chain((h) => fc.record({ props: propsOf(h), pools: poolsOf(h), topics: topicsOf(h) }));

test(`KafkaCluster (+ addNodePool, addTopic): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(cases, (c) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const kafka = new KafkaCluster(chart, 'kafka', c.props);
    for (const p of c.pools) kafka.addNodePool(p.id, p.options);
    for (const t of c.topics) kafka.addTopic(t.id, t.options);
    // Relationships checked when the app synthesizes (brokers of every pool, replication) are
    // lazy validations: they return messages, which cdk8s reports together at synth. Collected
    // here, they count as rejections like a ValidationError (with a test-only code).
    const lazy = chart.node.findAll().flatMap((x) => x.node.validate());
    if (lazy.length) throw new ValidationError('LazyValidation', lazy.join('; '), chart);
  })), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`KafkaCluster property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
}, 300_000);

/** Authentication options: every mode, with or without TLS, users, PLAIN users and nodeCommonName. */
const authCases = fc.record({
  authentication: fc.constantFrom(
    KafkaAuthentication.NONE, KafkaAuthentication.SASL_PLAIN, KafkaAuthentication.SCRAM_SHA_512, KafkaAuthentication.MTLS, undefined,
  ),
  tls: fc.constantFrom(true, true, true, false),
  controllers: fc.boolean(),
  plainUsers: fc.constantFrom(['a'], ['a', 'b'], ['a b'], ['a', 'a'], []),
  /** PLAIN users on a cluster of another mode (an error) now and then. */
  strayPlainUsers: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  nodeCommonName: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom('events-broker', 'a,b', 'x'.repeat(65)), weight: 2 }),
  users: fc.array(fc.record({
    name: fc.constantFrom('orders', 'audit', 'billing', 'kafka-node', 'bad name'),
    password: fc.boolean(),
    acls: fc.array(fc.record({
      topic: fc.constantFrom('orders', 'orders-', '*', 'billing', 'a,b', ''),
      prefixed: fc.boolean(),
      ops: fc.subarray([KafkaAclOperation.READ, KafkaAclOperation.WRITE, KafkaAclOperation.DESCRIBE]),
    }), { maxLength: 2 }),
  }), { maxLength: 2 }),
});

const NODE_SECRETS = ['kafka-tls', 'kafka-tls-pw', 'pw'];

test(`no authenticated cluster has a listener without authentication, and users need an authorizer (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  let authenticated = 0;
  fc.assert(fc.property(authCases, (a) => {
    // What must hold of every StatefulSet of an authenticated cluster.
    const rules = (objs: any[]): string[] => {
      if ((a.authentication ?? KafkaAuthentication.NONE) === KafkaAuthentication.NONE) return [];
      authenticated++;
      return objs.filter((o) => o.kind === 'StatefulSet').flatMap((sts) => {
        const env: { [k: string]: any } = {};
        for (const e of sts.spec.template.spec.containers[0].env) env[e.name] = e.value;
        const map: string = env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP;
        const out: string[] = [];
        if (/PLAINTEXT/.test(map)) out.push(`${sts.metadata.name}: a listener without TLS: ${map}`);
        if (!/(^|,)INTERNAL:SSL(,|$)/.test(map) || !/(^|,)CONTROLLER:SSL(,|$)/.test(map)) out.push(`${sts.metadata.name}: INTERNAL/CONTROLLER not mTLS: ${map}`);
        if (env.KAFKA_LISTENER_NAME_CONTROLLER_SSL_CLIENT_AUTH !== 'required') out.push(`${sts.metadata.name}: CONTROLLER does not require a client certificate`);
        if (/INTERNAL/.test(env.KAFKA_LISTENERS) && env.KAFKA_LISTENER_NAME_INTERNAL_SSL_CLIENT_AUTH !== 'required') out.push(`${sts.metadata.name}: INTERNAL without client auth`);
        if (/CLIENT:SSL/.test(map) && /CLIENT/.test(env.KAFKA_LISTENERS) && env.KAFKA_LISTENER_NAME_CLIENT_SSL_CLIENT_AUTH !== 'required') {
          out.push(`${sts.metadata.name}: an authenticated CLIENT listener on SSL without client certificates`);
        }
        if (a.authentication !== KafkaAuthentication.SASL_PLAIN && env.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND !== 'false') out.push(`${sts.metadata.name}: no deny-by-default authorizer`);
        return out;
      });
    };
    onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
      let n = 0;
      const s = (name: string) => kplus.Secret.fromSecretName(chart, `s${n++}`, name);
      const kafka = new KafkaCluster(chart, 'kafka', {
        controllers: a.controllers ? {} : undefined,
        listeners: {
          authentication: a.authentication,
          tls: a.tls ? KafkaTls.fromPkcs12Secret(s('kafka-tls'), { passwordSecret: s('kafka-tls-pw') }) : undefined,
          users: a.authentication === KafkaAuthentication.SASL_PLAIN || a.strayPlainUsers ? a.plainUsers.map((u) => ({ username: u, passwordSecret: s('pw') })) : undefined,
          nodeCommonName: a.nodeCommonName,
        },
      });
      a.users.forEach((u, i) => kafka.addUser(`u${i}`, {
        name: u.name,
        passwordSecret: u.password ? s('pw') : undefined,
        acls: u.acls.map((x) => KafkaAcl.topic(x.topic, x.prefixed ? KafkaAclPatternType.PREFIXED : KafkaAclPatternType.LITERAL).allow(...x.ops)),
      }));
    }, rules, { runtimeLabelKeys: ['role'], externalSecrets: NODE_SECRETS });
  }), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`Kafka authentication property test: ${outcomes}, ${authenticated} authenticated\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 20);
  expect(authenticated).toBeGreaterThan(RUNS / 20);
}, 300_000);
