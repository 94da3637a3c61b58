import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MongoBackupOptions } from './mongo-replica-set-props';
import { cronError, timeZoneError, wholeSecondsError } from '../core/api-rules';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { keptClaim } from '../core/kit/kept-claim';
import { JobRestartPolicy, JobScript, ScriptJob } from '../core/kit/script-job';
import { LabelKeys, RecommendedLabels } from '../core/labels';
import { WorkloadVolume } from '../core/workload/volumes';

/** Props of a MongoBackup: the options plus how to reach the replica set. */
export interface MongoBackupProps extends MongoBackupOptions {
  /** Name of the CronJob and of the claim (at most 52 characters). */
  readonly name: string;
  /** The replica set's StatefulSet name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** Image with mongodump (the replica set's own). */
  readonly image: string;
  /** Seed list, `host:port,...`. */
  readonly hosts: string;
  /** The replica set name. */
  readonly replicaSetName: string;
  /** The user mongodump logs in as (in `admin`). */
  readonly user: string;
  /** Secret holding the user's password. */
  readonly passwordSecret: kplus.ISecret;
  /** Key of the password in the Secret. */
  readonly passwordKey: string;
  /** uid and gid of the image's user. */
  readonly uid: number;
}

const BACKUP_DIR = '/backup';
const SECRET_DIR = '/etc/mongodb/credentials';
/** mongodump streams documents; its memory stays small. */
const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
};

/**
 * `mongodump --archive --gzip --oplog` on a schedule (a kit `ScriptJob` running assets/dump.sh),
 * keeping the newest `keep` archives on a claim of its own that every GitOps tool keeps.
 * `MongoReplicaSet` creates one for its `backup` prop; invalid options are reported on `scope`.
 */
export class MongoBackup extends Construct {
  /** The volume claim the archives are written to. */
  public readonly claim: k8s.KubePersistentVolumeClaim;
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** Labels that select the backup pods (for a NetworkPolicy). */
  public readonly podSelector: { [key: string]: string };

  constructor(scope: Construct, id: string, props: MongoBackupProps) {
    const keep = props.keep ?? 7;
    const schedule = props.schedule ?? '0 2 * * *';
    const bad = (!Number.isInteger(keep) || keep < 1 ? `backup.keep must be a whole number of 1 or more, got ${keep}` : undefined)
      ?? cronError(schedule) ?? (props.timeZone !== undefined ? timeZoneError(props.timeZone) : undefined)
      ?? (props.activeDeadline && wholeSecondsError('backup.activeDeadline', props.activeDeadline, 1))
      // The CronJob controller appends an 11-character suffix to Job names, which must stay within 63.
      ?? (props.name.length > 52 ? `backup CronJob name '${props.name}' is longer than 52 characters; use a replica set name of at most 45 characters` : undefined);
    if (bad) throw new ValidationError('MongoBackupInvalid', bad, scope);
    super(scope, id);
    const labels = new RecommendedLabels({ appName: 'mongodb', instance: props.instance, component: 'backup' }).stable;
    this.podSelector = { [LabelKeys.INSTANCE]: props.instance, [LabelKeys.COMPONENT]: 'backup' };
    this.claim = keptClaim(this, 'Claim', { name: props.name, labels, size: props.size, storageClass: props.storageClass });
    const job = new ScriptJob(this, 'Job', {
      name: props.name,
      labels,
      image: props.image,
      script: JobScript.bash(loadAsset('mongodb/assets/dump.sh'), { name: 'dump' }),
      containerName: 'mongodump',
      env: {
        MONGO_HOSTS: kplus.EnvValue.fromValue(props.hosts),
        MONGO_REPLICA_SET: kplus.EnvValue.fromValue(props.replicaSetName),
        MONGO_USER: kplus.EnvValue.fromValue(props.user),
        MONGO_PASSWORD_FILE: kplus.EnvValue.fromValue(`${SECRET_DIR}/${props.passwordKey}`),
        BACKUP_DIR: kplus.EnvValue.fromValue(BACKUP_DIR),
        KEEP: kplus.EnvValue.fromValue(`${keep}`),
        HOME: kplus.EnvValue.fromValue('/tmp'),
      },
      volumes: {
        backup: WorkloadVolume.fromClaimName(this.claim.name),
        credentials: WorkloadVolume.fromSecret(props.passwordSecret, { defaultMode: 0o440 }),
        tmp: WorkloadVolume.emptyDir(),
      },
      mounts: [
        { volume: 'backup', mountPath: BACKUP_DIR },
        { volume: 'credentials', mountPath: SECRET_DIR, readOnly: true },
        { volume: 'tmp', mountPath: '/tmp' },
      ],
      resources: props.resources ?? DEFAULT_RESOURCES,
      activeDeadline: props.activeDeadline ?? Duration.hours(6),
      user: props.uid,
      group: props.uid,
      fsGroup: props.uid,
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 2,
      schedule: { cron: schedule, timeZone: props.timeZone },
    });
    this.cronJob = job.cronJob!;
  }
}
