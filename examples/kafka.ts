// "Run Kafka": a 3-node KRaft cluster (combined brokers and controllers, static quorum) on the
// official apache/kafka image, encrypted with certificates cert-manager issues from a private CA
// and authenticated with SCRAM-SHA-512; an `orders` topic created by an idempotent Job, a user with
// its ACLs converged at run time, and a client Deployment bound to the cluster as that user: it
// gets the bootstrap address, SASL and truststore settings, and a NetworkPolicy rule that lets it
// reach the client port, and nothing else can; consumer lag is monitored.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  GeneratedSecret, KafkaAcl, KafkaAclOperation, KafkaAclPatternType, KafkaAuthentication, KafkaCluster, KafkaExporter, KafkaTls, KafkaVersion,
  Monitoring, Tls,
} from 'cdk8s-stateful';

export class KafkaExampleChart extends Chart {
  public readonly kafka: KafkaCluster;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'streaming' });

    // The PKCS#12 keystore password, generated in the cluster (never at synth).
    const storePassword = new GeneratedSecret(this, 'StorePassword', { secretName: 'events-tls-password', keys: ['password'] });
    this.kafka = new KafkaCluster(this, 'events', {
      version: KafkaVersion.V4_1_2,
      listeners: {
        tls: KafkaTls.certManager(Tls.certManager({ selfSignedCa: true }), {
          passwordSecret: kplus.Secret.fromSecretName(this, 'store-password', storePassword.secretName),
        }),
        authentication: KafkaAuthentication.SCRAM_SHA_512,
      },
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

    this.kafka.addUser('orders-consumer', {
      acls: [
        KafkaAcl.topic('orders').allow(KafkaAclOperation.READ, KafkaAclOperation.DESCRIBE),
        KafkaAcl.group('orders-', KafkaAclPatternType.PREFIXED).allow(KafkaAclOperation.READ),
      ],
    });

    const app = new kplus.Deployment(this, 'orders-consumer', {
      replicas: 2,
      containers: [{
        name: 'consumer',
        image: 'docker.io/apache/kafka:4.1.2',
        // bind() below sets KAFKA_BOOTSTRAP_SERVERS (the short Service name in the cluster's own
        // namespace, so a Kustomize namespace overlay keeps it working), the security protocol,
        // the SASL settings and the truststore: the console consumer reads them from a file.
        command: ['sh', '-c', [
          'printf \'security.protocol=%s\\nsasl.mechanism=%s\\nsasl.jaas.config=%s\\nssl.truststore.type=PKCS12\\nssl.truststore.location=%s\\nssl.truststore.password=%s\\n\'',
          '"$KAFKA_SECURITY_PROTOCOL" "$KAFKA_SASL_MECHANISM" "$KAFKA_SASL_JAAS_CONFIG" "$KAFKA_SSL_TRUSTSTORE_LOCATION" "$KAFKA_SSL_TRUSTSTORE_PASSWORD"',
          '> /tmp/client.properties && exec /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS"',
          '--consumer.config /tmp/client.properties --topic orders --group orders-consumer',
        ].join(' ')],
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
    this.kafka.bind(app, { user: 'orders-consumer' });

    // Consumer lag (kafka-exporter with its own SCRAM user, Describe-only ACLs): a PodMonitor, the
    // KafkaConsumerGroupLag alert and a dashboard for the Prometheus operator.
    new KafkaExporter(this, 'lag', { cluster: this.kafka, monitoring: Monitoring.prometheus(), lagThreshold: 10000 });
  }
}
