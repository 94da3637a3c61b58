// Internal: the major-version upgrade Job. Spilo's in-place upgrade (inplace_upgrade.py, run in
// the primary's container the way Zalando's postgres-operator runs it) through `kubectl exec`
// from a distroless kubectl image, with a Role that can exec into this cluster's pods only.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SPILO_MAJORS } from './images';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { JobRestartPolicy, JobScript, ScriptJob } from '../../core/kit/script-job';
import { RecommendedLabels } from '../../core/labels';
import { shortHash } from '../../core/naming';
import { registerObjects } from '../../core/registry';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { WorkloadVolume } from '../../core/workload/volumes';
import { PostgresVersion } from '../postgres-version';

/**
 * The official kubectl image (registry.k8s.io/kubectl, published with every Kubernetes release
 * since 1.28, kubernetes/kubernetes#116672): distroless, kubectl only.
 */
export const KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.31.4';
/** The annotation telling UpgradeSafety which change the Job carries out (`16-to-17`). */
export const UPGRADE_ANNOTATION = 'cdk8s-stateful/postgres-major-upgrade';
/** How long the upgrade waits for the rollout of the new template. */
const ROLLOUT_WAIT_SECONDS = 3600;

/**
 * Whether `from → version` is an upgrade this cluster can carry out; undefined when there is
 * nothing to upgrade (no `upgradeFrom`, or the same major).
 */
export function validateUpgrade(
  scope: Construct, from: PostgresVersion | undefined, version: PostgresVersion, patroni: boolean, customImage: boolean,
): boolean {
  if (!from) return false;
  if (!/^\d+$/.test(from.majorVersion)) {
    throw new ValidationError('PostgresUpgradeFromInvalid',
      `upgradeFrom major '${from.majorVersion}' is not a PostgreSQL major version; use e.g. PostgresVersion.V16`, scope);
  }
  const [a, b] = [Number(from.majorVersion), Number(version.majorVersion)];
  if (a === b) return false;
  if (!patroni) {
    throw new ValidationError('PostgresUpgradeNeedsPatroni',
      `upgradeFrom ${a} → version ${b}: streaming mode has no in-place major upgrade (the official image refuses a data directory of another major); `
      + `create a new cluster (another name) at ${b}, restore a dump of this one into it (backup, pg_restore) or replicate logically `
      + '(CREATE PUBLICATION / CREATE SUBSCRIPTION), switch the clients, then remove this cluster', scope);
  }
  if (a > b) {
    throw new ValidationError('PostgresUpgradeDowngrade',
      `upgradeFrom ${a} is newer than version ${b}: PostgreSQL cannot downgrade a data directory; keep version at ${a} or later, `
      + `or dump and restore into a new cluster at ${b}`, scope);
  }
  if (!customImage && !SPILO_MAJORS.includes(from.majorVersion)) {
    throw new ValidationError('PostgresUpgradeUnsupported',
      `upgradeFrom ${a}: the Spilo image ships the binaries of PostgreSQL ${SPILO_MAJORS[0]} to ${SPILO_MAJORS[SPILO_MAJORS.length - 1]} only, `
      + `and pg_upgrade needs the old ones; upgrade to ${SPILO_MAJORS[0]} first with an older Spilo image (an 'image' that ships ${a}), or dump and restore into a new cluster`, scope);
  }
  return true;
}

/** The objects of a major upgrade. */
export interface UpgradeObjects {
  readonly job: k8s.KubeJob;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly role: k8s.KubeRole;
  readonly roleBinding: k8s.KubeRoleBinding;
}

/**
 * A Job named after the from→to pair (and a hash of its pod template, which is immutable) that
 * execs assets/major-upgrade.sh in the primary: the pod behind the read-write Service.
 */
export function addUpgradeJob(
  scope: Construct, workload: StatefulWorkload, primaryService: string, from: PostgresVersion, to: PostgresVersion,
): UpgradeObjects {
  const name = workload.name;
  const labels = new RecommendedLabels({ appName: 'postgres', instance: name, component: 'major-upgrade' }).stable;
  const rbacName = `${name}-upgrade`;
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: rbacName, labels },
    automountServiceAccountToken: false,
  });
  const pods = Array.from({ length: workload.replicas }, (_, i) => `${name}-${workload.ordinalsStart + i}`);
  const role = new k8s.KubeRole(scope, 'Role', {
    metadata: { name: rbacName, labels },
    rules: [
      // `kubectl exec svc/<name>` reads the Service's selector and lists the pods it selects.
      { apiGroups: [''], resources: ['services'], resourceNames: [primaryService], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: pods, verbs: ['get'] },
      // create: SPDY; get: the WebSocket upgrade kubectl ≥ 1.30 tries first. This cluster's pods only.
      { apiGroups: [''], resources: ['pods/exec'], resourceNames: pods, verbs: ['create', 'get'] },
    ],
  });
  const roleBinding = new k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata: { name: rbacName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace: Chart.of(scope).namespace }],
  });
  registerObjects(scope, serviceAccount, role, roleBinding);
  const guard = loadAsset('postgres/assets/major-upgrade.sh');
  const argv = ['kubectl', 'exec', `svc/${primaryService}`, '-c', workload.containerName, '--',
    'bash', '-c', guard, 'major-upgrade', to.majorVersion, `${workload.replicas}`, `${ROLLOUT_WAIT_SECONDS}`];
  const pair = `${from.majorVersion}-to-${to.majorVersion}`;
  const suffix = `-upgrade-${pair}-${shortHash(JSON.stringify([argv, KUBECTL_IMAGE]))}`;
  const job = new ScriptJob(scope, 'Job', {
    name: `${name.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`,
    labels,
    image: KUBECTL_IMAGE,
    script: JobScript.program(argv),
    containerName: 'upgrade',
    serviceAccountName: serviceAccount.name,
    // kubectl keeps its discovery cache under $HOME/.kube; the root filesystem is read-only.
    env: { HOME: kplus.EnvValue.fromValue('/tmp') },
    volumes: { tmp: WorkloadVolume.emptyDir() },
    mounts: [{ volume: 'tmp', mountPath: '/tmp' }],
    user: 65532,
    group: 65532,
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) } },
    // A failed attempt (the primary not yet on the new template, a replica lagging) is retried
    // with the Job's back-off; inplace_upgrade.py does nothing once the data is on the target.
    restartPolicy: JobRestartPolicy.NEVER,
    backoffLimit: 6,
  }).job!;
  job.metadata.addAnnotation(UPGRADE_ANNOTATION, pair);
  return { job, serviceAccount, role, roleBinding };
}
