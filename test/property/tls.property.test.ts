/**
 * Property-based test of the Tls kit (issue 12): generated issuers, durations, names and Secret
 * keys, inside and far outside the documented domains, issuing and mounting a certificate on a
 * StatefulWorkload. Either a ValidationError, or output that passes the validators (every
 * Certificate and Issuer against cert-manager's own CRD schema) with the durations cert-manager
 * accepts (duration ≥ 1 h, renewBefore ≥ 5 min and < duration, a common name of at most 64 characters).
 */
import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { StatefulWorkload, Tls, TlsIssuerKind } from '../../src';

const duration = either(fc.integer({ min: 1, max: 24 * 365 }).map((h) => Duration.hours(h)),
  fc.constantFrom(Duration.minutes(59), Duration.millis(1500), Duration.seconds(0), Duration.seconds(NaN), Duration.seconds(3600.5)));
const key = either(fc.constantFrom('tls.crt', 'tls.key', 'ca.crt', 'root.pem'), fc.constantFrom('', '.', '..', 'a/b', 'a b'));

/** Go duration (`720h`, `90m`, `30s`) → seconds. */
function goSeconds(d: string): number {
  const m = /^(\d+)(h|m|s)$/.exec(d);
  if (!m) throw new Error(`not a duration cert-manager writes: ${d}`);
  return Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as 'h' | 'm' | 's'];
}

const cases = fc.boolean().chain((h) => fc.record({
  fromSecret: fc.boolean(),
  issuer: opt(fc.record({ name: word(h), kind: opt(fc.constantFrom(TlsIssuerKind.ISSUER, TlsIssuerKind.CLUSTER_ISSUER)) })),
  selfSignedCa: opt(fc.boolean()),
  duration: opt(duration(h)),
  renewBefore: opt(duration(h)),
  name: word(h),
  secretName: word(h),
  caKey: opt(key(h)),
  clientAuth: opt(fc.boolean()),
  includeKey: opt(fc.boolean()),
}));

test(`Tls: only ValidationErrors, never a Certificate cert-manager rejects (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(cases, (c) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const w = new StatefulWorkload(chart, 'w', {
      image: 'docker.io/library/redis:7.4.1',
      ports: [{ name: 'redis', port: 6379 }],
      dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1) } },
    });
    const tls = c.fromSecret
      ? Tls.fromSecret({ secretName: c.secretName, caKey: c.caKey })
      : Tls.certManager({ issuer: c.issuer, selfSignedCa: c.selfSignedCa, duration: c.duration, renewBefore: c.renewBefore });
    tls.issue(w, 'Tls', { name: c.name, dnsNames: Tls.workloadDnsNames(w), clientAuth: c.clientAuth }).mount(w, { mountPath: '/tls', includeKey: c.includeKey });
  }, (objs) => objs.filter((o) => o.kind === 'Certificate').flatMap((o) => {
    const d = goSeconds(o.spec.duration);
    const r = goSeconds(o.spec.renewBefore);
    const cn = (o.spec.commonName ?? '').length <= 64 ? [] : [`${o.metadata.name}: commonName over 64 characters`];
    return [...cn, ...(d >= 3600 && r >= 300 && r < d ? [] : [`${o.metadata.name}: duration ${o.spec.duration}, renewBefore ${o.spec.renewBefore}`])];
  }), { runtimeLabelKeys: [], externalSecrets: [c.secretName] })), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`Tls property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
