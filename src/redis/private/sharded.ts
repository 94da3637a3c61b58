// Redis Cluster (sharded mode) of RedisCluster: the checks of its props, the env of
// assets/redis-cluster-start.sh and the create Job (assets/redis-cluster-create.sh).
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BUS_PORT, CONF_DIR, DATA_DIR, REDIS_PORT, REDIS_UID, SECRETS_DIR } from './config';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { JobRestartPolicy, JobScript, ScriptJob } from '../../core/kit/script-job';
import { RecommendedLabels } from '../../core/labels';
import { shortHash } from '../../core/naming';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { WorkloadVolume } from '../../core/workload/volumes';
import type { RedisMode } from '../redis-mode';

/** Props that only Sentinel mode reads. */
const SENTINEL_ONLY = ['replicas', 'masterName', 'quorum', 'downAfter', 'failoverTimeout', 'primaryService', 'labelerImage'] as const;
type SentinelProp = typeof SENTINEL_ONLY[number];
/** `<name>-cluster-<8 hex>` must fit a Job name (63). */
const MAX_NAME = 63 - '-cluster-'.length - 8;

/** Throws on a cluster shape or prop combination cluster mode cannot run. */
export function checkClusterMode(
  scope: Construct, mode: RedisMode, props: Partial<Record<SentinelProp, unknown>>, name: string, majorVersion: number,
): void {
  if (!Number.isInteger(mode.shards) || mode.shards < 3 || mode.shards > 1000) {
    throw new ValidationError('RedisClusterShardsInvalid',
      `RedisMode.cluster: shards must be a whole number from 3 to 1000 (Redis Cluster needs at least 3 primaries), got ${mode.shards}`, scope);
  }
  if (!Number.isInteger(mode.replicasPerShard) || mode.replicasPerShard < 0 || mode.replicasPerShard > 5) {
    throw new ValidationError('RedisClusterReplicasPerShardInvalid',
      `RedisMode.cluster: replicasPerShard must be a whole number from 0 to 5, got ${mode.replicasPerShard}; 1 survives the loss of any one pod`, scope);
  }
  const ms = mode.nodeTimeout.toMilliseconds();
  if (!Number.isInteger(ms) || ms < 1000) {
    throw new ValidationError('RedisClusterNodeTimeoutInvalid',
      `RedisMode.cluster: nodeTimeout must be whole milliseconds of at least 1 second, got ${ms} ms`, scope);
  }
  const set = SENTINEL_ONLY.filter((k) => props[k] !== undefined);
  if (set.length) {
    throw new ValidationError('RedisClusterSentinelProps',
      `${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} Sentinel mode's; in cluster mode the pods are shards × (1 + replicasPerShard) ` +
      'and Redis Cluster fails over by itself: remove them, or size the cluster with RedisMode.cluster({ shards, replicasPerShard })', scope);
  }
  if (Number.isNaN(majorVersion) || majorVersion < 7) {
    throw new ValidationError('RedisClusterVersionTooOld',
      `cluster mode needs Redis 7 or later (cluster-announce-hostname), got version ${majorVersion}; use RedisVersion.V7_4 or later`, scope);
  }
  if (name.length > MAX_NAME) {
    throw new ValidationError('RedisClusterNameTooLong',
      `cluster mode: name '${name}' is ${name.length} characters; the create Job '${name}-cluster-<hash>' needs it to be at most ${MAX_NAME}`, scope);
  }
}

/** Env only the cluster-mode server reads (besides the pod identity and the password file). */
export function clusterServerEnv(p: {
  headless: string;
  clusterDomain: string;
  passwordFile: string;
  nodeTimeoutMs: number;
  persistence: string;
  maxMemory: number;
  policy: string;
}): Array<[string, kplus.EnvValue]> {
  const v = kplus.EnvValue.fromValue;
  return [
    ['POD_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME)],
    ['POD_NAMESPACE', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE)],
    ['HEADLESS', v(p.headless)],
    ['CLUSTER_DOMAIN', v(p.clusterDomain)],
    ['PASSWORD_FILE', v(p.passwordFile)],
    ['CONF_DIR', v(CONF_DIR)],
    ['DATA_DIR', v(DATA_DIR)],
    ['REDIS_PORT', v(`${REDIS_PORT}`)],
    ['BUS_PORT', v(`${BUS_PORT}`)],
    ['NODE_TIMEOUT_MS', v(`${p.nodeTimeoutMs}`)],
    ['PERSISTENCE', v(p.persistence)],
    ['MAXMEMORY', v(`${p.maxMemory}`)],
    ['MAXMEMORY_POLICY', v(p.policy)],
  ];
}

export interface ClusterCreateJobProps {
  readonly workload: StatefulWorkload;
  readonly mode: RedisMode;
  readonly image: string;
  readonly secret: kplus.ISecret;
  readonly passwordKey: string;
}

/**
 * The Job that forms the cluster and adds pods on scale-out (assets/redis-cluster-create.sh).
 * Its name carries a hash of its spec: a new shape is a new Job (a Job's template is immutable),
 * and the same shape re-applied is the same, finished Job.
 */
export class RedisClusterCreateJob extends Construct {
  public readonly job: k8s.KubeJob;
  /** Labels of its pods, for the NetworkPolicy. */
  public readonly podSelector: { [key: string]: string };

  constructor(scope: Construct, id: string, props: ClusterCreateJobProps) {
    super(scope, id);
    const w = props.workload;
    const script = loadAsset('redis/assets/redis-cluster-create.sh');
    const env: { [name: string]: string } = {
      NAME: w.name,
      HEADLESS: w.headlessService.name,
      CLUSTER_DOMAIN: w.clusterDomain,
      ORDINALS_START: `${w.ordinalsStart}`,
      SHARDS: `${props.mode.shards}`,
      REPLICAS_PER_SHARD: `${props.mode.replicasPerShard}`,
      REDIS_PORT: `${REDIS_PORT}`,
      PASSWORD_FILE: `${SECRETS_DIR}/${props.passwordKey}`,
    };
    const hash = shortHash(JSON.stringify([script, env, props.image]));
    const labels = new RecommendedLabels({ appName: 'redis', instance: w.name, component: 'cluster-create', partOf: w.name }).stable;
    this.podSelector = new RecommendedLabels({ appName: 'redis', instance: w.name, component: 'cluster-create' }).selector;
    const sj = new ScriptJob(this, 'Job', {
      name: `${w.name}-cluster-${hash}`,
      labels,
      image: props.image,
      script: JobScript.bash(script, { name: 'redis-cluster-create' }),
      containerName: 'create',
      env: {
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        ...Object.fromEntries(Object.entries(env).map(([k, x]) => [k, kplus.EnvValue.fromValue(x)])),
      },
      volumes: { credentials: WorkloadVolume.fromSecret(props.secret, { defaultMode: 0o440 }) },
      mounts: [{ volume: 'credentials', mountPath: SECRETS_DIR, readOnly: true }],
      resources: {
        cpu: { request: kplus.Cpu.millis(20), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) },
      },
      user: REDIS_UID,
      group: REDIS_UID,
      // The Secret's files are root:<fsGroup> 0440: without fsGroup uid 999 cannot read them.
      fsGroup: REDIS_UID,
      restartPolicy: JobRestartPolicy.ON_FAILURE,
      backoffLimit: 10,
      activeDeadline: Duration.hours(1),
    });
    this.job = sj.job!;
  }
}
