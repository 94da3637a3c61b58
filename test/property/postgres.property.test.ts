/**
 * Property-based tests (safety issue, F) for PostgresCluster, with the generators of
 * workload.property.test.ts: props inside and far outside the documented domains, a bound client
 * sometimes. Whatever the input, the library either throws a ValidationError or writes objects
 * that pass the validators and the API server's value rules. Fixed seed; FC_RUNS=<n> runs more.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { either, opt, Outcomes, onlyValidationErrorsOrValidOutput, count, resourcesOf, RUNS, SEED, seconds, size, word } from './arbitraries';
import { PostgresCluster, PostgresClusterProps, PostgresVersion, ReplicationMode } from '../../src';

const ident = either(fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/), fc.constantFrom('', 'pg_x', 'postgres', 'replicator', 'Orders', 'a-b', 'x'.repeat(64)));
/** Tame: settings PostgreSQL takes, with fitting values. Hostile: any name, any value. */
const parameters = either(
  fc.dictionary(fc.constantFrom('work_mem', 'log_min_duration_statement', 'wal_level', 'random_page_cost'), fc.constant(''), { maxKeys: 3 })
    .map((d) => Object.fromEntries(Object.keys(d).map((k) => [k, ({ work_mem: '16MB', log_min_duration_statement: '250ms', wal_level: 'logical', random_page_cost: '1.5' } as any)[k]]))),
  fc.dictionary(
    fc.oneof(word(true), fc.constantFrom('port', 'listen_addresses', 'hot_standby', 'primary_conninfo', 'max_wal_size', 'max_slot_wal_keep_size', 'shared_buffers', 'myext.token')),
    fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', 'minimal', '99TB', '6GB', "it's", '-1', 'a\nb', 'password=x')),
    { maxKeys: 3 },
  ),
);
/** Tame: memory 512Mi to 8Gi, request ≤ limit. */
const pgResources = either(
  fc.record({ mem: fc.integer({ min: 512, max: 8192 }), cpu: fc.integer({ min: 100, max: 4000 }), limited: fc.boolean() })
    .map(({ mem, cpu, limited }) => ({
      cpu: { request: kplus.Cpu.millis(cpu) },
      memory: { request: Size.mebibytes(mem), limit: limited ? Size.mebibytes(mem) : undefined },
    })),
  resourcesOf(true).map((r) => r ?? {}),
);
const databases = (h: boolean) => either(
  fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-oq-z][a-z0-9_]{0,10}$/), owner: opt(fc.stringMatching(/^[a-oq-z][a-z0-9_]{0,10}_owner$/)) }),
    { minLength: 1, maxLength: 3, selector: (d) => d.name }),
  fc.array(fc.record({ name: ident(true), owner: opt(ident(true)) }), { maxLength: 3 }),
)(h);

const propsOf = (h: boolean): fc.Arbitrary<PostgresClusterProps> => fc.record({
  name: opt(word(h)),
  instances: opt(count(h)),
  version: opt(either(
    fc.constantFrom(PostgresVersion.V17, PostgresVersion.V16, PostgresVersion.V15),
    fc.constantFrom(PostgresVersion.of('17.x', '17'), PostgresVersion.of('18.1', '18'), PostgresVersion.of('16.4', '17'), PostgresVersion.of('', '')),
  )(h)),
  mode: opt(fc.constantFrom(ReplicationMode.PATRONI, ReplicationMode.STREAMING)),
  image: opt(either(fc.constant('registry.example/postgres:17.6'), fc.constantFrom('', 'has space:1', 'UPPER/case'))(h)),
  storage: opt(fc.record({ size: opt(size(h)), walSize: opt(size(h)) })),
  resources: opt(pgResources(h)),
  parameters: opt(parameters(h)),
  databases: opt(databases(h)),
  synchronous: opt(fc.boolean()),
  clusterDomain: opt(either(fc.constantFrom('cluster.local', 'k8s.example'), fc.constantFrom('', 'Bad_Domain', 'a..b', '-x'))(h)),
  terminationGracePeriod: opt(either(fc.integer({ min: 30, max: 600 }).map((s) => Duration.seconds(s)), seconds(true))(h)),
  backup: opt(fc.record({
    size: size(h),
    schedule: opt(either(fc.constantFrom('0 2 * * *', '*/15 * * * *'), fc.constantFrom('61 * * * *', 'daily', '*/0 * * * *', '* * * * 8'))(h)),
    timeZone: opt(either(fc.constantFrom('Europe/Berlin', 'UTC'), fc.constantFrom('UTC+1', 'Mars/Base', ''))(h)),
    keep: opt(count(h)),
    resources: resourcesOf(h),
    activeDeadline: opt(seconds(h)),
  })),
}) as fc.Arbitrary<PostgresClusterProps>;

/** Props, and sometimes a client bound to one of the databases. */
const cases = fc.boolean().chain((hostile) => fc.record({
  props: propsOf(hostile),
  bind: opt(fc.record({ database: hostile ? opt(ident(true)) : fc.constant(undefined), readOnly: opt(fc.boolean()) })),
}));

test(`PostgresCluster: only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(cases, ({ props, bind }) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const db = new PostgresCluster(chart, 'db', props);
    if (bind) {
      const api = new kplus.Deployment(chart, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2', portNumber: 8080 }] });
      db.bind(api, bind);
    }
    // Patroni labels pods with `role`; the streaming primary Service selects the pod-name label the StatefulSet controller sets.
  }, undefined, { runtimeLabelKeys: ['role', 'statefulset.kubernetes.io/pod-name'] })), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`PostgresCluster property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
}, 120_000);
