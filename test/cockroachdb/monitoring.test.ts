// CockroachCluster monitoring (issue 12): /_status/vars on the HTTP port, over HTTPS verified
// with the node Secret's CA in secure mode; alerts and panels parse as PromQL.
import { Chart, Testing } from 'cdk8s';
import { CockroachCluster, CockroachClusterProps, CockroachSecurity, Monitoring } from '../../src';
import { promqlErrors, promqlOf } from '../util/promql';
import { promtoolTestRules, series } from '../util/promtool';
import { find, synthValidated } from '../util/validate';

const SECURE = CockroachSecurity.fromSecrets({ nodeSecretName: 'crdb-node', rootClientSecretName: 'crdb-root' });

function crdb(props: Partial<CockroachClusterProps> = {}, monitoring = Monitoring.prometheus()) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'ledger' });
  const cluster = new CockroachCluster(c, 'crdb', { security: SECURE, monitoring, ...props });
  return { cluster, objs: synthValidated(c, { externalSecrets: ['crdb-node', 'crdb-root'] }) };
}

describe('secure mode', () => {
  const { cluster, objs } = crdb({ replicas: 5 });

  test('the PodMonitor scrapes /_status/vars over HTTPS, verifying against the node CA as localhost', () => {
    const pm = find(objs, 'PodMonitor', 'crdb');
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['ledger'] });
    expect(pm.spec.podMetricsEndpoints).toEqual([{
      port: 'http',
      path: '/_status/vars',
      interval: '30s',
      scheme: 'https',
      tlsConfig: { ca: { secret: { name: 'crdb-node', key: 'ca.crt' } }, serverName: 'localhost' },
    }]);
    expect(cluster.monitoring?.podMonitor).toBeDefined();
  });

  test('the NetworkPolicy opens 8080 (and no other port) to Prometheus', () => {
    const rules = find(objs, 'NetworkPolicy', 'crdb').spec.ingress.filter((r: any) => JSON.stringify(r).includes('prometheus'));
    expect(rules).toEqual([{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: {} }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('alerts: unavailable and under-replicated ranges, nodes down against the replica count, volume full; valid PromQL', () => {
    const rules = find(objs, 'PrometheusRule', 'crdb').spec.groups[0].rules;
    const m = 'namespace="ledger",pod=~"crdb-[0-9]+"';
    expect(rules.map((r: any) => [r.alert, r.expr, r.for, r.labels.severity])).toEqual([
      ['CockroachUnavailableRanges', `sum(ranges_unavailable{${m}}) > 0`, '60s', 'critical'],
      ['CockroachUnderReplicatedRanges', `sum(ranges_underreplicated{${m}}) > 0`, '900s', 'warning'],
      ['CockroachNodesDown', `(max(liveness_livenodes{${m}}) or vector(0)) < 5`, '300s', 'critical'],
      ['CockroachVolumeFull', expect.stringContaining('persistentvolumeclaim=~"datadir-crdb-[0-9]+"'), '300s', 'critical'],
    ]);
    const dash = find(objs, 'ConfigMap', 'crdb-dashboard');
    expect(dash.metadata.labels.grafana_dashboard).toBe('1');
    const queries = promqlOf(objs);
    expect(queries.length).toBe(8);
    for (const q of queries) expect(promqlErrors(q)).toEqual([]);
  });
});

test('insecure mode: plain HTTP, no TLS config', () => {
  const { objs } = crdb({ security: CockroachSecurity.insecure() });
  expect(find(objs, 'PodMonitor', 'crdb').spec.podMetricsEndpoints).toEqual([{ port: 'http', path: '/_status/vars', interval: '30s' }]);
});

test('without the operator: annotations name the port, the path and the https scheme', () => {
  const { objs } = crdb({}, Monitoring.prometheus({ operator: false }));
  expect(find(objs, 'StatefulSet', 'crdb').spec.template.metadata.annotations).toMatchObject({
    'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/_status/vars', 'prometheus.io/scheme': 'https',
  });
  expect(objs.filter((o) => o.kind === 'PodMonitor' || o.kind === 'PrometheusRule')).toEqual([]);
});

test('promtool: CockroachNodesDown when a node is not live for 5 minutes or no node reports; unavailable ranges after 1 minute', () => {
  const { objs } = crdb();
  const rules = find(objs, 'PrometheusRule', 'crdb').spec.groups[0].rules;
  const at = (pod: string) => `namespace="ledger",pod="${pod}"`;
  const summary = (a: string) => rules.find((r: any) => r.alert === a).annotations.summary;
  const r = promtoolTestRules(rules, [{
    interval: '1m',
    input_series: series({
      [`liveness_livenodes{${at('crdb-0')}}`]: '3+0x4 2+0x20',
      [`liveness_livenodes{${at('crdb-1')}}`]: '3+0x4 2+0x20',
      [`ranges_unavailable{${at('crdb-0')},store="1"}`]: '0+0x9 4+0x10',
      [`ranges_unavailable{${at('crdb-1')},store="2"}`]: '0+0x20',
    }),
    alert_rule_test: [
      { eval_time: '8m', alertname: 'CockroachNodesDown', exp_alerts: [] },
      { eval_time: '11m', alertname: 'CockroachNodesDown', exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: { summary: summary('CockroachNodesDown') } }] },
      { eval_time: '10m', alertname: 'CockroachUnavailableRanges', exp_alerts: [] },
      { eval_time: '12m', alertname: 'CockroachUnavailableRanges', exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: { summary: summary('CockroachUnavailableRanges') } }] },
    ],
  }, {
    interval: '1m',
    input_series: series({ [`up{${at('crdb-0')}}`]: '0+0x20' }),
    alert_rule_test: [
      { eval_time: '10m', alertname: 'CockroachNodesDown', exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: { summary: summary('CockroachNodesDown') } }] },
    ],
  }]);
  expect(r.output).toContain('SUCCESS');
  expect(r.status).toBe(0);
});
