import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { OFFICIAL_GID, OFFICIAL_UID } from './private/images';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { keptClaim } from '../core/kit/kept-claim';
import { JobRestartPolicy, JobScript, ScriptJob } from '../core/kit/script-job';
import { LabelKeys, RecommendedLabels } from '../core/labels';
import { WorkloadVolume, IStorageClass } from '../core/workload/volumes';

/**
 * A CronJob writing logical dumps to a volume of its own: per run, the roles without passwords
 * (`pg_dumpall --globals-only --no-role-passwords`) and each database (`pg_dump -Fc`); see
 * docs/postgres.md, "Restore into a new cluster".
 */
export interface PostgresBackupOptions {
  /** Size of the backup volume. */
  readonly size: Size;
  /** @default - the cluster's default class */
  readonly storageClass?: IStorageClass;
  /** Cron schedule, in the controller's time zone unless `timeZone` is set. @default '0 2 * * *' */
  readonly schedule?: string;
  /** IANA time zone of the schedule. @default - the kube-controller-manager's */
  readonly timeZone?: string;
  /** Runs (dump directories) to keep. @default 7 */
  readonly keep?: number;
  /**
   * Resources of the backup container.
   * @default - 100m CPU requested, 256 MiB memory requested and 1 GiB limited
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * A run still going after this long is stopped and counts as failed (`activeDeadlineSeconds`):
   * with `concurrencyPolicy: Forbid` a hung run would otherwise block every later one.
   * @default Duration.hours(6)
   */
  readonly activeDeadline?: Duration;
}

/** Props of a PostgresBackup: the options plus how to reach the server. */
export interface PostgresBackupProps extends PostgresBackupOptions {
  /** Name of the CronJob and of the claim (at most 52 characters). */
  readonly name: string;
  /** The cluster's name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** Image with pg_dump and pg_dumpall of at least the server's major version. */
  readonly image: string;
  /**
   * Host of the server (the read-write Service). It may use `$(POD_NAMESPACE)`, which the backup
   * container defines (the pod's namespace, so the name survives a Kustomize `namespace:`).
   */
  readonly host: string;
  /** Port of the server. */
  readonly port: number;
  /** The superuser. */
  readonly user: string;
  /** libpq sslmode. */
  readonly sslMode: string;
  /** Secret holding the superuser's password. */
  readonly passwordSecret: kplus.ISecret;
  /** Key of the password in the Secret. */
  readonly passwordKey: string;
}

/** Where the backup volume is mounted. */
const BACKUP_DIR = '/backup';
/** Default resources: pg_dump streams, it holds little in memory. */
const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
};

/**
 * Logical dumps on a schedule (a kit `ScriptJob` running assets/dump-all.sh), keeping the newest
 * `keep` runs on a claim of its own. The claim carries the keep/prune annotations of
 * every data-holding object. `PostgresCluster` creates one for its `backup` prop.
 *
 * Invalid options are reported on `scope` (the cluster whose `backup` prop they are).
 */
export class PostgresBackup extends Construct {
  /** The volume claim the dumps are written to. */
  public readonly claim: k8s.KubePersistentVolumeClaim;
  /** The ScriptJob that runs the dumps. */
  public readonly scriptJob: ScriptJob;
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** Labels that select the backup pods (for a NetworkPolicy). */
  public readonly podSelector: { [key: string]: string };

  constructor(scope: Construct, id: string, props: PostgresBackupProps) {
    const keep = props.keep ?? 7;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new ValidationError('PostgresBackupKeepInvalid', `backup.keep must be a whole number ≥ 1, got ${keep}`, scope);
    }
    const schedule = props.schedule ?? '0 2 * * *';
    if (schedule.trim().split(/\s+/).length !== 5) {
      throw new ValidationError('PostgresBackupScheduleInvalid', `backup.schedule '${schedule}' is not a 5-field cron expression; use e.g. '0 2 * * *'`, scope);
    }
    const name = props.name;
    if (name.length > 52) {
      // The CronJob controller appends an 11-character suffix to Job names, which must stay within 63.
      throw new ValidationError('PostgresBackupNameTooLong',
        `backup CronJob name '${name}' is longer than 52 characters; use a cluster name of at most 45 characters`, scope);
    }
    super(scope, id);
    const labels = new RecommendedLabels({ appName: 'postgres', instance: props.instance, component: 'backup' }).stable;
    this.podSelector = { [LabelKeys.INSTANCE]: props.instance, [LabelKeys.COMPONENT]: 'backup' };
    this.claim = keptClaim(this, 'Claim', { name, labels, size: props.size, storageClass: props.storageClass });
    this.scriptJob = new ScriptJob(this, 'Job', {
      name,
      labels,
      // pg_dump must be at least the server's major version.
      image: props.image,
      script: JobScript.bash(loadAsset('postgres/assets/dump-all.sh'), { name: 'dump-all' }),
      containerName: 'pg-dumpall',
      env: {
        // Defined first: the kubelet expands `$(POD_NAMESPACE)` in later values only.
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        PGHOST: kplus.EnvValue.fromValue(props.host),
        PGPORT: kplus.EnvValue.fromValue(`${props.port}`),
        PGUSER: kplus.EnvValue.fromValue(props.user),
        PGSSLMODE: kplus.EnvValue.fromValue(props.sslMode),
        PGPASSWORD: kplus.EnvValue.fromSecretValue({ secret: props.passwordSecret, key: props.passwordKey }),
        BACKUP_DIR: kplus.EnvValue.fromValue(BACKUP_DIR),
        KEEP: kplus.EnvValue.fromValue(`${keep}`),
      },
      volumes: { backup: WorkloadVolume.fromClaimName(this.claim.name), tmp: WorkloadVolume.emptyDir() },
      mounts: [{ volume: 'backup', mountPath: BACKUP_DIR }, { volume: 'tmp', mountPath: '/tmp' }],
      resources: props.resources ?? DEFAULT_RESOURCES,
      activeDeadline: props.activeDeadline ?? Duration.hours(6),
      user: OFFICIAL_UID,
      group: OFFICIAL_GID,
      fsGroup: OFFICIAL_GID,
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: 2,
      schedule: { cron: schedule, timeZone: props.timeZone },
    });
    this.cronJob = this.scriptJob.cronJob!;
  }
}
