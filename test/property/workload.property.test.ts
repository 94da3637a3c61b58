/**
 * Property-based tests (safety issue, F): generated props for StatefulWorkload, inside and far
 * outside the documented domains. Whatever the input, the library either throws a
 * ValidationError or writes objects that pass the validators and the API server's value rules.
 * Fixed seed; FC_RUNS=<n> runs more cases (the default keeps CI fast).
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  AccessMode, AntiAffinity, Errors, HealthProbe, PodManagementPolicy, StatefulWorkload, StatefulWorkloadProps, TaintEffect, UpdateStrategy,
  VolumeMode, ZoneSpread,
} from '../../src';
import { apiRuleErrors } from '../util/api-rules';
import { synthValidated } from '../util/validate';

export const RUNS = Number(process.env.FC_RUNS ?? 300);
export const SEED = Number(process.env.FC_SEED ?? 20261202);

/** An optional prop: left out or given. */
export function opt<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(a, { nil: undefined });
}

/** Each arbitrary has a tame form (documented domain) and a hostile one (anything). */
export function either<T>(tame: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): (h: boolean) => fc.Arbitrary<T> {
  return (h) => (h ? fc.oneof({ weight: 3, arbitrary: tame }, { weight: 1, arbitrary: hostile }) : tame);
}

/** Strings users type: mostly plausible, sometimes hostile. */
export const word = either(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/).filter((x) => !x.includes('--')), fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.constantFrom('', '-', 'A', 'a--b', 'x'.repeat(64), 'a.b', 'a/b', '../x', ' ', 'Redis', 'pg_x'),
));
export const count = either(fc.integer({ min: 1, max: 7 }), fc.constantFrom(-1, 0, 0.5, NaN, Infinity, 1001, 2 ** 31, 2 ** 32, 1e8));
export const seconds = either(
  fc.integer({ min: 1, max: 600 }).map((s) => Duration.seconds(s)),
  fc.constantFrom(Duration.millis(1500), Duration.millis(500), Duration.days(30000), Duration.seconds(0)),
);
export const size = either(
  fc.integer({ min: 1, max: 500 }).map((g) => Size.gibibytes(g)),
  fc.constantFrom(Size.kibibytes(1), Size.mebibytes(0), Size.gibibytes(Infinity), Size.gibibytes(NaN), Size.tebibytes(1e9), Size.gibibytes(0.5)),
);
export const path = either(
  fc.stringMatching(/^\/[a-z]{1,8}(\/[a-z]{1,8}){0,2}$/),
  fc.constantFrom('', '/', 'rel', '/a/../b', '//x//', '/./y', '/data/', '/data/x', '/dev/xvda', '/' + 'd/'.repeat(40)),
);
const labelsOf = (h: boolean) => fc.dictionary(word(h), word(h), { maxKeys: 3 });
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
const cpuOf = (h: boolean) => either(
  fc.integer({ min: 1, max: 4000 }).map((m) => kplus.Cpu.millis(m)),
  fc.constantFrom(kplus.Cpu.units(NaN), kplus.Cpu.units(Infinity), kplus.Cpu.units(2)),
)(h);
const resourcesOf = (h: boolean) => opt(fc.record({
  cpu: opt(fc.record({ request: opt(cpuOf(h)), limit: opt(cpuOf(h)) })),
  memory: opt(fc.record({ request: opt(size(h)), limit: opt(size(h)) })),
}));

const propsOf = (h: boolean): fc.Arbitrary<StatefulWorkloadProps> => fc.record({
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

/** How often each outcome happened, to show the generators reach both sides. */
export class Outcomes {
  public rejected = 0;
  public synthesized = 0;
  public readonly codes = new Map<string, number>();
  public toString(): string {
    return `${this.synthesized} synthesized, ${this.rejected} rejected (${this.codes.size} distinct codes)`;
  }
}

/** Runs `build`; a thrown error must be a ValidationError, an output must pass every check. */
export function onlyValidationErrorsOrValidOutput(outcomes: Outcomes, build: (chart: Chart) => void): void {
  const chart = new Chart(Testing.app(), 'p', { namespace: 'prop' });
  const rejected = (e: unknown): void => {
    if (!Errors.isValidationError(e)) throw e;
    outcomes.rejected++;
    const code = Errors.codeOf(e)!;
    outcomes.codes.set(code, (outcomes.codes.get(code) ?? 0) + 1);
  };
  try {
    build(chart);
  } catch (e) {
    return rejected(e);
  }
  let objs: any[];
  try {
    objs = synthValidated(chart, { runtimeLabelKeys: ['role'] });
  } catch (e) {
    return rejected(e);
  }
  outcomes.synthesized++;
  expect(apiRuleErrors(objs)).toEqual([]);
}

// Other property tests import the helpers above: run this one only in its own file.
const ownFile = expect.getState().testPath === __filename ? test : test.skip;
ownFile(`StatefulWorkload: only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(props, (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => new StatefulWorkload(chart, 'w', p))), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`StatefulWorkload property test: ${outcomes}\n`);
  // Both sides are reached: the generators are not all hostile, nor all tame.
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
