import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problem } from './checks';
import { JOB_TLS_MOUNT, jobTlsKey, jobTlsPassword, jobTlsVolume } from './job-tls';
import { topicJobLabels } from './labels';
import { loadAsset } from '../../core/kit/assets';
import { JobScript, ScriptJob } from '../../core/kit/script-job';
import { shortHash } from '../../core/naming';
import { WorkloadMount } from '../../core/workload/container';
import { WorkloadVolume } from '../../core/workload/volumes';
import { IKafkaCluster } from '../kafka-cluster-ref';
import { KafkaNodePool } from '../node-pool';
import { KafkaRebalanceOptions } from '../rebalance';

/**
 * Annotation on a broker pool's StatefulSet listing its node ids that `drainBrokers()` empties.
 * UpgradeSafety (kafkaBrokerScaleIn) reads it in the *before* output: a scale-in removing only
 * ids listed there is the second step of the documented procedure and is not flagged.
 */
export const DRAINED_ANNOTATION = 'kafka.cdk8s-stateful.io/drained-brokers';
/** `--throttle` default: 50 MiB/s. */
export const DEFAULT_THROTTLE_MIB = 50;

/** A bad `rebalance.throttleMebibytesPerSecond`. */
export function rebalanceProblem(o: KafkaRebalanceOptions | undefined): Problem | undefined {
  const t = o?.throttleMebibytesPerSecond;
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 1024 * 1024)) {
    return {
      code: 'KafkaRebalanceThrottleInvalid',
      message: `rebalance.throttleMebibytesPerSecond must be a whole number of MiB/s between 1 and 1048576, got ${t}; ` +
        `it caps replication traffic while partitions move (default ${DEFAULT_THROTTLE_MIB})`,
    };
  }
  return undefined;
}

/**
 * Broker ids `drainBrokers()` may empty: ids of broker pools, and within each pool its highest ids
 * (a StatefulSet scaled in removes its highest ordinals), leaving at least `replicationFactor` brokers.
 */
export function drainProblem(ids: number[], pools: KafkaNodePool[], replicationFactor: number): Problem | undefined {
  const brokers = pools.filter((p) => p.isBroker);
  const unknown = ids.filter((id) => !brokers.some((p) => p.nodeIds.includes(id)));
  if (unknown.length) {
    return {
      code: 'KafkaDrainBrokerUnknown',
      message: `drainBrokers(): ${unknown.join(', ')} ${unknown.length > 1 ? 'are not broker ids' : 'is not a broker id'} of this cluster; ` +
        `broker ids are ${brokers.map((p) => `${p.node.id}: ${p.nodeIds.join(', ')}`).join('; ')}. Drain brokers while their pool still has them, ` +
        'and remove the call in the change that lowers the replicas',
    };
  }
  for (const p of brokers) {
    const mine = ids.filter((id) => p.nodeIds.includes(id));
    const tail = p.nodeIds.slice(p.nodeIds.length - mine.length);
    if (mine.some((id) => !tail.includes(id))) {
      return {
        code: 'KafkaDrainBrokerNotLast',
        message: `drainBrokers(): ${mine.join(', ')} of pool '${p.node.id}' (ids ${p.nodeIds.join(', ')}) are not its highest ids; ` +
          `a StatefulSet scaled in removes its highest ordinals, so drain ${tail.join(', ')} instead`,
      };
    }
  }
  const left = brokers.reduce((n, p) => n + p.nodeIds.length, 0) - ids.length;
  if (left < Math.max(1, replicationFactor)) {
    return {
      code: 'KafkaDrainLeavesTooFew',
      message: `drainBrokers(${ids.join(', ')}) leaves ${left} broker(s), fewer than the replication factor ${replicationFactor}; ` +
        'partitions cannot be reassigned onto them (the highest of defaultReplicationFactor and the topics\' factors): drain fewer brokers, or add brokers first',
    };
  }
  return undefined;
}

