import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PodMonitor, PodMonitorSpecPodMetricsEndpointsScheme, PrometheusRule } from '../../imports/monitoring.coreos.com';
import { labelsError, wholeSecondsError } from '../api-rules';
import { ValidationError } from '../errors';
import { LabelKeys } from '../labels';
import { registerObjects } from '../registry';
import { StatefulWorkload } from '../workload/stateful-workload';
import { WorkloadVolume } from '../workload/volumes';

/** Options of `Monitoring.prometheus()`. */
export interface PrometheusMonitoringOptions {
  /**
   * Emit prometheus-operator objects (`PodMonitor`, `PrometheusRule`). Without the operator the
   * pods get the `prometheus.io/scrape|port|path` annotations instead (first endpoint only: the
   * convention has one port per pod) and no alert rules are emitted.
   * @default true
   */
  readonly operator?: boolean;
  /**
   * Labels put on the PodMonitor, PrometheusRule and dashboard ConfigMap: what your Prometheus's
   * `podMonitorSelector` and `ruleSelector` match (kube-prometheus-stack: `release: <its release>`).
   * @default - none
   */
  readonly selectorLabels?: { [key: string]: string };
  /**
   * Who may scrape: the NetworkPolicy opens the metrics ports (and only those) to this peer.
   * @default - pods labelled `app.kubernetes.io/name=prometheus` in any namespace
   */
  readonly allowFrom?: kplus.INetworkPolicyPeer;
  /** Scrape interval. @default Duration.seconds(30) */
  readonly interval?: Duration;
  /** Emit the alert rules (operator mode only). @default true */
  readonly alerts?: boolean;
  /** Emit a Grafana dashboard ConfigMap (label `grafana_dashboard: "1"`, the Grafana sidecar's convention). @default true */
  readonly dashboards?: boolean;
}

/** HTTPS scraping: the CA that signed the pods' server certificate, and a name it covers. */
export interface MetricsTls {
  /** Secret (in the workload's namespace) holding the CA certificate. */
  readonly caSecretName: string;
  /** Key of the CA certificate in the Secret. @default 'ca.crt' */
  readonly caKey?: string;
  /**
   * Host name to verify the certificate against (Prometheus scrapes pod IPs, which a
   * certificate seldom covers). @default - the target's address
   */
  readonly serverName?: string;
}

/** A port and path a pod serves Prometheus metrics on. */
export interface MetricsEndpoint {
  /** Name of a port of the workload's main container or of a sidecar. */
  readonly port: string;
  /** HTTP path. @default '/metrics' */
  readonly path?: string;
  /** Scrape over HTTPS, verifying the certificate with this CA. @default - plain HTTP */
  readonly tls?: MetricsTls;
}

/** How urgent an alert is (its `severity` label). */
export enum AlertSeverity {
  /** Needs attention soon. */
  WARNING = 'warning',
  /** Needs attention now: data or availability is at risk. */
  CRITICAL = 'critical',
}

/** A Prometheus alerting rule. */
export interface AlertRule {
  /** Alert name (PascalCase by convention, e.g. `PostgresNoPrimary`). */
  readonly name: string;
  /** PromQL expression; the alert fires for each series it returns. */
  readonly expr: string;
  /** How long the expression must hold before the alert fires. @default Duration.minutes(5) */
  readonly for?: Duration;
  /** @default AlertSeverity.WARNING */
  readonly severity?: AlertSeverity;
  /** One-line summary (the `summary` annotation). */
  readonly summary: string;
  /** Where the runbook is (the `runbook_url` annotation). @default - none */
  readonly runbookUrl?: string;
}

/** A panel of a Grafana dashboard: one PromQL query drawn as a time series. */
export interface DashboardPanel {
  /** Panel title. */
  readonly title: string;
  /** PromQL query. */
  readonly expr: string;
  /** Grafana unit id (`bytes`, `s`, `percentunit`, `short`). @default 'short' */
  readonly unit?: string;
}

/** What `Monitoring.monitor()` scrapes, alerts on and draws. */
export interface MonitorOptions {
  /** The metrics endpoints of each pod. */
  readonly endpoints: MetricsEndpoint[];
  /** Alert rules (operator mode). @default - none */
  readonly alerts?: AlertRule[];
  /** Dashboard panels; no dashboard when empty. @default - none */
  readonly panels?: DashboardPanel[];
  /** Dashboard title. @default - the workload's name */
  readonly dashboardTitle?: string;
}

/**
 * Prometheus monitoring of a workload: scrape objects (or annotations), a NetworkPolicy rule that
 * opens only the metrics ports to the scraper, alert rules and a Grafana dashboard.
 *
 * Systems take it as a `monitoring` prop; a `StatefulWorkload` of your own calls
 * `monitoring.monitor(workload, { endpoints: [{ port: 'metrics' }] })`.
 */
