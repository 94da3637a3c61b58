import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaEndpoint } from './kafka-endpoint';
import { KafkaVersion } from './kafka-version';
import { connectContainer, connectVolumes, heapOf, KAFKA_UID } from './private/connect-pod';
import { admitOnCluster, clientWiring, ClientWiring, propertiesFile } from './private/endpoint-client';
import { ValidationError } from '../core/errors';
import { RecommendedLabels } from '../core/labels';
import { Names, shortHash } from '../core/naming';
import { registerObjects } from '../core/registry';
import { Warnings } from '../core/warnings';
import { restrictedPodSecurity } from '../core/workload/private/security';

/** Props of a dedicated MirrorMaker 2. */
export interface KafkaMirrorMaker2Props {
  /** The cluster mirrored from (alias `sourceAlias`). */
  readonly source: KafkaEndpoint;
  /** The cluster mirrored to (alias `targetAlias`); MirrorMaker 2 keeps its state there. */
  readonly target: KafkaEndpoint;
  /** Alias of the source: remote topics on the target are named `<alias>.<topic>`. @default 'source' */
  readonly sourceAlias?: string;
  /** Alias of the target. @default 'target' */
  readonly targetAlias?: string;
  /** Name of every object. @default - derived from the construct path */
  readonly name?: string;
  /** `topics`: regex (or comma-separated list) of topics to mirror. @default '.*' */
  readonly topics?: string;
  /** `groups`: regex of consumer groups whose offsets are checkpointed. @default '.*' */
  readonly groups?: string;
  /** `replication.factor` of the remote topics created on the target (and of MM2's internal topics). @default 3 */
  readonly replicationFactor?: number;
  /** `sync.group.offsets.enabled`: write translated offsets of groups idle on the target (for failover). @default true */
  readonly syncGroupOffsets?: boolean;
  /** Processes. More than 1 does not add throughput in dedicated mode (see docs). @default 1 */
  readonly replicas?: number;
  /** The Kafka release of the image. @default - the target KafkaCluster's, else KafkaVersion.V4_1_2 */
  readonly version?: KafkaVersion;
  /** More mm2.properties (`tasks.max`, `source->target.emit.checkpoints.interval.seconds`, ...). @default - none */
  readonly config?: { [key: string]: string };
  /** Resources; the heap is half the memory limit. @default - 500m CPU and 1 GiB requested, 1 GiB limit */
  readonly resources?: kplus.ContainerResources;
}

const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,30}$/;

/**
 * A dedicated MirrorMaker 2 (`connect-mirror-maker.sh mm2.properties`, KIP-382) replicating
 * `source` → `target`: topics matching `topics` become `<sourceAlias>.<topic>` on the target,
 * consumer group offsets are checkpointed and (by default) synced. A Deployment of 1 pod,
 * restricted PSS as the image's appuser. See docs/kafka.md, "Mirror a cluster with MirrorMaker 2".
 */
