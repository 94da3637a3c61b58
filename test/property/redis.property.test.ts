/**
 * Property-based test of RedisCluster (generated props, tame and hostile): whatever the input, it
 * throws a ValidationError or writes objects that pass the validators and the API server's rules.
 */
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, seconds, size, Outcomes, onlyValidationErrorsOrValidOutput, resourcesOf } from './arbitraries';
import { RedisCluster, RedisClusterProps, RedisMaxMemoryPolicy, RedisMode, RedisPersistence, RedisVersion } from '../../src';

/** Sentinel props are left out in cluster mode half of the time (else RedisClusterSentinelProps is all it finds). */
const clusterMode = (h: boolean): fc.Arbitrary<RedisMode> => fc.record({
  shards: opt(count(h)),
  replicasPerShard: opt(either(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 0.5, 6, NaN))(h)),
  nodeTimeout: opt(seconds(h)),
}).map((o) => RedisMode.cluster(o));

const withoutSentinelProps = (p: RedisClusterProps): RedisClusterProps => {
  const { replicas: _r, quorum: _q, masterName: _m, downAfter: _d, failoverTimeout: _f, primaryService: _p, ...rest } = p;
  return rest;
};

const propsOf = (h: boolean): fc.Arbitrary<RedisClusterProps> => fc.record({
  name: opt(word(h)),
  mode: opt(fc.oneof(fc.constant(RedisMode.SENTINEL), clusterMode(h))),
  replicas: opt(count(h)),
  quorum: opt(count(h)),
  masterName: opt(either(fc.constantFrom('mymaster', 'sessions.a_b-1'), fc.constantFrom('', 'a b', '-x', 'x'.repeat(64)))(h)),
  downAfter: opt(seconds(h)),
  failoverTimeout: opt(seconds(h)),
  persistence: opt(fc.constantFrom(...Object.values(RedisPersistence))),
  maxMemoryPercent: opt(either(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, -5, 101, 50.5, NaN))(h)),
  maxMemoryPolicy: opt(fc.constantFrom(...Object.values(RedisMaxMemoryPolicy))),
  resources: resourcesOf(h),
  storageSize: opt(size(h)),
  version: opt(either(fc.constantFrom(RedisVersion.V7_2, RedisVersion.V7_4, RedisVersion.of('8.2.3')), fc.constantFrom(RedisVersion.of('latest'), RedisVersion.of('')))(h)),
  primaryService: opt(fc.boolean()),
}).chain((p) => (p.mode?.isCluster
  ? fc.boolean().map((keep) => (keep ? p : withoutSentinelProps(p)))
  : fc.constant(p))) as fc.Arbitrary<RedisClusterProps>;

test(`RedisCluster: only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  const props = fc.boolean().chain((hostile) => propsOf(hostile));
  fc.assert(fc.property(props, (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => new RedisCluster(chart, 'redis', p))), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`RedisCluster property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