export class Monitoring {
  /** Monitoring by Prometheus, with or without the prometheus-operator. */
  public static prometheus(options: PrometheusMonitoringOptions = {}): Monitoring {
    return new Monitoring(options);
  }

  /**
   * The PromQL label matchers selecting a workload's pods (`namespace` when the chart has one,
   * `pod` by the StatefulSet's pod names), for alert rules and dashboards of your own.
   */
  public static podMatchers(workload: StatefulWorkload): string {
    const ns = workload.namespace;
    return `${ns ? `namespace="${ns}",` : ''}pod=~"${workload.name}-[0-9]+"`;
  }

  /** Whether prometheus-operator objects are emitted. */
  public readonly operator: boolean;
  /** Whether alert rules are emitted (operator mode). */
  public readonly alerts: boolean;
  /** Whether dashboards are emitted. */
  public readonly dashboards: boolean;

  private constructor(private readonly options: PrometheusMonitoringOptions) {
    this.operator = options.operator ?? true;
    this.alerts = this.operator && (options.alerts ?? true);
    this.dashboards = options.dashboards ?? true;
  }

  /** Monitor a workload: scrape its endpoints, open them to the scraper, add its alerts and dashboard. */
  public monitor(workload: StatefulWorkload, options: MonitorOptions): MonitoredWorkload {
    if (workload.node.tryFindChild('Monitoring')) {
      throw new ValidationError('MonitoringDuplicate', `workload '${workload.name}' is already monitored; call monitor() once with every endpoint`, workload);
    }
    return new MonitoredWorkload(workload, 'Monitoring', this.options, this, options);
  }

  /**
   * Monitor pods that are not a `StatefulWorkload` (a Deployment of your own, an exporter): the
   * objects are created under `scope` with id `id`.
   */
  public monitorPods(scope: Construct, id: string, pods: IMonitoredPods, options: MonitorOptions): MonitoredPods {
    return new MonitoredPods(scope, id, pods, this.options, this, options);
  }
}

/**
 * Pods monitored by `Monitoring.monitorPods()`: a Deployment or any pods that are not a
 * `StatefulWorkload` (e.g. an exporter next to a cluster).
 */
export interface IMonitoredPods {
  /** Name of the objects (PodMonitor, PrometheusRule, `<name>-dashboard`). */
  readonly name: string;
  /** Namespace of the pods. @default - the chart's */
  readonly namespace?: string;
  /** Labels put on the monitoring objects. */
  readonly labels: { [key: string]: string };
  /** Labels that select the pods. */
  readonly selectorLabels: { [key: string]: string };
  /** Open the named ports of the pods to a peer (the pods' NetworkPolicy). */
  allowFrom(peer: kplus.INetworkPolicyPeer, ports: string[]): void;
  /** The number of a named port (annotations name the number). */
  portNumber(name: string): number;
  /** Annotate the pods (scrape annotations without the operator). */
  addPodAnnotation(key: string, value: string): void;
}

/** The objects monitoring adds to a workload. */
export class MonitoredWorkload extends Construct {
  /** The PodMonitor (operator mode). */
  public readonly podMonitor?: ApiObject;
  /** The PrometheusRule (operator mode, when there are alerts). */
  public readonly prometheusRule?: ApiObject;
  /** The Grafana dashboard ConfigMap (when dashboards are on and there are panels). */
  public readonly dashboard?: k8s.KubeConfigMap;

  constructor(workload: StatefulWorkload, id: string, o: PrometheusMonitoringOptions, m: Monitoring, options: MonitorOptions) {
    super(workload, id);
    const target: IMonitoredPods = {
      name: workload.name,
      namespace: workload.namespace,
      labels: workload.labels,
      selectorLabels: workload.selectorLabels,
      allowFrom: (peer, ports) => workload.connections.allowFrom(peer, ports),
      portNumber: (name) => portOf(workload, name),
      addPodAnnotation: (key, value) => workload.addPodAnnotation(key, value),
    };
    const objects = emitMonitoring(this, target, o, m, options);
    this.podMonitor = objects.podMonitor;
    this.prometheusRule = objects.prometheusRule;
    this.dashboard = objects.dashboard;
  }
}

