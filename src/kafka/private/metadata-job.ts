import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { JOB_TLS_MOUNT, jobTlsKey, jobTlsPassword, jobTlsVolume } from './job-tls';
import { topicJobLabels } from './labels';
import { loadAsset } from '../../core/kit/assets';
import { JobScript, ScriptJob } from '../../core/kit/script-job';
import { shortHash } from '../../core/naming';
import { WorkloadMount } from '../../core/workload/container';
import { WorkloadVolume } from '../../core/workload/volumes';
import { IKafkaCluster } from '../kafka-cluster-ref';

/** The `major.minor` that `kafka-features.sh upgrade --metadata` takes for a release (`4.1.2` → `4.1`). */
export function metadataLevel(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * The Job raising `metadata.version` to the release's level once every node runs it
 * (assets/upgrade-metadata.sh), named by a hash of what it runs: one run per release.
 * @see https://kafka.apache.org/documentation/#upgrade (step 2: kafka-features.sh upgrade)
 */
export function metadataJob(scope: Construct, cluster: IKafkaCluster): ScriptJob {
  const script = loadAsset('kafka/assets/upgrade-metadata.sh');
  const level = metadataLevel(cluster.version.version);
  const tls = cluster.tls;
  const env: { [name: string]: kplus.EnvValue } = {
    POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    BOOTSTRAP: kplus.EnvValue.fromValue(cluster.internalSeedServers),
    METADATA: kplus.EnvValue.fromValue(level),
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
    cluster.name, cluster.image, level, script, cluster.internalSeedServers,
    tls && jobTlsKey(tls),
  ]));
  return new ScriptJob(scope, 'MetadataJob', {
    name: `${cluster.name}-metadata-${hash}`,
    labels: topicJobLabels(cluster.name, cluster.version.version).all,
    image: cluster.image,
    script: JobScript.bash(script, { name: 'upgrade-metadata' }),
    containerName: 'upgrade-metadata',
    env,
    volumes,
    mounts,
    resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) } },
    fsGroup: 1000,
    // The script waits up to an hour for the nodes to run the release; then the Job retries.
    backoffLimit: 2,
  });
}
