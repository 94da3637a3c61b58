/**
 * Property-based test for EtcdCluster and its bind(): whatever the props, the library throws a
 * ValidationError or writes objects that pass the validators, the API server's value rules and the
 * cluster's own rules below (an odd member count, one --initial-cluster entry per member, a
 * quota below the volume). Fixed seed; FC_RUNS=<n> runs more.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, size, resourcesOf, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { AntiAffinity, EtcdCluster, EtcdVersion } from '../../src';
import { quantityValue } from '../util/api-rules';

function clusterErrors(objs: any[]): string[] {
  const out: string[] = [];
  for (const sts of objs.filter((o) => o.kind === 'StatefulSet')) {
    const n = sts.spec.replicas;
    if (n % 2 !== 1) out.push(`${sts.metadata.name}: ${n} members`);
    const c = sts.spec.template.spec.containers[0];
    const words: string[] = [...(c.command ?? []), ...(c.args ?? [])];
    const initial = words.find((a) => a.startsWith('--initial-cluster='));
    if (initial && initial.split('=').slice(1).join('=').split(',').length !== n) out.push(`${sts.metadata.name}: ${initial} for ${n} members`);
    const quota = Number(words.find((a) => a.startsWith('--quota-backend-bytes='))?.split('=')[1]);
    const volume = quantityValue(sts.spec.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage);
    if (Number.isFinite(quota) && Number.isFinite(volume) && quota >= volume) out.push(`${sts.metadata.name}: quota ${quota} ≥ volume ${volume}`);
  }
  return out;
}

const cron = (h: boolean) => either(fc.constantFrom('0 3 * * 0', '*/30 * * * *', '@daily'), fc.constantFrom('61 * * * *', '* * *', '*/0 * * * *', ''))(h);
const caseOf = (h: boolean) => fc.record({
  name: opt(word(h)),
  replicas: opt(count(h)),
  storageSize: opt(size(h)),
  quotaBackend: opt(either(fc.integer({ min: 64, max: 700 }).map((m) => Size.mebibytes(m)), size(true))(h)),
  compactionHours: opt(either(fc.integer({ min: 1, max: 72 }), fc.constantFrom(0, 0.5, 1e9))(h)),
  resources: resourcesOf(h),
  antiAffinity: opt(fc.constantFrom(...Object.values(AntiAffinity))),
  version: opt(either(fc.constantFrom('3.5.21', '3.6.6'), fc.constantFrom('latest', '', '3.4', 'v3.5.0'))(h)),
  defrag: opt(fc.record({ enabled: opt(fc.boolean()), schedule: opt(cron(h)), timeZone: opt(either(fc.constantFrom('Etc/UTC', 'Europe/Berlin'), fc.constantFrom('UTC+1', 'Mars/Base'))(h)) })),
  backup: opt(fc.record({ size: size(h), schedule: opt(cron(h)), keep: opt(count(h)) })),
  envName: opt(either(fc.constantFrom('ETCD_ENDPOINTS', 'MY_ETCD'), fc.constantFrom('', '1BAD', 'a b'))(h)),
});

test(`EtcdCluster and bind(): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(fc.boolean().chain(caseOf), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const etcd = new EtcdCluster(chart, 'etcd', {
      name: p.name,
      replicas: p.replicas,
      storageSize: p.storageSize,
      quotaBackend: p.quotaBackend,
      compactionRetention: p.compactionHours === undefined ? undefined : Duration.seconds(Math.round(p.compactionHours * 3600)),
      resources: p.resources,
      antiAffinity: p.antiAffinity,
      version: p.version === undefined ? undefined : EtcdVersion.of(p.version),
      defrag: p.defrag,
      backup: p.backup,
    });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
    etcd.bind(app, { envName: p.envName });
  }, clusterErrors)), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`EtcdCluster property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