/** The objects monitoring adds to pods of `Monitoring.monitorPods()`. */
export class MonitoredPods extends Construct {
  /** The PodMonitor (operator mode). */
  public readonly podMonitor?: ApiObject;
  /** The PrometheusRule (operator mode, when there are alerts). */
  public readonly prometheusRule?: ApiObject;
  /** The Grafana dashboard ConfigMap (when dashboards are on and there are panels). */
  public readonly dashboard?: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, pods: IMonitoredPods, o: PrometheusMonitoringOptions, m: Monitoring, options: MonitorOptions) {
    super(scope, id);
    const objects = emitMonitoring(this, pods, o, m, options);
    this.podMonitor = objects.podMonitor;
    this.prometheusRule = objects.prometheusRule;
    this.dashboard = objects.dashboard;
  }
}

interface MonitoringObjects {
  readonly podMonitor?: ApiObject;
  readonly prometheusRule?: ApiObject;
  readonly dashboard?: k8s.KubeConfigMap;
}

function emitMonitoring(
  scope: Construct, t: IMonitoredPods, o: PrometheusMonitoringOptions, m: Monitoring, options: MonitorOptions,
): MonitoringObjects {
  const interval = o.interval ?? Duration.seconds(30);
  const intervalError = wholeSecondsError('monitoring interval', interval, 1, 3600);
  if (intervalError) throw new ValidationError('MonitoringIntervalInvalid', intervalError, scope);
  const labelError = labelsError('monitoring selectorLabels', o.selectorLabels);
  if (labelError) throw new ValidationError('MonitoringLabelsInvalid', labelError, scope);
  if (!options.endpoints.length) {
    throw new ValidationError('MonitoringEndpointsEmpty', "monitor() needs at least one endpoint, e.g. { port: 'metrics' }", scope);
  }
  const endpoints = options.endpoints.map((e) => ({ port: e.port, path: e.path ?? '/metrics', tls: e.tls }));
  for (const e of endpoints) {
    if (!/^\/[\x21-\x7e]*$/.test(e.path)) {
      throw new ValidationError('MonitoringPathInvalid', `metrics path '${e.path}' must start with '/' and contain no spaces`, scope);
    }
  }

  // Only the metrics ports, only to the scraper (WorkloadPortUnknown names a missing port).
  const scraper = o.allowFrom ?? kplus.Pods.select(scope, 'Scraper', {
    labels: { [LabelKeys.NAME]: 'prometheus' },
    namespaces: kplus.Namespaces.select(scope, 'ScraperNamespaces', {}),
  });
  t.allowFrom(scraper, [...new Set(endpoints.map((e) => e.port))]);

  const metadata = (name: string) => ({
    name,
    labels: { ...t.labels, ...(o.selectorLabels ?? {}) },
  });
  const seconds = `${interval.toSeconds()}s`;
  let podMonitor: ApiObject | undefined;
  let prometheusRule: ApiObject | undefined;
  let dashboard: k8s.KubeConfigMap | undefined;
  if (m.operator) {
    const ns = t.namespace;
    podMonitor = new PodMonitor(scope, 'PodMonitor', {
      metadata: metadata(t.name),
      spec: {
        selector: { matchLabels: { ...t.selectorLabels } },
        ...(ns ? { namespaceSelector: { matchNames: [ns] } } : {}),
        podMetricsEndpoints: endpoints.map((e) => ({
          port: e.port,
          path: e.path,
          interval: seconds,
          ...(e.tls ? {
            scheme: PodMonitorSpecPodMetricsEndpointsScheme.HTTPS,
            tlsConfig: { ca: { secret: { name: e.tls.caSecretName, key: e.tls.caKey ?? 'ca.crt' } }, serverName: e.tls.serverName },
          } : {}),
        })),
      },
    });
    registerObjects(scope, podMonitor);
  } else {
    const first = endpoints[0];
    t.addPodAnnotation('prometheus.io/scrape', 'true');
    t.addPodAnnotation('prometheus.io/port', `${t.portNumber(first.port)}`);
    t.addPodAnnotation('prometheus.io/path', first.path);
    if (first.tls) t.addPodAnnotation('prometheus.io/scheme', 'https');
  }

  const alerts = options.alerts ?? [];
  if (m.alerts && alerts.length) {
    prometheusRule = new PrometheusRule(scope, 'Rules', {
      metadata: metadata(t.name),
      spec: {
        groups: [{
          name: t.name,
          rules: alerts.map((a) => ({
            alert: a.name,
            expr: a.expr,
            for: `${(a.for ?? Duration.minutes(5)).toSeconds()}s`,
            labels: { severity: a.severity ?? AlertSeverity.WARNING },
            annotations: { summary: a.summary, ...(a.runbookUrl ? { runbook_url: a.runbookUrl } : {}) },
          })),
        }],
      },
    });
    registerObjects(scope, prometheusRule);
  }

  const panels = options.panels ?? [];
  if (m.dashboards && panels.length) {
    const name = `${t.name}-dashboard`;
    dashboard = new k8s.KubeConfigMap(scope, 'Dashboard', {
      metadata: { ...metadata(name), labels: { ...metadata(name).labels, grafana_dashboard: '1' } },
      data: { [`${name}.json`]: dashboardJson(options.dashboardTitle ?? t.name, `cdk8s-${t.name}`.slice(0, 40), panels) },
    });
    registerObjects(scope, dashboard);
  }
  return { podMonitor, prometheusRule, dashboard };
}

