// Internal: the primary-aware rollout Job (assets/rollout.sh) and its least-privilege RBAC.
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SPILO_GID, SPILO_UID } from './images';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { JobRestartPolicy, JobScript, ScriptJob } from '../../core/kit/script-job';
import { LabelKeys, RecommendedLabels } from '../../core/labels';
import { shortHash } from '../../core/naming';
import { registerObjects } from '../../core/registry';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { WorkloadVolume } from '../../core/workload/volumes';
import { PostgresRollout } from '../postgres-rollout';

/** Patroni's REST port (the rollout Job asks it for lag and switches over through it). */
const PATRONI_PORT = 8008;
/** Job names end in `-rollout-<hash>` and must fit a 63-character label value (`job-name`). */
const MAX_BASE = 63 - '-rollout-'.length - 8;

/** The objects of a rollout. */
export interface RolloutObjects {
  readonly job: k8s.KubeJob;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly role: k8s.KubeRole;
  readonly roleBinding: k8s.KubeRoleBinding;
}

/** The StatefulSet's pod template, as the hash of the rollout Job's name sees it. */
export function podTemplateHash(workload: StatefulWorkload): string {
  return shortHash(JSON.stringify(workload.statefulSet.toJson().spec.template));
}

export function validateRollout(scope: Construct, rollout: PostgresRollout): void {
  const lag = rollout.maxLagBytes;
  if (rollout.isPrimaryAware && (!Number.isSafeInteger(lag) || lag < 0)) {
    throw new ValidationError('PostgresRolloutLagInvalid', `rollout maxLagBytes must be a whole number of bytes ≥ 0, got ${lag}; use e.g. 16777216 (16 MiB)`, scope);
  }
  const ms = rollout.timeout.toMilliseconds();
  if (rollout.isPrimaryAware && !(ms >= 60_000 && ms % 1000 === 0)) {
    throw new ValidationError('PostgresRolloutTimeoutInvalid',
      `rollout timeout ${ms / 1000}s is too short (or not whole seconds) for a PostgreSQL pod to restart and catch up; use at least Duration.minutes(1)`, scope);
  }
}

/**
 * OnDelete's other half: a Job per pod template (its name carries the template's hash, so a
 * changed template gets a new Job and an unchanged one re-applies as is) that restarts the pods
 * in the primary-aware order. Ingress to Patroni's port from the Job's pods is allowed.
 */
export function addRolloutJob(scope: Construct, workload: StatefulWorkload, image: string, rollout: PostgresRollout): RolloutObjects {
  const name = workload.name;
  const labels = new RecommendedLabels({ appName: 'postgres', instance: name, component: 'rollout' }).stable;
  const rbacName = `${name}-rollout`;
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: rbacName, labels },
    automountServiceAccountToken: false,
  });
  const pods = Array.from({ length: workload.replicas }, (_, i) => `${name}-${workload.ordinalsStart + i}`);
  const role = new k8s.KubeRole(scope, 'Role', {
    metadata: { name: rbacName, labels },
    rules: [
      // Read the pods' revision and role labels and their IPs; delete them: only this cluster's pods.
      { apiGroups: [''], resources: ['pods'], resourceNames: pods, verbs: ['get', 'delete'] },
      // The update revision and whether the controller has seen the change.
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: [name], verbs: ['get'] },
    ],
  });
  const roleBinding = new k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata: { name: rbacName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace: Chart.of(scope).namespace }],
  });
  registerObjects(scope, serviceAccount, role, roleBinding);
  const timeout = rollout.timeout.toSeconds();
  const script = loadAsset('postgres/assets/rollout.sh');
  // The StatefulSet's template, and everything in this Job's own spec (immutable under one name).
  const hash = shortHash(JSON.stringify([podTemplateHash(workload), script, image, rollout.maxLagBytes, timeout, workload.replicas]));
  const job = new ScriptJob(scope, 'Job', {
    name: `${name.slice(0, MAX_BASE).replace(/-+$/, '')}-rollout-${hash}`,
    labels,
    // The Spilo image itself: bash, curl and python3 (postgres-appliance/Dockerfile installs them).
    image,
    script: JobScript.bash(script, { name: 'rollout' }),
    containerName: 'rollout',
    serviceAccountName: serviceAccount.name,
    user: SPILO_UID,
    group: SPILO_GID,
    env: {
      STS_NAME: kplus.EnvValue.fromValue(name),
      NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
      MAX_LAG_BYTES: kplus.EnvValue.fromValue(`${rollout.maxLagBytes}`),
      TIMEOUT_SECONDS: kplus.EnvValue.fromValue(`${timeout}`),
      PATRONI_PORT: kplus.EnvValue.fromValue(`${PATRONI_PORT}`),
      PYTHONDONTWRITEBYTECODE: kplus.EnvValue.fromValue('1'),
    },
    volumes: { tmp: WorkloadVolume.emptyDir() },
    mounts: [{ volume: 'tmp', mountPath: '/tmp' }],
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) } },
    // A retry is a re-run: pods already updated are skipped, the primary changes at most once.
    restartPolicy: JobRestartPolicy.NEVER,
    backoffLimit: 3,
    // Every pod restart and the switchover wait at most `timeout` each.
    activeDeadline: Duration.seconds(timeout * (workload.replicas + 3)),
  }).job!;
  workload.connections.allowFromLabels({ [LabelKeys.INSTANCE]: name, [LabelKeys.COMPONENT]: 'rollout' }, ['patroni']);
  return { job, serviceAccount, role, roleBinding };
}
