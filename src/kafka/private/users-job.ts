import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { aclLines, USER_MARKER } from './auth';
import { JOB_TLS_MOUNT, jobTlsKey, jobTlsPassword, jobTlsVolume } from './job-tls';
import { topicJobLabels } from './labels';
import { loadAsset } from '../../core/kit/assets';
import { JobScript, ScriptJob } from '../../core/kit/script-job';
import { shortHash } from '../../core/naming';
import { WorkloadMount } from '../../core/workload/container';
import { WorkloadVolume } from '../../core/workload/volumes';
import { IKafkaCluster } from '../kafka-cluster-ref';
import { KafkaTls } from '../listeners';
import { KafkaUser } from '../user';

/** Where the users Job finds each SCRAM user's password: `<dir>/<user>/password`. */
export const USERS_DIR = '/etc/kafka-users';
/** How often the users CronJob re-converges (a rotated password is set within this time). */
export const USERS_SCHEDULE = '*/15 * * * *';

/** The users Job and its CronJob twin (rotations), both running assets/converge-users.sh. */
export interface UsersJobs {
  readonly job: ScriptJob;
  readonly cronJob: ScriptJob;
}

/**
 * The users Job (named by a hash of its pod template, so each change of users or ACLs runs it
 * once) and a CronJob running the same script every 15 minutes, which sets rotated passwords.
 * Both reach the brokers on INTERNAL with the Jobs' keystore (job-tls.ts); their pods carry the topic Jobs'
 * selector labels, which the brokers' NetworkPolicy admits on that port.
 */
export function usersJobs(scope: Construct, cluster: IKafkaCluster, tls: KafkaTls, users: KafkaUser[], scram: boolean): UsersJobs {
  const names = users.map((u) => u.username).sort();
  const acls = aclLines(users);
  const script = loadAsset('kafka/assets/converge-users.sh');
  const labels = topicJobLabels(cluster.name, cluster.version.version);
  const env: { [name: string]: kplus.EnvValue } = {
    POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    BOOTSTRAP: kplus.EnvValue.fromValue(cluster.internalSeedServers),
    TLS_STORE_PASSWORD: jobTlsPassword(tls),
    SCRAM: kplus.EnvValue.fromValue(scram ? '1' : '0'),
    USERS: kplus.EnvValue.fromValue(names.join('\n')),
    ACLS: kplus.EnvValue.fromValue(acls.join('\n')),
    MARKER: kplus.EnvValue.fromValue(USER_MARKER),
    USERS_DIR: kplus.EnvValue.fromValue(USERS_DIR),
    KAFKA_HEAP_OPTS: kplus.EnvValue.fromValue('-Xms128m -Xmx256m'),
  };
  const volumes: { [name: string]: WorkloadVolume } = {
    tmp: WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(64) }),
    tls: jobTlsVolume(tls),
  };
  const mounts: WorkloadMount[] = [{ volume: 'tmp', mountPath: '/tmp' }, JOB_TLS_MOUNT];
  const sorted = [...users].sort((a, b) => (a.username < b.username ? -1 : 1));
  sorted.forEach((u, i) => {
    if (!scram || !u.passwordSecret) return;
    volumes[`password-${i}`] = WorkloadVolume.fromSecret(u.passwordSecret);
    mounts.push({ volume: `password-${i}`, mountPath: `${USERS_DIR}/${u.username}/password`, subPath: u.passwordKey, readOnly: true });
  });
  const secrets = sorted.map((u) => [u.passwordSecret?.name, u.passwordKey]);
  const hash = shortHash(JSON.stringify([
    cluster.name, names, acls, secrets, scram, script, cluster.internalSeedServers, cluster.version.version,
    ...jobTlsKey(tls),
  ]));
  const common = {
    labels: labels.all,
    image: cluster.image,
    script: JobScript.bash(script, { name: 'converge-users' }),
    containerName: 'converge-users',
    env,
    volumes,
    mounts,
    resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) } },
    fsGroup: 1000,
  };
  return {
    job: new ScriptJob(scope, 'Job', { ...common, name: `${cluster.name}-users-${hash}` }),
    cronJob: new ScriptJob(scope, 'CronJob', { ...common, name: `${cluster.name}-users`, schedule: { cron: USERS_SCHEDULE } }),
  };
}