/** What `JmxExporterAgent` adds to a JVM workload. */
export interface JmxExporterAttachOptions {
  /** The env var the JVM reads extra options from (`KAFKA_OPTS`, `JVMFLAGS`, `JAVA_TOOL_OPTIONS`). */
  readonly jvmOptionsEnv: string;
  /** The agent's configuration (jmx_exporter YAML: `rules`, `lowercaseOutputName`, …). */
  readonly config: string;
  /** Port the agent serves `/metrics` on (a main-container port named `metrics`). @default 9404 */
  readonly port?: number;
}

/**
 * The Prometheus JMX exporter as a java agent in a JVM workload (Kafka, ZooKeeper, Cassandra):
 * an init container copies the agent jar from an image you pin into an emptyDir, the JVM loads it
 * with `-javaagent:` and serves JVM and MBean metrics on its own port. In-process, so no remote
 * JMX port is opened (the standalone HTTP server would need one).
 *
 * No maintained, non-Bitnami image ships the jar, so you pin one: e.g. a two-line image
 * `FROM busybox:1.37` + `COPY jmx_prometheus_javaagent-1.1.0.jar /jmx_prometheus_javaagent.jar`
 * (the jar from Maven Central, `io.prometheus.jmx:jmx_prometheus_javaagent`). The image needs `cp`.
 */
export class JmxExporterAgent {
  /** The agent jar at `jarPath` in `image` (pinned by tag or digest). */
  public static fromImage(image: string, jarPath: string = '/jmx_prometheus_javaagent.jar'): JmxExporterAgent {
    return new JmxExporterAgent(image, jarPath);
  }

  private constructor(public readonly image: string, public readonly jarPath: string) {}

  /** Load the agent into a workload's JVM. */
  public attach(workload: StatefulWorkload, options: JmxExporterAttachOptions): void {
    const last = this.image.split('/').pop() ?? '';
    if (/\s/.test(this.image) || !/[:@]./.test(last) || /:latest$/.test(this.image)) {
      throw new ValidationError('MonitoringAgentImageInvalid', `JMX exporter image '${this.image}' must be pinned by a tag other than latest or by digest, e.g. 'registry.example.com/jmx-exporter:1.1.0'`, workload);
    }
    if (!/^\/[^\s]*\.jar$/.test(this.jarPath)) {
      throw new ValidationError('MonitoringAgentJarInvalid', `JMX exporter jarPath '${this.jarPath}' must be an absolute path to a .jar file`, workload);
    }
    const port = options.port ?? 9404;
    const dir = '/opt/jmx-exporter';
    workload.volumes.add('jmx-exporter', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(32) }));
    workload.addInitContainer({
      name: 'jmx-exporter',
      image: this.image,
      command: ['cp', this.jarPath, `${dir}/jmx_prometheus_javaagent.jar`],
      mounts: [{ volume: 'jmx-exporter', mountPath: dir }],
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(32) } },
    });
    workload.addMount({ volume: 'jmx-exporter', mountPath: dir, readOnly: true });
    workload.volumes.addConfigFiles('jmx-exporter-config', { mountPath: '/etc/jmx-exporter', files: { 'config.yaml': options.config } });
    workload.addPort({ name: 'metrics', port });
    workload.addEnv(options.jvmOptionsEnv, kplus.EnvValue.fromValue(`-javaagent:${dir}/jmx_prometheus_javaagent.jar=${port}:/etc/jmx-exporter/config.yaml`));
  }
}

/** A port's number, from the main container or a sidecar (annotations need the number). */
function portOf(workload: StatefulWorkload, name: string): number {
  return workload.connections._port(name);
}

/** A small Grafana dashboard (schemaVersion 39): one time series per panel, two panels a row. */
function dashboardJson(title: string, uid: string, panels: DashboardPanel[]): string {
  const model = {
    title,
    uid,
    schemaVersion: 39,
    editable: true,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }] },
    panels: panels.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      datasource: { type: 'prometheus', uid: '${datasource}' },
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      targets: [{ refId: 'A', expr: p.expr, datasource: { type: 'prometheus', uid: '${datasource}' } }],
    })),
  };
  return `${JSON.stringify(model, undefined, 2)}\n`;
}
