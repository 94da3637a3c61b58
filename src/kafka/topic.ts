import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IKafkaCluster } from './kafka-cluster-ref';
import { Problem, topicBrokersProblem, topicProblem } from './private/checks';
import { topicJobLabels } from './private/labels';
import { TLS_DIR } from './private/node-env';
import { topicClientCertProblem } from './private/tls';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { JobScript, ScriptJob } from '../core/kit/script-job';
import { shortHash } from '../core/naming';
import { Warnings } from '../core/warnings';
import { WorkloadMount } from '../core/workload/container';
import { WorkloadVolume } from '../core/workload/volumes';

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
   * Must not exceed the brokers of every pool, pools added after the topic included (checked
   * when the app synthesizes).
   * @default - the cluster's defaultReplicationFactor when the topic is created
   */
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '604800000', 'cleanup.policy': 'compact' }`. @default - none */
  readonly config?: { [key: string]: string };
}

/** Props of a KafkaTopic. Usually created with `KafkaCluster.addTopic`. */
export interface KafkaTopicProps extends KafkaTopicOptions {
  /** The cluster. */
  readonly cluster: IKafkaCluster;
}

/**
 * A topic, made to converge on its spec by a Job (assets/create-topic.sh) once the cluster
 * answers: created when missing; on an existing topic, partitions are added up to `partitions`
 * and the `config` entries are set. What Kafka cannot do (fewer partitions, another replication
 * factor) fails the Job with a clear log line and changes nothing. Configs removed from `config`
 * are left on the topic (the Job logs them). Idempotent: re-running it is harmless. The Job name
 * carries a hash of its spec because a Job's pod template is immutable, so a change gives a new
 * Job instead of a rejected apply. `ApiObject.of(topic)` is the Job.
 */
export class KafkaTopic extends Construct {
  /**
   * @internal The first problem of a topic's own options (addTopic checks before it creates
   * anything). Not the brokers: pools may still be added, so that is checked at synth.
   */
  public static _problem(id: string, props: KafkaTopicProps): Problem | undefined {
    const name = props.name ?? id;
    const rf = props.replicationFactor ?? props.cluster.defaultReplicationFactor;
    const partitions = props.partitions ?? props.cluster.defaultPartitions;
    return topicProblem({ name, partitions, replicationFactor: rf, config: props.config ?? {} }) ?? topicClientCertProblem(props.cluster.tls);
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

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.topicName = props.name ?? id;
    this.partitions = props.partitions ?? cluster.defaultPartitions;
    this.replicationFactor = props.replicationFactor ?? cluster.defaultReplicationFactor;
    const config = { ...(props.config ?? {}) };
    const problem = KafkaTopic._problem(id, props);
    if (problem) throw new ValidationError(problem.code, problem.message, this);
    const [own, theirs] = [Chart.of(this).namespace, Chart.of(cluster).namespace];
    if (own !== theirs) {
      // The Job reaches brokers by names built from its own namespace, and only the cluster's namespace is admitted.
      throw new ValidationError('KafkaTopicNamespaceMismatch',
        `topic '${this.topicName}' is in namespace '${own ?? '(none)'}' but Kafka '${cluster.name}' in '${theirs ?? '(none)'}'; ` +
          "put the topic in a chart of the cluster's namespace (or use cluster.addTopic)", this);
    }
    if (this.topicName.includes('.') && this.topicName.includes('_')) {
      Warnings.of(this).add('@cdk8s-stateful/kafka:topicNameMixesDotAndUnderscore',
        `topic name '${this.topicName}' mixes '.' and '_': Kafka metric names replace '.' with '_', so it can collide with another topic; use one of them`);
    }
    // Brokers may still be added (or not) after the topic: checked when the app synthesizes.
    this.node.addValidation({
      validate: () => {
        const p = topicBrokersProblem(this.topicName, this.replicationFactor, cluster.brokers);
        return p ? [p.message] : [];
      },
    });

    const labels = topicJobLabels(cluster.name, cluster.version.version);
    this.podLabels = labels.selector;
    const topicConfig = Object.keys(config).sort().map((k) => `${k}=${config[k]}`).join('\n');
    const script = loadAsset('kafka/assets/create-topic.sh');
    const base = this.topicName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    const spec = [this.topicName, this.partitions, this.replicationFactor, topicConfig];
    // A Job's pod template is immutable: everything in it is in the name's hash. The bootstrap is
    // the first node of each broker pool that exists now (scaling pools never changes it; the
    // client learns every broker from the metadata), so the Job keeps its name across scale-out.
    const seeds = cluster.internalSeedServers;
    const tls = cluster.tls;
    // The pod template is immutable: the client keystore's Secret is part of the name (TLS only, so other names stay).
    const keyed = [cluster.name, ...spec, cluster.version.version, cluster.internalProtocol, script, seeds, ...(tls ? [tls.clientSecret?.name] : [])];
    const hash = shortHash(JSON.stringify(keyed));
    const prefix = `${cluster.name}-topic-`;
    const name = `${prefix}${base.slice(0, 63 - prefix.length - 9).replace(/-+$/, '')}-${hash}`.replace(/--+/g, '-');

    const env: { [name: string]: kplus.EnvValue } = {
      // Defined first: BOOTSTRAP refers to it when the chart has no namespace.
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
      BOOTSTRAP: kplus.EnvValue.fromValue(seeds),
      MIN_BROKERS: kplus.EnvValue.fromValue(String(this.replicationFactor)),
      TOPIC: kplus.EnvValue.fromValue(this.topicName),
      PARTITIONS: kplus.EnvValue.fromValue(String(this.partitions)),
      REPLICATION_FACTOR: kplus.EnvValue.fromValue(String(this.replicationFactor)),
      ...(topicConfig ? { TOPIC_CONFIG: kplus.EnvValue.fromValue(topicConfig) } : {}),
      KAFKA_HEAP_OPTS: kplus.EnvValue.fromValue('-Xms128m -Xmx256m'),
    };
    const volumes: { [name: string]: WorkloadVolume } = { tmp: WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(64) }) };
    const mounts: WorkloadMount[] = [{ volume: 'tmp', mountPath: '/tmp' }];
    if (tls) {
      env.TLS_STORE_PASSWORD = kplus.EnvValue.fromSecretValue({ secret: tls.passwordSecret, key: tls.passwordKey });
      // The Job's own client keystore (private/tls.ts), never the brokers'.
      volumes.tls = WorkloadVolume.fromSecret(tls.clientSecret!, { items: { 'keystore.p12': 'keystore.p12', 'truststore.p12': 'truststore.p12' } });
      mounts.push({ volume: 'tls', mountPath: TLS_DIR, readOnly: true });
    }
    this.job = new ScriptJob(this, 'Job', {
      name,
      labels: labels.all,
      image: cluster.image,
      script: JobScript.bash(script, { name: 'create-topic' }),
      containerName: 'create-topic',
      env,
      volumes,
      mounts,
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) } },
      fsGroup: 1000,
    }).job!;
    this.node.defaultChild = this.job;
  }
}
