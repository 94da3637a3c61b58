import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaCluster } from './kafka-cluster';
import { ValidationError } from '../core/errors';
import { LabelKeys } from '../core/labels';
import { shortHash } from '../core/naming';
import { Warnings } from '../core/warnings';
import { MAX_TOPIC_NAME, TOPIC_NAME } from './private/util';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/workload/private/security';

/** A topic to create. */
export interface KafkaTopicOptions {
  /**
   * Topic name: letters, digits, '.', '_' and '-', at most 249 characters.
   * @default - the construct id
   */
  readonly name?: string;
  /** @default - the cluster's defaultPartitions (3) */
  readonly partitions?: number;
  /**
   * Must not exceed the brokers (checked again when the app synthesizes).
   * @default - the cluster's defaultReplicationFactor when `addTopic` is called
   */
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '604800000', 'cleanup.policy': 'compact' }`. @default - none */
  readonly config?: { [key: string]: string };
}

/** Props of a KafkaTopic; create topics with `KafkaCluster.addTopic`. */
export interface KafkaTopicProps extends KafkaTopicOptions {
  /** The cluster. */
  readonly cluster: KafkaCluster;
}

/**
 * A topic, created by a Job running `kafka-topics.sh --create --if-not-exists` once the
 * cluster answers. Idempotent: re-running it is harmless. It never changes an existing topic
 * (partitions, configs); the Job name carries a hash of its spec because a Job's pod template
 * is immutable, so a change gives a new Job instead of a rejected apply.
 */
export class KafkaTopic extends Construct {
  /** @internal Labels of topic Job pods of a cluster. */
  public static _jobLabels(clusterName: string): { [key: string]: string } {
    return { [LabelKeys.NAME]: 'kafka', [LabelKeys.INSTANCE]: clusterName, [LabelKeys.COMPONENT]: 'topic' };
  }

  /** The Kafka topic name. */
  public readonly topicName: string;
  /** Partitions. */
  public readonly partitions: number;
  /** Replication factor. */
  public readonly replicationFactor: number;
  /** The Job. */
  public readonly job: k8s.KubeJob;
  /** Labels of the Job's pods (the brokers' NetworkPolicies admit them). */
  public readonly podLabels: { [key: string]: string };

  private readonly config: { [key: string]: string };

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.topicName = props.name ?? id;
    this.partitions = props.partitions ?? cluster.defaultPartitions;
    this.replicationFactor = props.replicationFactor ?? cluster.defaultReplicationFactor;
    this.config = { ...(props.config ?? {}) };
    this.validateOptions();
    this._validate(cluster.brokers);

    this.podLabels = KafkaTopic._jobLabels(cluster.name);
    const args = [
      '--topic', this.topicName,
      '--partitions', String(this.partitions),
      '--replication-factor', String(this.replicationFactor),
      ...Object.keys(this.config).sort().flatMap((k) => ['--config', `${k}=${this.config[k]}`]),
    ];
    const base = this.topicName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    const hash = shortHash(JSON.stringify([cluster.name, args, cluster.version, cluster._internalProtocol]));
    const prefix = `${cluster.name}-topic-`;
    const name = `${prefix}${base.slice(0, 63 - prefix.length - 9).replace(/-+$/, '')}-${hash}`.replace(/--+/g, '-');

    const tls = cluster.tls;
    const env: k8s.EnvVar[] = [
      // Defined first: BOOTSTRAP refers to it when the chart has no namespace.
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'BOOTSTRAP', value: cluster._internalBootstrap },
      { name: 'MIN_BROKERS', value: String(this.replicationFactor) },
      { name: 'KAFKA_HEAP_OPTS', value: '-Xms128m -Xmx256m' },
    ];
    if (tls) env.push({ name: 'TLS_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: tls.passwordSecret.name, key: tls.passwordKey } } });
    const script = [
      'P=/tmp/client.properties',
      ': > "$P"',
      'if [ -n "${TLS_STORE_PASSWORD:-}" ]; then',
      '  printf "%s\\n" security.protocol=SSL ssl.keystore.type=PKCS12 ssl.keystore.location=/etc/kafka/tls/keystore.p12 \\',
      '    "ssl.keystore.password=$TLS_STORE_PASSWORD" ssl.truststore.type=PKCS12 ssl.truststore.location=/etc/kafka/tls/truststore.p12 \\',
      '    "ssl.truststore.password=$TLS_STORE_PASSWORD" > "$P"',
      'fi',
      // Wait until as many brokers as the replication factor answer: creating earlier fails.
      'n=0',
      'while :; do',
      '  up=$(/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" 2> /dev/null | grep -c "(id: " || true)',
      '  [ "$up" -ge "$MIN_BROKERS" ] && break',
      '  n=$((n + 1)); [ "$n" -lt 60 ] || { echo "only $up of $MIN_BROKERS brokers answered at $BOOTSTRAP" >&2; exit 1; }',
      '  echo "waiting for $MIN_BROKERS brokers, $up up ($n/60)"; sleep 10',
      'done',
      'exec /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config "$P" --create --if-not-exists "$@"',
    ].join('\n');
    const labels = { ...this.podLabels, [LabelKeys.PART_OF]: cluster.name, [LabelKeys.MANAGED_BY]: 'cdk8s-stateful', [LabelKeys.VERSION]: cluster.version };
    const volumes: k8s.Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }];
    const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
    if (tls) {
      volumes.push({ name: 'tls', secret: { secretName: tls.secret.name, defaultMode: 0o440 } });
      mounts.push({ name: 'tls', mountPath: '/etc/kafka/tls', readOnly: true });
    }
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: { name, labels },
      spec: {
        backoffLimit: 6,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(1000, 1000, 1000),
            containers: [{
              name: 'create-topic',
              image: cluster.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['bash', '-ec', script, 'create-topic'],
              args,
              env,
              resources: {
                requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('384Mi') },
                limits: { memory: k8s.Quantity.fromString('384Mi') },
              },
              volumeMounts: mounts,
              securityContext: restrictedContainerSecurity(),
            }],
            volumes,
          },
        },
      },
    });
  }

  /** @internal Checks against the cluster's broker count (again when the app synthesizes). */
  public _validate(brokers: number): void {
    if (this.replicationFactor > brokers) {
      throw new ValidationError(
        `topic '${this.topicName}' has replicationFactor ${this.replicationFactor} but the cluster has ${brokers} broker(s); use at most ${brokers} or add brokers`,
        this,
      );
    }
  }

  private validateOptions(): void {
    const n = this.topicName;
    if (!n || n.length > MAX_TOPIC_NAME || !TOPIC_NAME.test(n) || n === '.' || n === '..') {
      throw new ValidationError(
        `topic name '${n}' is not legal in Kafka: use 1-${MAX_TOPIC_NAME} characters from [a-zA-Z0-9._-], and not '.' or '..'`,
        this,
      );
    }
    if (n.startsWith('__')) {
      throw new ValidationError(`topic name '${n}' starts with '__', which Kafka reserves for internal topics; rename it`, this);
    }
    if (n.includes('.') && n.includes('_')) {
      Warnings.of(this).add('@cdk8s-stateful/kafka:topicNameMixesDotAndUnderscore',
        `topic name '${n}' mixes '.' and '_': Kafka metric names replace '.' with '_', so it can collide with another topic; use one of them`);
    }
    if (!Number.isInteger(this.partitions) || this.partitions < 1) {
      throw new ValidationError(`topic '${n}' has partitions ${this.partitions}; use a whole number ≥ 1`, this);
    }
    if (!Number.isInteger(this.replicationFactor) || this.replicationFactor < 1) {
      throw new ValidationError(`topic '${n}' has replicationFactor ${this.replicationFactor}; use a whole number ≥ 1`, this);
    }
    for (const [k, v] of Object.entries(this.config)) {
      if (!/^[a-z0-9][a-z0-9.]*$/.test(k)) throw new ValidationError(`topic '${n}' config key '${k}' is not a Kafka topic config name (e.g. 'retention.ms')`, this);
      if (v === '' || /[\n\r]/.test(v)) throw new ValidationError(`topic '${n}' config '${k}' needs a one-line, non-empty value`, this);
    }
    const isr = this.config['min.insync.replicas'];
    if (isr !== undefined && this.replicationFactor > 1 && Number(isr) >= this.replicationFactor) {
      throw new ValidationError(
        `topic '${n}' sets min.insync.replicas ${isr}, not below its replicationFactor ${this.replicationFactor}: one broker down would stop acks=all producers; use ${this.replicationFactor - 1}`,
        this,
      );
    }
  }
}