export class KafkaMirrorMaker2 extends Construct {
  /** The name of every object. */
  public readonly name: string;
  /** mm2.properties (secrets as @@ENV@@ placeholders, filled in at start). */
  public readonly properties: string;
  /** The ConfigMap with `mm2.properties`. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The Deployment (1 replica by default, Recreate). */
  public readonly deployment: k8s.KubeDeployment;
  /** The NetworkPolicy: no ingress (MirrorMaker 2 serves nothing; its REST API stays off). */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: KafkaMirrorMaker2Props) {
    super(scope, id);
    this.name = Names.stable(this, props.name, 52);
    const what = `KafkaMirrorMaker2 '${this.name}'`;
    const src = props.sourceAlias ?? 'source';
    const dst = props.targetAlias ?? 'target';
    for (const a of [src, dst]) {
      if (!ALIAS.test(a)) throw new ValidationError('KafkaMirrorMakerAliasInvalid', `${what}: alias '${a}' must start with a letter and hold letters, digits, '_' or '-' (at most 31)`, this);
    }
    if (src === dst) throw new ValidationError('KafkaMirrorMakerAliasInvalid', `${what}: sourceAlias and targetAlias are both '${src}'; give them different names`, this);
    if (props.source._cluster && props.source._cluster === props.target._cluster) {
      throw new ValidationError('KafkaMirrorMakerSameCluster', `${what}: source and target are the same KafkaCluster '${props.source._cluster.name}'; mirror between two clusters`, this);
    }
    const replicas = props.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) {
      throw new ValidationError('KafkaMirrorMakerReplicasInvalid', `${what}: replicas must be a whole number from 1 to 10, got ${replicas}`, this);
    }
    const rf = props.replicationFactor ?? 3;
    const targetBrokers = props.target._cluster?.brokers;
    if (!Number.isInteger(rf) || rf < 1 || (targetBrokers !== undefined && rf > targetBrokers)) {
      throw new ValidationError('KafkaMirrorMakerReplicationFactorInvalid',
        `${what}: replicationFactor must be a whole number from 1 to the target's brokers${targetBrokers !== undefined ? ` (${targetBrokers})` : ''}, got ${rf}`, this);
    }
    for (const [k, v] of [['topics', props.topics], ['groups', props.groups]]) {
      if (v === undefined) continue;
      let bad = v.trim() === '';
      try { new RegExp(v!); } catch { bad = true; }
      if (bad) throw new ValidationError('KafkaMirrorMakerPatternInvalid', `${what}: ${k} '${v}' is not a regular expression; e.g. 'orders.*|payments'`, this);
    }
    const sides: ClientWiring[] = [];
    for (const [endpoint, side] of [[props.source, 'SOURCE'], [props.target, 'TARGET']] as Array<[KafkaEndpoint, string]>) {
      const w = clientWiring({ endpoint, scope: this, what, side });
      if ('code' in w) {
        const problem = w;
        throw new ValidationError(problem.code, problem.message, this);
      }
      sides.push(w);
    }
    const version = props.version ?? props.target._cluster?.version ?? KafkaVersion.V4_1_2;
    const labels = new RecommendedLabels({ appName: 'kafka-mirror-maker-2', instance: this.name, component: 'mirror-maker', version: version.version, partOf: this.name });
    this.properties = render(props, src, dst, rf, sides);
    const file = 'mm2.properties';
    this.configMap = new k8s.KubeConfigMap(this, 'Config', { metadata: { name: this.name, labels: labels.stable }, data: { [file]: this.properties } });
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
    };
    const limitMi = resources.memory?.limit?.toMebibytes();
    if (limitMi !== undefined && limitMi < 512) {
      throw new ValidationError('KafkaMirrorMakerMemoryTooSmall',
        `${what}: the memory limit is ${limitMi} MiB; the JVM needs at least 512 MiB (half of it heap, the rest metaspace, buffers and /tmp)`, this);
    }
    const container = connectContainer({
      name: 'mirror-maker', image: version.image, file, start: 'connect-mirror-maker.sh', sides, heapMi: heapOf(resources, 512), resources,
    });
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name, labels: labels.stable },
      spec: {
        replicas,
        selector: { matchLabels: labels.selector },
        // The old process stops before the new one starts: two would split the work for nothing.
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: labels.stable, annotations: { 'checksum/config': shortHash(this.properties, 16) } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(KAFKA_UID, KAFKA_UID, KAFKA_UID),
            containers: [container],
            volumes: connectVolumes(this.name, sides),
          },
        },
      },
    });
    this.node.defaultChild = this.deployment;
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.name, labels: labels.stable },
      spec: { podSelector: { matchLabels: labels.selector }, policyTypes: ['Ingress'] },
    });
    admitOnCluster(props.source, this, 'source-peer', labels.selector);
    admitOnCluster(props.target, this, 'target-peer', labels.selector);
    registerObjects(this, this.configMap, this.deployment, this.networkPolicy);
    if (replicas > 1) {
      Warnings.of(this).add('@cdk8s-stateful/kafka:mirrorMakerReplicas',
        `${what}: replicas ${replicas}: dedicated MirrorMaker 2 without dedicated.mode.enable.internal.rest (KIP-710) cannot forward task configs between processes; extra replicas may sit idle or run stale tasks. Use 1, or raise tasks.max`);
    }
  }
}

/** mm2.properties. Kafka docs, "Geo-Replication (Cross-Cluster Data Mirroring)", Configuration. */
function render(props: KafkaMirrorMaker2Props, src: string, dst: string, rf: number, sides: ClientWiring[]): string {
  const flow = `${src}->${dst}`;
  const lines: Array<[string, string]> = [
    ['clusters', `${src}, ${dst}`],
    ...sides[0].props.map(([k, v]): [string, string] => [`${src}.${k}`, v]),
    ...sides[1].props.map(([k, v]): [string, string] => [`${dst}.${k}`, v]),
    [`${flow}.enabled`, 'true'],
    [`${dst}->${src}.enabled`, 'false'],
    [`${flow}.topics`, props.topics ?? '.*'],
    [`${flow}.groups`, props.groups ?? '.*'],
    ['replication.factor', String(rf)],
    ['checkpoints.topic.replication.factor', String(rf)],
    ['heartbeats.topic.replication.factor', String(rf)],
    ['offset-syncs.topic.replication.factor', String(rf)],
    ['offset.storage.replication.factor', String(rf)],
    ['config.storage.replication.factor', String(rf)],
    ['status.storage.replication.factor', String(rf)],
    [`${flow}.sync.group.offsets.enabled`, String(props.syncGroupOffsets ?? true)],
    [`${flow}.emit.checkpoints.enabled`, 'true'],
    ...Object.keys(props.config ?? {}).sort().map((k): [string, string] => [k, props.config![k]]),
  ];
  return propertiesFile([`MirrorMaker 2 '${src}' -> '${dst}', rendered by cdk8s-stateful; placeholders between @@ pairs are filled from env at start (assets/connect-config.sh).`], lines);
}
