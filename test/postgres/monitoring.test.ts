import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors } from '../../src/core/errors';
import { Monitoring, PrometheusMonitoringOptions } from '../../src/core/kit/monitoring';
import { PostgresCluster, PostgresClusterProps, ReplicationMode } from '../../src/postgres';
import { promqlErrors, promqlOf } from '../util/promql';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

function synth(props: PostgresClusterProps = {}, ns: string | null = 'db') {
  const c = new Chart(new App(), 'test', { namespace: ns ?? undefined });
  const cluster = new PostgresCluster(c, 'orders-db', { monitoring: Monitoring.prometheus(), ...props });
  const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
  const sts = find(objs, 'StatefulSet', 'orders-db');
  return { cluster, objs, sts, exporter: container(sts, 'exporter') };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('Patroni mode', () => {
  const { cluster, objs, sts, exporter } = synth();

  test('a PodMonitor scrapes the exporter and Patroni, in the cluster namespace only', () => {
    const pm = find(objs, 'PodMonitor', 'orders-db');
    expect(pm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(pm.spec.selector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['db'] });
    expect(pm.spec.podMetricsEndpoints).toEqual([
      { port: 'exporter', path: '/metrics', interval: '30s' },
      { port: 'patroni', path: '/metrics', interval: '30s' },
    ]);
    expect(cluster.monitoring?.podMonitor).toBeDefined();
  });

  test('the exporter sidecar: pinned image, resources, restricted, least-privilege login', () => {
    expect(exporter.image).toMatch(/^quay\.io\/prometheuscommunity\/postgres-exporter:v0\.\d+\.\d+$/);
    expect(exporter.ports).toEqual([{ name: 'exporter', containerPort: 9187, protocol: 'TCP' }]);
    expect(exporter.resources).toEqual({ limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } });
    expect(exporter.securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
    });
    const env = envOf(exporter);
    expect(env.DATA_SOURCE_URI).toBe('localhost:5432/postgres?sslmode=require');
    expect(env.DATA_SOURCE_USER).toBe('metrics_exporter');
    expect(env.DATA_SOURCE_PASS).toEqual({ secretKeyRef: { name: 'orders-db-credentials', key: 'metrics-password' } });
    expect(exporter.args).toContain('--extend.query-path=/etc/postgres-exporter/queries.yaml');
    expect(exporter.volumeMounts).toEqual([{ name: 'exporter', mountPath: '/etc/postgres-exporter', readOnly: true }]);
  });

  test('the bootstrap creates the pg_monitor role and the generator its password', () => {
    const list = find(objs, 'ConfigMap', 'orders-db-bootstrap').data['databases.list'];
    expect(list.split('\n')[0]).toBe('role metrics_exporter /etc/postgres-credentials/metrics-password IN ROLE pg_monitor');
    const job = ofKind(objs, 'Job').find((j) => JSON.stringify(j).includes('orders-db-credentials'));
    expect(JSON.stringify(job)).toContain('metrics-password');
  });

  test('the NetworkPolicy opens only the metrics ports, only to Prometheus pods', () => {
    const np = find(objs, 'NetworkPolicy', 'orders-db');
    const rule = np.spec.ingress.find((r: any) => JSON.stringify(r).includes('prometheus'));
    expect(rule).toEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: {} }],
      ports: [{ port: 9187, protocol: 'TCP' }, { port: 8008, protocol: 'TCP' }],
    });
  });

  test('alert rules: the Postgres set, each a valid PromQL expression for this cluster', () => {
    const rule = find(objs, 'PrometheusRule', 'orders-db');
    const rules = rule.spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual([
      'PostgresNoPrimary', 'PostgresExporterDown', 'PostgresReplicaLagging', 'PostgresSlotRetainingWal',
      'PostgresConnectionsNearMax', 'PostgresXidWraparound', 'PostgresVolumeFull', 'PostgresVolumeFillingUp',
    ]);
    for (const r of rules) {
      expect(promqlErrors(r.expr)).toEqual([]);
      expect(r.labels.severity).toMatch(/^(warning|critical)$/);
      expect(r.annotations.summary).toBeTruthy();
    }
    expect(rules[0].expr).toBe('(sum(patroni_primary{namespace="db",pod=~"orders-db-[0-9]+"}) or vector(0)) != 1');
    // The WAL budget: a quarter of the 10 GiB data volume.
    expect(rules[3].expr).toContain(`> ${2560 * 1024 * 1024}`);
    expect(rules[6].expr).toContain('persistentvolumeclaim=~"(data)-orders-db-[0-9]+"');
  });

  test('a Grafana dashboard ConfigMap for the sidecar, valid JSON, every query valid PromQL', () => {
    const cm = find(objs, 'ConfigMap', 'orders-db-dashboard');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    const model = JSON.parse(cm.data['orders-db-dashboard.json']);
    expect(model.title).toBe('PostgreSQL orders-db');
    expect(model.uid.length).toBeLessThanOrEqual(40);
    expect(model.panels.length).toBeGreaterThanOrEqual(4);
    const queries = promqlOf(objs);
    expect(queries.length).toBe(8 + model.panels.length);
    for (const q of queries) expect(promqlErrors(q)).toEqual([]);
  });
});

