/**
 * Property-based test of Monitoring (issue 12): generated options and endpoints, inside and far
 * outside the documented domains, on a StatefulWorkload with an exporter sidecar. Either a
 * ValidationError, or output that passes the validators (the PodMonitor/PrometheusRule against
 * the upstream prometheus-operator schemas) with every PromQL expression parsing.
 */
import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, labelsOf, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { AlertSeverity, Monitoring, StatefulWorkload } from '../../src';
import { promqlErrors, promqlOf } from '../util/promql';

const interval = either(fc.integer({ min: 1, max: 600 }).map((s) => Duration.seconds(s)),
  fc.constantFrom(Duration.millis(1500), Duration.seconds(0), Duration.hours(3), Duration.seconds(NaN)));
const metricsPath = either(fc.constantFrom('/metrics', '/stats', '/a/b?x=1'), fc.constantFrom('', 'metrics', '/a b', '/\n'));
const port = either(fc.constantFrom('metrics', 'redis'), word(true));

const cases = fc.boolean().chain((h) => fc.record({
  operator: opt(fc.boolean()),
  alerts: opt(fc.boolean()),
  dashboards: opt(fc.boolean()),
  interval: opt(interval(h)),
  selectorLabels: opt(labelsOf(h)),
  endpoints: fc.array(fc.record({ port: port(h), path: opt(metricsPath(h)) }), { minLength: h ? 0 : 1, maxLength: 3 }),
  alertName: word(h),
}));

test(`Monitoring: only ValidationErrors, never an invalid manifest or unparsable PromQL (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(cases, (c) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const w = new StatefulWorkload(chart, 'w', {
      image: 'docker.io/library/redis:7.4.1',
      ports: [{ name: 'redis', port: 6379 }],
      dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1) } },
    });
    w.addSidecar({ name: 'exporter', image: 'quay.io/oliver006/redis_exporter:v1.67.0', ports: [{ name: 'metrics', port: 9121 }] });
    const pods = Monitoring.podMatchers(w);
    const { operator, alerts, dashboards, interval: every, selectorLabels } = c;
    Monitoring.prometheus({ operator, alerts, dashboards, interval: every, selectorLabels })
      .monitor(w, {
        endpoints: c.endpoints,
        alerts: [{ name: c.alertName, expr: `redis_up{${pods}} == 0`, severity: AlertSeverity.WARNING, summary: 'down' }],
        panels: [{ title: c.alertName, expr: `sum(redis_connected_clients{${pods}})` }],
      });
  }, (objs) => promqlOf(objs).flatMap(promqlErrors))), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`Monitoring property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
