import { ApiObject, Chart, Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaAcl, KafkaAclOperation } from './acl';
import { KafkaCluster } from './kafka-cluster';
import { KafkaAuthentication, KafkaTls } from './listeners';
import { CLIENT_TLS_DIR } from './private/client-env';
import { KafkaUser } from './user';
import { ValidationError } from '../core/errors';
import { AlertSeverity, MonitoredPods, Monitoring } from '../core/kit/monitoring';
import { RecommendedLabels } from '../core/labels';
import { registerObjects } from '../core/registry';
import { Connections } from '../core/workload/connections';

/**
 * kafka_exporter (github.com/danielqsj/kafka_exporter): consumer-group offsets and lag, topic
 * and partition state, read with a Kafka client (Sarama). The image is FROM busybox with the
 * binary as ENTRYPOINT and no USER, so the pod sets a non-root uid (65534, nobody).
 */
export const KAFKA_EXPORTER_IMAGE = 'docker.io/danielqsj/kafka-exporter:v1.9.0';
const PORT = 9308;
const UID = 65534;
const CERT_DIR = '/etc/kafka-exporter-cert';

/** Props of a `KafkaExporter`. */
export interface KafkaExporterProps {
  /** The cluster to read consumer lag from. */
  readonly cluster: KafkaCluster;
  /** How the exporter is scraped, alerted on and drawn (the cluster's `Monitoring`, usually). */
  readonly monitoring: Monitoring;
  /**
   * `KafkaConsumerGroupLag` fires when a consumer group is more than this many messages
   * behind on a topic (`kafka_consumergroup_lag_sum`) for `lagFor`.
   * @default 1000
   */
  readonly lagThreshold?: number;
  /** How long the lag must stay above the threshold. @default Duration.minutes(10) */
  readonly lagFor?: Duration;
  /**
   * SCRAM or mTLS clusters: the user the exporter logs in as, created with `cluster.addUser()`
   * with DESCRIBE on every topic, every group and the cluster (what kafka_exporter reads).
   * SASL/PLAIN clusters: the name of one of `listeners.users` (they all may do everything).
   * @default 'kafka-exporter' (SCRAM, mTLS); required with SASL/PLAIN
   */
  readonly user?: string;
  /**
   * mTLS clusters: the exporter's client certificate, its subject CN equal to `user`. The
   * exporter reads PEM (`tls.crt`, `tls.key` of the Secret, as cert-manager writes them).
   * @default - none (required with KafkaAuthentication.MTLS)
   */
  readonly certificate?: KafkaTls;
  /** Pinned image. @default KAFKA_EXPORTER_IMAGE */
  readonly image?: string;
  /** @default - 50m CPU, 64 MiB requested, 128 MiB memory limit */
  readonly resources?: kplus.ContainerResources;
}

/**
 * A kafka_exporter Deployment next to a `KafkaCluster`: consumer-group lag for Prometheus, with
 * the alert `KafkaConsumerGroupLag` and a dashboard. It logs in as its own least-privilege user
 * when the cluster authenticates clients, reaches the brokers through `cluster.bind()`, and
 * its NetworkPolicy opens only the metrics port, only to the scraper. See docs/kafka.md,
 * "Consumer lag".
 */
export class KafkaExporter extends Construct {
  /** The Deployment (`<cluster>-kafka-exporter`, one replica: it only reads). */
  public readonly deployment: kplus.Deployment;
  /** The NetworkPolicy of the exporter pods. */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** Ingress into the exporter pods (port `metrics`). */
  public readonly connections: Connections;
  /** The user it logs in as (SCRAM or mTLS clusters). */
  public readonly user?: KafkaUser;
  /** Its scrape object, alert rule and dashboard. */
  public readonly monitored: MonitoredPods;
  /** The lag threshold of the alert. */
  public readonly lagThreshold: number;