test('streaming mode: the exporter only (no Patroni), plain connection, role after the replication role', () => {
  const { objs, exporter } = synth({ mode: ReplicationMode.STREAMING, storage: { walSize: Size.gibibytes(2) } });
  expect(find(objs, 'PodMonitor', 'orders-db').spec.podMetricsEndpoints.map((e: any) => e.port)).toEqual(['exporter']);
  expect(envOf(exporter).DATA_SOURCE_URI).toBe('localhost:5432/postgres?sslmode=disable');
  const list = find(objs, 'ConfigMap', 'orders-db-initdb').data['databases.list'].split('\n');
  expect(list.slice(0, 2)).toEqual([
    'role replicator /etc/postgres-credentials/replication-password REPLICATION',
    'role metrics_exporter /etc/postgres-credentials/metrics-password IN ROLE pg_monitor',
  ]);
  const rules = find(objs, 'PrometheusRule', 'orders-db').spec.groups[0].rules;
  expect(rules[0].expr).toBe('(count(pg_replication_is_replica{namespace="db",pod=~"orders-db-[0-9]+"} == 0) or vector(0)) != 1');
  expect(rules.find((r: any) => r.alert === 'PostgresVolumeFull').expr).toContain('"(data|wal)-orders-db-[0-9]+"');
  for (const q of promqlOf(objs)) expect(promqlErrors(q)).toEqual([]);
});

test('without the operator: scrape annotations on the pods, no CRD objects; the dashboard stays', () => {
  const { objs, sts } = synth({ monitoring: Monitoring.prometheus({ operator: false }) });
  expect(ofKind(objs, 'PodMonitor')).toEqual([]);
  expect(ofKind(objs, 'PrometheusRule')).toEqual([]);
  expect(sts.spec.template.metadata.annotations).toMatchObject({
    'prometheus.io/scrape': 'true', 'prometheus.io/port': '9187', 'prometheus.io/path': '/metrics',
  });
  expect(find(objs, 'ConfigMap', 'orders-db-dashboard')).toBeDefined();
});

test('options: selector labels, scrape interval, a custom scraper peer, alerts and dashboards off', () => {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const scraper = kplus.Pods.select(c, 'Prom', { labels: { app: 'prom' }, namespaces: kplus.Namespaces.select(c, 'Mon', { names: ['monitoring'] }) });
  const options: PrometheusMonitoringOptions = {
    selectorLabels: { release: 'kube-prometheus-stack' }, interval: Duration.seconds(15), allowFrom: scraper, alerts: false, dashboards: false,
  };
  const cluster = new PostgresCluster(c, 'orders-db', { monitoring: Monitoring.prometheus(options) });
  const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
  const pm = find(objs, 'PodMonitor', 'orders-db');
  expect(pm.metadata.labels.release).toBe('kube-prometheus-stack');
  expect(pm.spec.podMetricsEndpoints[0].interval).toBe('15s');
  expect(ofKind(objs, 'PrometheusRule')).toEqual([]);
  expect(ofKind(objs, 'ConfigMap').filter((m) => m.metadata.labels?.grafana_dashboard)).toEqual([]);
  const np = find(objs, 'NetworkPolicy', 'orders-db');
  expect(np.spec.ingress).toContainEqual({
    from: [{
      podSelector: { matchLabels: { app: 'prom' } },
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }] },
    }],
    ports: [{ port: 9187, protocol: 'TCP' }, { port: 8008, protocol: 'TCP' }],
  });
});

test('without a chart namespace, the PodMonitor and rules match by pod name only', () => {
  const { objs } = synth({}, null);
  expect(find(objs, 'PodMonitor', 'orders-db').spec.namespaceSelector).toBeUndefined();
  expect(find(objs, 'PrometheusRule', 'orders-db').spec.groups[0].rules[0].expr).toBe('(sum(patroni_primary{pod=~"orders-db-[0-9]+"}) or vector(0)) != 1');
});

test('an owner named like the monitoring role is rejected', () => {
  const e = thrown(() => synth({ databases: [{ name: 'app', owner: 'metrics_exporter' }] }));
  expect(Errors.codeOf(e)).toBe('PostgresOwnerReserved');
});

test.each<[string, PrometheusMonitoringOptions, string, string]>([
  ['fractional interval', { interval: Duration.millis(1500) }, 'monitoring interval', 'MonitoringIntervalInvalid'],
  ['zero interval', { interval: Duration.seconds(0) }, 'monitoring interval', 'MonitoringIntervalInvalid'],
  ['bad selector label', { selectorLabels: { 'bad key!': 'x' } }, 'monitoring selectorLabels', 'MonitoringLabelsInvalid'],
])('bad monitoring options: %s', (_, options, message, code) => {
  const e = thrown(() => synth({ monitoring: Monitoring.prometheus(options) }));
  expect(e.message).toContain(message);
  expect(Errors.codeOf(e)).toBe(code);
});
