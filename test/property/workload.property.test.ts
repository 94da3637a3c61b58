/**
 * Property-based tests (safety issue, F): generated props for StatefulWorkload, inside and far
 * outside the documented domains. Whatever the input, the library either throws a
 * ValidationError or writes objects that pass the validators and the API server's value rules.
 * Fixed seed; FC_RUNS=<n> runs more cases (the default keeps CI fast).
 */
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, seconds, size, path, Outcomes, onlyValidationErrorsOrValidOutput, labelsOf, resourcesOf } from './arbitraries';
import {
  AccessMode, AntiAffinity, HealthProbe, PodManagementPolicy, StatefulWorkload, StatefulWorkloadProps, TaintEffect, UpdateStrategy,
  VolumeMode, ZoneSpread,
} from '../../src';

const probeOf = (h: boolean) => opt(fc.record({
  kind: fc.constantFrom('tcp', 'http', 'exec'),
  port: either(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, 70000, -1))(h),
  period: opt(seconds(h)),
  timeout: opt(seconds(h)),
  failureThreshold: opt(count(h)),
  successThreshold: opt(count(h)),
}).map((p) => {
  const o = { period: p.period, timeout: p.timeout, failureThreshold: p.failureThreshold, successThreshold: p.successThreshold };
  return p.kind === 'tcp' ? HealthProbe.tcpSocket(p.port, o) : p.kind === 'http' ? HealthProbe.httpGet('/', p.port, o) : HealthProbe.exec(p.port > 0 ? ['true'] : [], o);
}));
export const propsOf = (h: boolean): fc.Arbitrary<StatefulWorkloadProps> => fc.record({
  image: either(fc.constant('docker.io/library/redis:7.4.1'), fc.constantFrom('', 'has space:1'))(h),
  name: opt(word(h)),
  replicas: opt(count(h)),
  appName: opt(word(h)),
  component: opt(word(h)),
  ports: opt(fc.array(fc.record({
    name: word(h), port: either(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, 65536, 1.5))(h),
  }), { maxLength: 3 })),
  env: opt(fc.dictionary(word(h), fc.string({ maxLength: 5 }).map((v) => kplus.EnvValue.fromValue(v)), { maxKeys: 3 })),
  resources: resourcesOf(h),
  readiness: probeOf(h),
  liveness: probeOf(h),
  dataVolumes: opt(fc.dictionary(word(h), fc.record({
    mountPath: path(h),
    size: size(h),
    subPath: opt(either(fc.constantFrom('pgdata', 'a/b'), fc.constantFrom('../x', '/abs'))(h)),
    accessMode: opt(fc.constantFrom(...Object.values(AccessMode))),
    volumeMode: opt(fc.constantFrom(...Object.values(VolumeMode))),
    expandable: opt(fc.boolean()),
  }), { maxKeys: 2 })),
  scratchPaths: opt(fc.array(path(h), { maxLength: 3 })),
  podManagementPolicy: opt(fc.constantFrom(...Object.values(PodManagementPolicy))),
  updateStrategy: opt(fc.oneof(fc.constant(UpdateStrategy.onDelete()), count(h).map((n) => UpdateStrategy.rollingUpdate(n)))),
  minReady: opt(seconds(h)),
  ordinalsStart: opt(count(h)),
  terminationGracePeriod: opt(seconds(h)),
  disruptionBudget: opt(fc.record({ maxUnavailable: opt(count(h)) })),
  placement: opt(fc.record({
    antiAffinity: opt(fc.constantFrom(...Object.values(AntiAffinity))),
    zoneSpread: opt(fc.constantFrom(...Object.values(ZoneSpread))),
    nodeSelector: opt(labelsOf(h)),
    tolerations: opt(fc.array(fc.record({
      key: word(h), value: opt(word(h)), effect: opt(fc.constantFrom(...Object.values(TaintEffect))),
    }), { maxLength: 2 })),
    dedicatedNodes: opt(fc.record({ key: word(h), value: word(h) })),
    priorityClassName: opt(word(h)),
  })),
  security: opt(fc.record({ user: opt(count(h)), group: opt(count(h)) })),
  podLabels: opt(labelsOf(h)),
  podAnnotations: opt(labelsOf(h)),
}, { requiredKeys: ['image'] }) as fc.Arbitrary<StatefulWorkloadProps>;

/** Half the cases stay inside the documented domains, half mix in hostile values. */
const props = fc.boolean().chain((hostile) => propsOf(hostile));

test(`StatefulWorkload: only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(props, (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => new StatefulWorkload(chart, 'w', p))), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`StatefulWorkload property test: ${outcomes}\n`);
  // Both sides are reached: the generators are not all hostile, nor all tame.
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
