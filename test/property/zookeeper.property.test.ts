/**
 * Property-based test for ZooKeeperEnsemble and its bind(): whatever the props, the library throws
 * a ValidationError or writes objects that pass the validators, the API server's value rules and
 * the ensemble's own rules below (an odd member count, one server line per member with
 * myid = ordinal + 1 within 1..255, a heap below the memory limit). Fixed seed; FC_RUNS=<n> runs more.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, size, resourcesOf, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { ZooKeeperEnsemble, ZooKeeperVersion } from '../../src';

function ensembleErrors(objs: any[]): string[] {
  const out: string[] = [];
  for (const sts of objs.filter((o) => o.kind === 'StatefulSet')) {
    const n = sts.spec.replicas;
    const start = sts.spec.ordinals?.start ?? 0;
    const c = sts.spec.template.spec.containers.find((x: any) => x.name === 'zookeeper');
    const env = Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));
    if (n % 2 !== 1) out.push(`${sts.metadata.name}: ${n} members`);
    const ids = String(env.ZOO_SERVERS).split(' ').map((s) => Number(/^server\.(\d+)=/.exec(s)?.[1]));
    const want = Array.from({ length: n }, (_, i) => start + i + 1);
    if (JSON.stringify(ids) !== JSON.stringify(want)) out.push(`${sts.metadata.name}: server ids ${ids} for ordinals from ${start}`);
    if (want.some((i) => i < 1 || i > 255)) out.push(`${sts.metadata.name}: myid out of 1..255`);
    const heap = Number(/-Xmx(\d+)m/.exec(env.JVMFLAGS)?.[1]);
    const limit = c.resources?.limits?.memory;
    if (!(heap >= 64)) out.push(`${sts.metadata.name}: heap ${env.JVMFLAGS}`);
    if (limit && /^\d+Mi$/.test(limit) && heap >= Number(limit.replace('Mi', ''))) out.push(`${sts.metadata.name}: heap ${heap}m ≥ limit ${limit}`);
  }
  return out;
}

const caseOf = (h: boolean) => fc.record({
  name: opt(word(h)),
  replicas: opt(count(h)),
  ordinalsStart: opt(either(fc.integer({ min: 0, max: 300 }), fc.constantFrom(-1, 0.5, 2 ** 31))(h)),
  storage: opt(size(h)),
  resources: resourcesOf(h),
  heap: opt(either(
    fc.integer({ min: 64, max: 4096 }).map((m) => Size.mebibytes(m)),
    fc.constantFrom(Size.mebibytes(1), Size.kibibytes(1536), Size.gibibytes(NaN)),
  )(h)),
  autopurgeHours: opt(either(fc.integer({ min: 1, max: 168 }), fc.constantFrom(0, 0.5, 1 / 3600))(h)),
  retain: opt(either(fc.integer({ min: 3, max: 20 }), fc.constantFrom(0, 2, 3.5))(h)),
  maxClientConnections: opt(either(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(-1, 0.5))(h)),
  version: opt(either(fc.constantFrom('3.8.4', '3.9.4', '3.9.5'), fc.constantFrom('3.4.14', 'latest', '', '3.9'))(h)),
  chroot: opt(either(fc.stringMatching(/^(\/[a-z]{1,6}){1,3}$/), fc.constantFrom('', '/', 'x', '/a/', '/a/../b'))(h)),
});

test(`ZooKeeperEnsemble and bind(): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(fc.boolean().chain(caseOf), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const zk = new ZooKeeperEnsemble(chart, 'zk', {
      name: p.name,
      replicas: p.replicas,
      ordinalsStart: p.ordinalsStart,
      storage: p.storage,
      resources: p.resources,
      heap: p.heap,
      autopurgeInterval: p.autopurgeHours === undefined ? undefined : Duration.seconds(Math.round(p.autopurgeHours * 3600)),
      snapshotRetainCount: p.retain,
      maxClientConnections: p.maxClientConnections,
      version: p.version === undefined ? undefined : ZooKeeperVersion.of(p.version),
    });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
    zk.bind(app, { chroot: p.chroot });
  }, ensembleErrors)), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`ZooKeeperEnsemble property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(0);
  expect(outcomes.rejected).toBeGreaterThan(0);
});
