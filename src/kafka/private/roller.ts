import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { JOB_TLS_MOUNT, jobTlsKey, jobTlsPassword, jobTlsVolume } from './job-tls';
import { topicJobLabels } from './labels';
import { loadAsset } from '../../core/kit/assets';
import { DEFAULT_GENERATOR_IMAGE } from '../../core/kit/credentials';
import { JobRestartPolicy, JobScript, ScriptJob } from '../../core/kit/script-job';
import { shortHash } from '../../core/naming';
import { WorkloadMount } from '../../core/workload/container';
import { WorkloadVolume } from '../../core/workload/volumes';
import { IKafkaCluster } from '../kafka-cluster-ref';
import { KafkaNodePool } from '../node-pool';
import { KafkaRollout } from '../rollout';

/** The roller's objects: a ServiceAccount, a Role (pods get/list/delete, the pools' StatefulSets get), its binding and the Job. */
export interface Roller {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly role: k8s.KubeRole;
  readonly roleBinding: k8s.KubeRoleBinding;
  readonly job: ScriptJob;
}

/**
 * The roller Job: named by a hash of every pool's pod template (resolved now), so each template
 * change runs it once; pods already on their StatefulSet's update revision are left alone.
 * The driver (assets/roll-nodes.py, python image) talks to the API server; the `kafka` container
 * (assets/roll-helper.sh, the cluster's image) answers its min-ISR and quorum questions.
 */
export function roller(scope: Construct, cluster: IKafkaCluster, pools: KafkaNodePool[], rollout: KafkaRollout): Roller {
  const name = `${cluster.name}-roller`;
  const labels = topicJobLabels(cluster.name, cluster.version.version);
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name, labels: labels.all }, automountServiceAccountToken: false });
  const role = new k8s.KubeRole(scope, 'Role', {
    metadata: { name, labels: labels.all },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: pools.map((p) => p.name), verbs: ['get'] },
    ],
  });
  const roleBinding = new k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata: { name, labels: labels.all },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: Chart.of(scope).namespace }],
  });
  const driver = loadAsset('kafka/assets/roll-nodes.py');
  const helper = loadAsset('kafka/assets/roll-helper.sh');
  const poolsEnv = JSON.stringify(pools.map((p) => ({ name: p.name, broker: p.isBroker, controller: p.isController })));
  const templates = pools.map((p) => p.statefulSet.toJson().spec.template);
  const tls = cluster.tls;
  // Everything the Job's (immutable) pod template holds, beyond the pools' templates.
  const hash = shortHash(JSON.stringify([
    templates, poolsEnv, driver, helper, rollout.stepTimeout?.toSeconds(), cluster.internalSeedServers, cluster.image,
    tls && jobTlsKey(tls),
  ]));
  const volumes: { [n: string]: WorkloadVolume } = {
    work: WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(8) }),
    tmp: WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(64) }),
  };
  const helperMounts: WorkloadMount[] = [{ volume: 'work', mountPath: '/work' }, { volume: 'tmp', mountPath: '/tmp' }];
  const helperEnv: { [n: string]: kplus.EnvValue } = {
    POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    BOOTSTRAP: kplus.EnvValue.fromValue(cluster.internalSeedServers),
    WORK_DIR: kplus.EnvValue.fromValue('/work'),
    KAFKA_HEAP_OPTS: kplus.EnvValue.fromValue('-Xms128m -Xmx256m'),
  };
  if (tls) {
    volumes.tls = jobTlsVolume(tls);
    helperMounts.push(JOB_TLS_MOUNT);
    helperEnv.TLS_STORE_PASSWORD = jobTlsPassword(tls);
  }
  const job = new ScriptJob(scope, 'Job', {
    name: `${cluster.name}-roll-${hash}`,
    labels: labels.all,
    image: DEFAULT_GENERATOR_IMAGE,
    script: JobScript.python(driver),
    containerName: 'roll',
    env: {
      POOLS: kplus.EnvValue.fromValue(poolsEnv),
      WORK_DIR: kplus.EnvValue.fromValue('/work'),
      STEP_TIMEOUT: kplus.EnvValue.fromValue(String(rollout.stepTimeout?.toSeconds() ?? 1800)),
      PYTHONDONTWRITEBYTECODE: kplus.EnvValue.fromValue('1'),
    },
    mounts: [{ volume: 'work', mountPath: '/work' }],
    volumes,
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
    helpers: [{
      name: 'kafka',
      image: cluster.image,
      script: JobScript.bash(helper, { name: 'roll-helper' }),
      env: helperEnv,
      mounts: helperMounts,
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) } },
    }],
    serviceAccountName: name,
    fsGroup: 1000,
    // A failed driver leaves the helper done: each retry needs a new pod.
    restartPolicy: JobRestartPolicy.NEVER,
    backoffLimit: 3,
  });
  return { serviceAccount, role, roleBinding, job };
}