  constructor(scope: Construct, id: string, props: KafkaExporterProps) {
    super(scope, id);
    const cluster = props.cluster;
    const auth = cluster.authentication;
    this.lagThreshold = props.lagThreshold ?? 1000;
    if (!Number.isInteger(this.lagThreshold) || this.lagThreshold < 1) {
      throw new ValidationError('KafkaExporterLagThresholdInvalid', `KafkaExporter lagThreshold must be a whole number of messages of at least 1, got ${this.lagThreshold}`, this);
    }
    const lagFor = props.lagFor ?? Duration.minutes(10);
    if (!Number.isInteger(lagFor.toSeconds()) || lagFor.toSeconds() < 60) {
      throw new ValidationError('KafkaExporterLagForInvalid', `KafkaExporter lagFor must be whole seconds of at least 1 minute, got ${lagFor.toHumanString()}`, this);
    }
    if (auth === KafkaAuthentication.SASL_PLAIN && !props.user) {
      throw new ValidationError('KafkaExporterUserRequired', "KafkaExporter: the cluster uses SASL/PLAIN; set 'user' to one of its listeners.users", this);
    }
    if (auth === KafkaAuthentication.MTLS && !props.certificate) {
      throw new ValidationError('KafkaExporterCertificateMissing',
        "KafkaExporter: the cluster authenticates clients by certificate (MTLS); set 'certificate' to the exporter's client certificate (subject CN = its user name)", this);
    }
    const username = props.user ?? 'kafka-exporter';
    if (auth === KafkaAuthentication.SCRAM_SHA_512 || auth === KafkaAuthentication.MTLS) {
      // What kafka_exporter calls: Metadata and ListOffsets (Describe topic), ListGroups
      // (Describe cluster or group), DescribeGroups and OffsetFetch (Describe group and topic).
      this.user = cluster.addUser(`${id}User`, {
        name: username,
        certificate: props.certificate,
        acls: [
          KafkaAcl.topic('*').allow(KafkaAclOperation.DESCRIBE),
          KafkaAcl.group('*').allow(KafkaAclOperation.DESCRIBE),
          KafkaAcl.cluster().allow(KafkaAclOperation.DESCRIBE),
        ],
      });
    }

    const name = `${cluster.name}-kafka-exporter`;
    const labels = new RecommendedLabels({ appName: 'kafka-exporter', instance: cluster.name, component: 'metrics', partOf: cluster.name });
    const mech = auth === KafkaAuthentication.SASL_PLAIN ? 'plain' : 'scram-sha512';
    // Flags: README.md and kafka_exporter.go (kingpin) of danielqsj/kafka_exporter. The
    // password is expanded by the kubelet from the env bind() sets, never written in the spec.
    const args = [
      // The bootstrap Service by its full name (the one the certificate covers), with the pod's
      // namespace at run time (kubelet expansion): it follows a kustomize `namespace:` overlay.
      `--kafka.server=${cluster.bootstrapService.name}.$(POD_NAMESPACE).svc.${cluster.clusterDomain}:${cluster.clientPort}`,
      // Sarama picks request versions by this release; the exporter's default is 2.0.0 and
      // Kafka 4 removed the oldest request versions (KIP-896), so the cluster's own is passed.
      `--kafka.version=${cluster.version.version}`,
      `--web.listen-address=:${PORT}`,
      ...(auth === KafkaAuthentication.SCRAM_SHA_512 || auth === KafkaAuthentication.SASL_PLAIN
        ? ['--sasl.enabled', `--sasl.mechanism=${mech}`, `--sasl.username=${username}`, '--sasl.password=$(KAFKA_SASL_PASSWORD)']
        : []),
      ...(cluster.tls ? ['--tls.enabled', `--tls.ca-file=${CLIENT_TLS_DIR}/ca.crt`] : []),
      ...(auth === KafkaAuthentication.MTLS ? [`--tls.cert-file=${CERT_DIR}/tls.crt`, `--tls.key-file=${CERT_DIR}/tls.key`] : []),
    ];
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name, labels: labels.stable },
      replicas: 1,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: UID, group: UID },
      containers: [{
        name: 'kafka-exporter',
        image: props.image ?? KAFKA_EXPORTER_IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        args,
        envVariables: { POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE) },
        ports: [{ name: 'metrics', number: PORT }],
        liveness: kplus.Probe.fromTcpSocket({ port: PORT, periodSeconds: Duration.seconds(20), failureThreshold: 3 }),
        resources: props.resources ?? {
          cpu: { request: kplus.Cpu.millis(50) },
          memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
        },
        securityContext: {
          ensureNonRoot: true,
          user: UID,
          group: UID,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });
    for (const [k, v] of Object.entries(labels.stable)) this.deployment.podMetadata.addLabel(k, v);
    if (props.certificate) {
      const cert = kplus.Volume.fromSecret(this, 'Cert', props.certificate.secret, {
        name: 'exporter-cert',
        items: { 'tls.crt': { path: 'tls.crt' }, 'tls.key': { path: 'tls.key' } },
      });
      this.deployment.containers[0].mount(CERT_DIR, cert, { readOnly: true });
    }
    // Env (bootstrap, SASL password), the CA and a NetworkPolicy rule into the brokers' client port.
    cluster.bind(this.deployment, auth === KafkaAuthentication.NONE ? {} : { user: username });

    this.connections = new Connections(this, labels.selector, [{ name: 'metrics', port: PORT }]);
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name, labels: labels.stable },
      spec: Lazy.any({ produce: () => this.connections._toKube() }),
    });
    registerObjects(this, ApiObject.of(this.deployment), this.networkPolicy);

    const ns = Chart.of(this).namespace;
    const m = `${ns ? `namespace="${ns}",` : ''}pod=~"${name}-[a-z0-9]+-[a-z0-9]+"`;
    this.monitored = props.monitoring.monitorPods(this, 'Monitoring', {
      name,
      namespace: ns,
      labels: labels.stable,
      selectorLabels: labels.selector,
      allowFrom: (peer, ports) => this.connections.allowFrom(peer, ports),
      portNumber: () => PORT,
      addPodAnnotation: (key, value) => this.deployment.podMetadata.addAnnotation(key, value),
    }, {
      endpoints: [{ port: 'metrics' }],
      alerts: [{
        name: 'KafkaConsumerGroupLag',
        expr: `max by (consumergroup, topic) (kafka_consumergroup_lag_sum{${m}}) > ${this.lagThreshold}`,
        for: lagFor,
        severity: AlertSeverity.WARNING,
        summary: `A consumer group is more than ${this.lagThreshold} messages behind on a topic`,
      }],
      panels: [
        { title: 'Consumer group lag', expr: `max by (consumergroup, topic) (kafka_consumergroup_lag_sum{${m}})` },
        { title: 'Messages in per topic', expr: `sum by (topic) (rate(kafka_topic_partition_current_offset{${m}}[5m]))`, unit: 'ops' },
      ],
      dashboardTitle: `Kafka ${cluster.name} consumer lag`,
    });
  }
}