/**
 * The reassignment Job (assets/reassign.sh), named by a hash of the broker id set, the drained ids
 * and what it runs: one run per change of the broker set. Talks to the brokers on INTERNAL with
 * the Jobs' client certificate when TLS is on; its pods carry the topic Jobs' labels, which the
 * brokers' NetworkPolicy admits on that port.
 */
export function reassignJob(scope: Construct, cluster: IKafkaCluster, pools: KafkaNodePool[], drained: number[], throttleMib: number): ScriptJob {
  const script = loadAsset('kafka/assets/reassign.sh');
  const brokers = pools.filter((p) => p.isBroker).flatMap((p) => p.nodeIds).sort((a, b) => a - b);
  const drain = [...drained].sort((a, b) => a - b);
  const throttle = throttleMib * 1024 * 1024;
  const tls = cluster.tls;
  const env: { [name: string]: kplus.EnvValue } = {
    POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    BOOTSTRAP: kplus.EnvValue.fromValue(cluster.internalSeedServers),
    BROKERS: kplus.EnvValue.fromValue(brokers.join(',')),
    DRAIN: kplus.EnvValue.fromValue(drain.join(',')),
    THROTTLE: kplus.EnvValue.fromValue(String(throttle)),
    KAFKA_HEAP_OPTS: kplus.EnvValue.fromValue('-Xms128m -Xmx256m'),
  };
  const volumes: { [name: string]: WorkloadVolume } = { tmp: WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(64) }) };
  const mounts: WorkloadMount[] = [{ volume: 'tmp', mountPath: '/tmp' }];
  if (tls) {
    env.TLS_STORE_PASSWORD = jobTlsPassword(tls);
    volumes.tls = jobTlsVolume(tls);
    mounts.push(JOB_TLS_MOUNT);
  }
  const hash = shortHash(JSON.stringify([
    cluster.name, cluster.image, brokers, drain, throttle, script, cluster.internalSeedServers,
    tls && jobTlsKey(tls),
  ]));
  return new ScriptJob(scope, 'Job', {
    name: `${cluster.name}-reassign-${hash}`,
    labels: topicJobLabels(cluster.name, cluster.version.version).all,
    image: cluster.image,
    script: JobScript.bash(script, { name: 'reassign' }),
    containerName: 'reassign',
    env,
    volumes,
    mounts,
    resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) } },
    fsGroup: 1000,
    // The script waits (up to an hour per step) for new brokers and for the move; then the Job retries.
    backoffLimit: 2,
  });
}

/** Drained ids and the reassignment Job of one cluster, rendered again whenever pools change. */
export class Rebalancer {
  private drained: number[] = [];
  private current?: ScriptJob;

  constructor(private readonly cluster: IKafkaCluster, private readonly options: KafkaRebalanceOptions | undefined) {}

  /** The current Job, if any. */
  public get job(): ScriptJob | undefined {
    return this.current;
  }

  /** Adds drained ids (checked against the highest replication factor of the cluster and its topics), then renders. */
  public drain(ids: number[], pools: KafkaNodePool[], replicationFactor: number): Problem | undefined {
    const all = [...new Set([...this.drained, ...ids])].sort((a, b) => a - b);
    const problem = drainProblem(all, pools, replicationFactor);
    if (problem) return problem;
    this.drained = all;
    this.render(pools);
    return undefined;
  }

  /** (Re)creates the Job under the cluster's `Rebalance` child and annotates the pools. */
  public render(pools: KafkaNodePool[]): void {
    this.cluster.node.tryRemoveChild('Rebalance');
    this.current = undefined;
    for (const p of pools.filter((x) => x.isBroker)) {
      const mine = this.drained.filter((id) => p.nodeIds.includes(id));
      if (mine.length) p.statefulSet.metadata.addAnnotation(DRAINED_ANNOTATION, mine.join(','));
    }
    const onScaleOut = this.options !== undefined && (this.options.onScaleOut ?? true);
    if (!onScaleOut && !this.drained.length) return;
    const mib = this.options?.throttleMebibytesPerSecond ?? DEFAULT_THROTTLE_MIB;
    this.current = reassignJob(new Construct(this.cluster, 'Rebalance'), this.cluster, pools, this.drained, mib);
  }
}
