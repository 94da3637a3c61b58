// "Run Kafka": a 3-node KRaft cluster (combined brokers and controllers, static quorum) on the
// official apache/kafka image, an `orders` topic created by an idempotent Job, and a client
// Deployment bound to the cluster: it gets KAFKA_BOOTSTRAP_SERVERS and a NetworkPolicy rule
// that lets it reach the client port, and nothing else can.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaCluster, KafkaVersion } from 'cdk8s-stateful';

export class KafkaExampleChart extends Chart {
  public readonly kafka: KafkaCluster;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'streaming' });

    this.kafka = new KafkaCluster(this, 'events', {
      version: KafkaVersion.V4_1_2,
      replicas: 3,
      storage: { size: Size.gibibytes(50) },
      resources: {
        cpu: { request: kplus.Cpu.millis(500) },
        memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
      },
      config: { 'log.retention.hours': '168' },
    });

    this.kafka.addTopic('orders', {
      partitions: 12,
      config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' },
    });

    const app = new kplus.Deployment(this, 'orders-consumer', {
      replicas: 2,
      containers: [{
        name: 'consumer',
        image: 'docker.io/apache/kafka:4.1.2',
        command: ['/opt/kafka/bin/kafka-console-consumer.sh'],
        // bind() below sets KAFKA_BOOTSTRAP_SERVERS (the short Service name in the cluster's own
        // namespace): the kubelet expands it, so a Kustomize namespace overlay keeps it working.
        args: ['--bootstrap-server', '$(KAFKA_BOOTSTRAP_SERVERS)', '--topic', 'orders', '--group', 'orders-consumer'],
        securityContext: { user: 1000, group: 1000 },
        // kafka-console-consumer.sh defaults to -Xmx512M, the whole limit: keep room for the
        // JVM's non-heap memory, or the container is OOM-killed once the heap grows.
        envVariables: { KAFKA_HEAP_OPTS: kplus.EnvValue.fromValue('-Xmx256m') },
        resources: {
          cpu: { request: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
        },
        volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'consumer-tmp', 'tmp') }],
      }],
    });
    this.kafka.bind(app);
  }
}
