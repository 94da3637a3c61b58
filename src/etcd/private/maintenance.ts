// The maintenance CronJobs of an EtcdCluster (kit ScriptJobs running the python assets).
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { sizeError } from '../../core/api-rules';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { DEFAULT_GENERATOR_IMAGE } from '../../core/kit/credentials';
import { keptClaim } from '../../core/kit/kept-claim';
import { JobRestartPolicy, JobScript, ScriptJob } from '../../core/kit/script-job';
import { LabelKeys, RecommendedLabels } from '../../core/labels';
import { MAX_STATEFULSET_NAME } from '../../core/naming';
import { WorkloadMount } from '../../core/workload/container';
import { WorkloadVolume } from '../../core/workload/volumes';

import { EtcdBackupOptions, EtcdDefragOptions } from '../etcd-maintenance';

/** Where the snapshot volume is mounted in the backup pod. */
export const ETCD_BACKUP_DIR = '/backup';
const RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};
/** The python image's `nobody`-like user: the scripts need no privileges. */
const JOB_UID = 65534;

interface MaintenanceBase {
  /** The cluster's name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** Client URLs of every member; may use `$(POD_NAMESPACE)` (defined first in the pod's env). */
  readonly endpoints: string[];
  /** With TLS: the Secret and key of the CA certificate the Job verifies the members with (mounted alone). */
  readonly ca?: { readonly secretName: string; readonly key: string };
}

/** Where a Job finds the CA certificate (ETCD_CACERT). */
const CA_DIR = '/etc/etcd-ca';

/** The CA-only volume and its mount, with TLS. */
function caVolume(scope: Construct, ca: MaintenanceBase['ca']): { volumes: { [name: string]: WorkloadVolume }; mounts: WorkloadMount[] } {
  if (!ca) return { volumes: {}, mounts: [] };
  const secret = kplus.Secret.fromSecretName(scope, 'CaSecret', ca.secretName);
  return {
    volumes: { ca: WorkloadVolume.fromSecret(secret, { defaultMode: 0o444, items: { [ca.key]: 'ca.crt' } }) },
    mounts: [{ volume: 'ca', mountPath: CA_DIR, readOnly: true }],
  };
}

/** Props of the defrag CronJob. */
export interface EtcdDefragJobProps extends EtcdDefragOptions, MaintenanceBase {}

/** Props of the backup CronJob. */
export interface EtcdBackupJobProps extends EtcdBackupOptions, MaintenanceBase {}

function env(endpoints: string[], extra: { [name: string]: string }, ca?: MaintenanceBase['ca']): { [name: string]: kplus.EnvValue } {
  const e: { [name: string]: kplus.EnvValue } = {
    POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    ETCD_ENDPOINTS: kplus.EnvValue.fromValue(endpoints.join(',')),
    ...(ca ? { ETCD_CACERT: kplus.EnvValue.fromValue(`${CA_DIR}/ca.crt`) } : {}),
  };
  for (const [k, v] of Object.entries(extra)) e[k] = kplus.EnvValue.fromValue(v);
  return e;
}

/** Selects the maintenance pods of a cluster (for the NetworkPolicy). */
export function maintenanceSelector(instance: string, component: string): { [key: string]: string } {
  return { [LabelKeys.INSTANCE]: instance, [LabelKeys.COMPONENT]: component };
}

/** Defragments every member on a schedule (assets/etcd-defrag.py). */
export class EtcdDefragJob extends Construct {
  public readonly scriptJob: ScriptJob;
  public readonly podSelector: { [key: string]: string };

  constructor(scope: Construct, id: string, props: EtcdDefragJobProps) {
    super(scope, id);
    const name = `${props.instance}-defrag`;
    this.podSelector = maintenanceSelector(props.instance, 'defrag');
    this.scriptJob = new ScriptJob(this, 'Job', {
      name,
      labels: new RecommendedLabels({ appName: 'etcd', instance: props.instance, component: 'defrag' }).stable,
      image: DEFAULT_GENERATOR_IMAGE,
      script: JobScript.python(loadAsset('etcd/assets/etcd-defrag.py')),
      containerName: 'defrag',
      env: env(props.endpoints, {}, props.ca),
      ...caVolume(this, props.ca),
      resources: RESOURCES,
      user: JOB_UID,
      group: JOB_UID,
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 1,
      activeDeadline: Duration.hours(1),
      schedule: { cron: props.schedule ?? '30 3 * * 0', timeZone: props.timeZone },
    });
  }
}

/** Snapshots to a claim on a schedule (assets/etcd-snapshot.py), keeping the newest `keep`. */
export class EtcdBackupJob extends Construct {
  public readonly claim: k8s.KubePersistentVolumeClaim;
  public readonly scriptJob: ScriptJob;
  public readonly podSelector: { [key: string]: string };

  constructor(scope: Construct, id: string, props: EtcdBackupJobProps) {
    const keep = props.keep ?? 7;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new ValidationError('EtcdBackupKeepInvalid', `backup.keep must be a whole number ≥ 1, got ${keep}`, scope);
    }
    const badSize = sizeError('backup.size', props.size, 1024);
    if (badSize) throw new ValidationError('EtcdBackupSizeInvalid', badSize, scope);
    const name = `${props.instance}-backup`;
    if (name.length > MAX_STATEFULSET_NAME) {
      // The CronJob controller appends an 11-character suffix to Job names, which must stay within 63.
      throw new ValidationError('EtcdBackupNameTooLong', `backup CronJob name '${name}' is longer than 52 characters; use a cluster name of at most 45 characters`, scope);
    }
    super(scope, id);
    const labels = new RecommendedLabels({ appName: 'etcd', instance: props.instance, component: 'backup' }).stable;
    this.podSelector = maintenanceSelector(props.instance, 'backup');
    this.claim = keptClaim(this, 'Claim', { name, labels, size: props.size, storageClass: props.storageClass });
    const ca = caVolume(this, props.ca);
    this.scriptJob = new ScriptJob(this, 'Job', {
      name,
      labels,
      image: DEFAULT_GENERATOR_IMAGE,
      script: JobScript.python(loadAsset('etcd/assets/etcd-snapshot.py')),
      containerName: 'snapshot',
      env: env(props.endpoints, { BACKUP_DIR: ETCD_BACKUP_DIR, KEEP: `${keep}`, SNAPSHOT_PREFIX: props.instance }, props.ca),
      volumes: { backup: WorkloadVolume.fromClaimName(this.claim.name), ...ca.volumes },
      mounts: [{ volume: 'backup', mountPath: ETCD_BACKUP_DIR }, ...ca.mounts],
      resources: RESOURCES,
      user: JOB_UID,
      group: JOB_UID,
      fsGroup: JOB_UID,
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 2,
      activeDeadline: Duration.hours(2),
      schedule: { cron: props.schedule ?? '0 2 * * *', timeZone: props.timeZone },
    });
  }
}
