import { Chart, Duration, Size, Testing } from 'cdk8s';
import { AlertSeverity, Monitoring, MonitorOptions, StatefulWorkload } from '../../../src';
import { Errors } from '../../../src/core/errors';
import { promqlErrors, promqlOf } from '../../util/promql';
import { container, find, ofKind, synthValidated } from '../../util/validate';

function workload(namespace: string | null = 'shop'): StatefulWorkload {
  const c = new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
  const w = new StatefulWorkload(c, 'sessions', {
    image: 'docker.io/library/redis:7.4.1',
    ports: [{ name: 'redis', port: 6379 }],
    dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1) } },
    security: { user: 999, group: 999 },
  });
  w.addSidecar({ name: 'exporter', image: 'quay.io/oliver006/redis_exporter:v1.67.0', ports: [{ name: 'metrics', port: 9121 }] });
  return w;
}

const OPTIONS: MonitorOptions = {
  endpoints: [{ port: 'metrics' }],
  alerts: [{ name: 'RedisDown', expr: 'redis_up{pod=~"sessions-[0-9]+"} == 0', for: Duration.minutes(2), severity: AlertSeverity.CRITICAL, summary: 'Redis is down', runbookUrl: 'https://example.com/redis' }],
  panels: [{ title: 'Clients', expr: 'sum by (pod) (redis_connected_clients{pod=~"sessions-[0-9]+"})' }],
};

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

test("a user's workload: a sidecar's metrics port scraped, opened to Prometheus only, rules and dashboard", () => {
  const w = workload();
  const m = Monitoring.prometheus().monitor(w, OPTIONS);
  const objs = synthValidated(Chart.of(w));
  expect(find(objs, 'PodMonitor', 'sessions').spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  expect(m.podMonitor?.kind).toBe('PodMonitor');
  const np = find(objs, 'NetworkPolicy', 'sessions');
  expect(np.spec.ingress).toEqual([
    { from: [{ podSelector: { matchLabels: w.selectorLabels } }] },
    { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: {} }], ports: [{ port: 9121, protocol: 'TCP' }] },
  ]);
  const rule = find(objs, 'PrometheusRule', 'sessions').spec.groups[0].rules[0];
  expect(rule).toEqual({
    alert: 'RedisDown',
    expr: OPTIONS.alerts![0].expr,
    for: '120s',
    labels: { severity: 'critical' },
    annotations: { summary: 'Redis is down', runbook_url: 'https://example.com/redis' },
  });
  for (const q of promqlOf(objs)) expect(promqlErrors(q)).toEqual([]);
  expect(JSON.parse(find(objs, 'ConfigMap', 'sessions-dashboard').data['sessions-dashboard.json']).panels[0].targets[0].expr).toBe(OPTIONS.panels![0].expr);
  expect(container(find(objs, 'StatefulSet', 'sessions'), 'exporter').ports[0].containerPort).toBe(9121);
});

test('podMatchers: namespace when the chart has one, pod names always', () => {
  expect(Monitoring.podMatchers(workload())).toBe('namespace="shop",pod=~"sessions-[0-9]+"');
  expect(Monitoring.podMatchers(workload(null))).toBe('pod=~"sessions-[0-9]+"');
});

test('without the operator: annotations for the first endpoint, no CRD objects, no alerts', () => {
  const w = workload();
  const m = Monitoring.prometheus({ operator: false });
  expect(m.alerts).toBe(false);
  m.monitor(w, { ...OPTIONS, endpoints: [{ port: 'metrics', path: '/stats' }, { port: 'redis' }] });
  const objs = synthValidated(Chart.of(w));
  expect(ofKind(objs, 'PodMonitor')).toEqual([]);
  expect(ofKind(objs, 'PrometheusRule')).toEqual([]);
  expect(find(objs, 'StatefulSet', 'sessions').spec.template.metadata.annotations).toEqual({
    'prometheus.io/scrape': 'true', 'prometheus.io/port': '9121', 'prometheus.io/path': '/stats',
  });
});

test('a sidecar port clashing with a pod port is rejected (containers share the network namespace)', () => {
  const w = workload();
  expect(Errors.codeOf(thrown(() => w.addSidecar({ name: 'x', image: 'a:1', ports: [{ name: 'metrics', port: 1 }] })))).toBe('WorkloadPortDuplicate');
  expect(Errors.codeOf(thrown(() => w.addSidecar({ name: 'y', image: 'a:1', ports: [{ name: 'other', port: 6379 }] })))).toBe('WorkloadPortNumberDuplicate');
  expect(Errors.codeOf(thrown(() => w.addPort({ name: 'metrics', port: 2 })))).toBe('WorkloadPortDuplicate');
});

test.each<[string, (w: StatefulWorkload) => unknown, string, string]>([
  ['twice', (w) => { Monitoring.prometheus().monitor(w, OPTIONS); Monitoring.prometheus().monitor(w, OPTIONS); }, "workload 'sessions' is already monitored", 'MonitoringDuplicate'],
  ['no endpoints', (w) => Monitoring.prometheus().monitor(w, { endpoints: [] }), 'monitor() needs at least one endpoint', 'MonitoringEndpointsEmpty'],
  ['relative path', (w) => Monitoring.prometheus().monitor(w, { endpoints: [{ port: 'metrics', path: 'metrics' }] }), "metrics path 'metrics' must start with '/'", 'MonitoringPathInvalid'],
  ['path with a space', (w) => Monitoring.prometheus().monitor(w, { endpoints: [{ port: 'metrics', path: '/a b' }] }), "metrics path '/a b'", 'MonitoringPathInvalid'],
  ['unknown port', (w) => Monitoring.prometheus().monitor(w, { endpoints: [{ port: 'prom' }] }), "no port named 'prom'; ports are: redis, metrics", 'WorkloadPortUnknown'],
  ['NaN interval (a ValidationError, not cdk8s\'s plain Error)', (w) => Monitoring.prometheus({ interval: Duration.seconds(NaN) }).monitor(w, OPTIONS), 'got NaN', 'MonitoringIntervalInvalid'],
  ['interval too long', (w) => Monitoring.prometheus({ interval: Duration.hours(2) }).monitor(w, OPTIONS), 'monitoring interval', 'MonitoringIntervalInvalid'],
])('bad monitor(): %s', (_, f, message, code) => {
  const e = thrown(() => f(workload()));
  expect(e.message).toContain(message);
  expect(Errors.codeOf(e)).toBe(code);
});
