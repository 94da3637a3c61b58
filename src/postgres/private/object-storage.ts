// Internal: continuous backup, bootstrap (clone) and standby of a Patroni-mode cluster, as Spilo
// env on the database container (names from configure_spilo.py, see walg.ts), plus the restore
// verification CronJob.
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SPILO_GID, SPILO_UID } from './images';
import { credentialsDir, EnvEntry, spiloStoreEnv, StoreRole, StoreSpec, walgEnv } from './walg';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { JobRestartPolicy, JobScript, ScriptJob } from '../../core/kit/script-job';
import { RecommendedLabels } from '../../core/labels';
import { WorkloadMount } from '../../core/workload/container';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { WorkloadVolume } from '../../core/workload/volumes';
import { PostgresBootstrap, PostgresStandby } from '../postgres-bootstrap';
import { PostgresContinuousBackupOptions } from '../postgres-object-store';

/** The restore verification CronJob, and its ServiceAccount when the store uses workload identity. */
export interface VerifyObjects {
  readonly job: ScriptJob;
  readonly serviceAccount?: k8s.KubeServiceAccount;
}

/** What the cluster passes in. */
export interface ObjectStorageContext {
  readonly workload: StatefulWorkload;
  /** The cluster's name (Patroni scope). */
  readonly name: string;
  readonly major: string;
  readonly image: string;
  readonly instances: number;
  readonly patroni: boolean;
  readonly continuousBackup?: PostgresContinuousBackupOptions;
  readonly bootstrap?: PostgresBootstrap;
  readonly standby?: PostgresStandby;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const FOLDER = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const TARGET_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;
const SCRATCH = '/restore';

/**
 * Adds the env (and credential volumes) for `continuousBackup`, `bootstrap` and `standby` to
 * the database container; returns the restore verification ScriptJob when asked for.
 */
export function configureObjectStorage(scope: Construct, ctx: ObjectStorageContext): VerifyObjects | undefined {
  validate(scope, ctx);
  const w = ctx.workload;
  const env: EnvEntry[] = [];
  const mounted = new Set<string>();
  const mountCredentials = (store: StoreSpec, role: StoreRole) => {
    if (!store.credentialsFileKey || !store.secret || mounted.has(role)) return;
    mounted.add(role);
    const volume = `walg-${role === '' ? 'backup' : role.slice(0, -1).toLowerCase()}`;
    w.volumes.add(volume, WorkloadVolume.fromSecret(store.secret, { defaultMode: 0o440 }));
    w.addMount({ volume, mountPath: credentialsDir(role), readOnly: true });
  };
  const b = ctx.continuousBackup;
  if (b) {
    const store = b.objectStore._spec;
    env.push(...spiloStoreEnv(store, '', ctx.name, ctx.major));
    env.push(['BACKUP_SCHEDULE', kplus.EnvValue.fromValue(b.schedule ?? '0 1 * * *')]);
    env.push(['BACKUP_NUM_TO_RETAIN', kplus.EnvValue.fromValue(`${b.retain ?? 5}`)]);
    if (b.compression) env.push(['WALG_COMPRESSION_METHOD', kplus.EnvValue.fromValue(b.compression)]);
    if (b.fromReplica) env.push(['WALG_BACKUP_FROM_REPLICA', kplus.EnvValue.fromValue('true')]);
    mountCredentials(store, '');
  }
  const boot = ctx.bootstrap?._spec;
  if (boot) {
    env.push(['CLONE_SCOPE', kplus.EnvValue.fromValue(boot.sourceCluster)]);
    if (boot.store) {
      // Patroni's custom bootstrap clone_with_wale (configure_spilo.py TEMPLATE, CLONE_WITH_WALE):
      // clone_with_wale.py picks the latest base backup before CLONE_TARGET_TIME, recovery
      // replays WAL up to it (recovery_target_time) and promotes.
      env.push(['CLONE_METHOD', kplus.EnvValue.fromValue('CLONE_WITH_WALE')]);
      env.push(...spiloStoreEnv(boot.store, 'CLONE_', boot.sourceCluster, ctx.major));
      if (boot.targetTime) env.push(['CLONE_TARGET_TIME', kplus.EnvValue.fromValue(boot.targetTime)]);
      mountCredentials(boot.store, 'CLONE_');
    } else {
      // clone_with_basebackup.py: pg_basebackup from CLONE_HOST with a pgpass file that
      // configure_spilo.py writes from CLONE_USER and CLONE_PASSWORD (write_clone_pgpass).
      const h = boot.host!;
      env.push(['CLONE_METHOD', kplus.EnvValue.fromValue('CLONE_WITH_BASEBACKUP')]);
      env.push(['CLONE_HOST', kplus.EnvValue.fromValue(h.host)]);
      env.push(['CLONE_PORT', kplus.EnvValue.fromValue(`${h.port}`)]);
      env.push(['CLONE_USER', kplus.EnvValue.fromValue(h.user)]);
      env.push(['CLONE_PASSWORD', kplus.EnvValue.fromSecretValue({ secret: h.secret, key: h.key })]);
    }
  }
  const sb = ctx.standby;
  if (sb) {
    // configure_spilo.py TEMPLATE: STANDBY_CLUSTER (STANDBY_WITH_WALE or STANDBY_HOST) writes
    // bootstrap.dcs.standby_cluster; with an object store the leader restores the latest base
    // backup (bootstrap_standby_with_wale) and replays the archive (restore_command).
    if (sb._store) {
      env.push(['STANDBY_SCOPE', kplus.EnvValue.fromValue(sb.sourceCluster!)]);
      env.push(...spiloStoreEnv(sb._store, 'STANDBY_', sb.sourceCluster!, ctx.major));
      mountCredentials(sb._store, 'STANDBY_');
    } else {
      env.push(['STANDBY_HOST', kplus.EnvValue.fromValue(sb.host!)]);
      env.push(['STANDBY_PORT', kplus.EnvValue.fromValue(`${sb.port}`)]);
    }
  }
  for (const [k, v] of env) w.addEnv(k, v);
  return b?.verify ? verifyJob(scope, ctx, b) : undefined;
}

function verifyJob(scope: Construct, ctx: ObjectStorageContext, b: PostgresContinuousBackupOptions): VerifyObjects {
  const v = b.verify!;
  const name = `${ctx.name}-verify`;
  if (name.length > 52) {
    throw new ValidationError('PostgresRestoreVerifyNameTooLong',
      `restore verification CronJob name '${name}' is longer than 52 characters; use a cluster name of at most 45 characters`, scope);
  }
  const store = b.objectStore._spec;
  const credentialsPath = '/etc/wal-g/backup';
  const volumes: { [name: string]: WorkloadVolume } = {
    scratch: WorkloadVolume.emptyDir({ sizeLimit: v.scratchSize }),
    tmp: WorkloadVolume.emptyDir(),
  };
  const mounts: WorkloadMount[] = [{ volume: 'scratch', mountPath: SCRATCH }, { volume: 'tmp', mountPath: '/tmp' }];
  if (store.credentialsFileKey && store.secret) {
    volumes.credentials = WorkloadVolume.fromSecret(store.secret, { defaultMode: 0o440 });
    mounts.push({ volume: 'credentials', mountPath: credentialsPath, readOnly: true });
  }
  const env: { [name: string]: kplus.EnvValue } = {};
  for (const [k, val] of walgEnv(store, ctx.name, ctx.major, credentialsPath)) env[k] = val;
  env.PGBIN = kplus.EnvValue.fromValue(`/usr/lib/postgresql/${ctx.major}/bin`);
  env.RESTORE_DIR = kplus.EnvValue.fromValue(SCRATCH);
  const labels = new RecommendedLabels({ appName: 'postgres', instance: ctx.name, component: 'verify-restore' }).stable;
  // Without keys the store is reached with the pod's identity (IRSA, GKE or Azure workload
  // identity), which is bound to a ServiceAccount: one of its own, without any Role, for the
  // user to annotate like the database's.
  const serviceAccount = store.secret ? undefined : new k8s.KubeServiceAccount(scope, 'VerifyRestoreServiceAccount', {
    metadata: { name, labels },
    automountServiceAccountToken: false,
  });
  const job = new ScriptJob(scope, 'VerifyRestore', {
    name,
    labels,
    serviceAccountName: serviceAccount?.name,
    // The cluster's Spilo image: the same wal-g and PostgreSQL binaries as the backups.
    image: ctx.image,
    script: JobScript.bash(loadAsset('postgres/assets/verify-restore.sh'), { name: 'verify-restore' }),
    containerName: 'verify-restore',
    env,
    volumes,
    mounts,
    resources: v.resources ?? {
      cpu: { request: kplus.Cpu.millis(500) },
      memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
    },
    activeDeadline: v.activeDeadline ?? Duration.hours(6),
    user: SPILO_UID,
    group: SPILO_GID,
    fsGroup: SPILO_GID,
    restartPolicy: JobRestartPolicy.NEVER,
    backoffLimit: 0,
    schedule: { cron: v.schedule ?? '0 5 * * 0', timeZone: v.timeZone },
  });
  return { job, serviceAccount };
}

function validateStore(scope: Construct, what: string, s: StoreSpec): void {
  if (s.provider === 'az') {
    if (!/^[a-z0-9]{3,24}$/.test(s.storageAccount ?? '')) {
      throw new ValidationError('PostgresObjectStoreAccountInvalid', `${what}: Azure storage account '${s.storageAccount}' is not 3-24 lower-case letters and digits`, scope);
    }
    if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(s.bucket)) {
      throw new ValidationError('PostgresObjectStoreBucketInvalid', `${what}: Azure container '${s.bucket}' is not a container name (3-63 lower-case letters, digits and single hyphens)`, scope);
    }
  } else if (!BUCKET.test(s.bucket) || s.bucket.includes('..')) {
    throw new ValidationError('PostgresObjectStoreBucketInvalid', `${what}: bucket '${s.bucket}' is not a bucket name (3-63 lower-case letters, digits, '.' and '-'); give the name only, e.g. 'acme-pg-backups'`, scope);
  }
  if (s.folder !== undefined && !FOLDER.test(s.folder)) {
    throw new ValidationError('PostgresObjectStorePrefixInvalid', `${what}: prefix '${s.folder}' is not a folder path (letters, digits, '_', '.', '-', separated by single '/', no leading or trailing '/'); e.g. 'team-a/prod'`, scope);
  }
  if (s.endpoint !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(s.endpoint)) {
    throw new ValidationError('PostgresObjectStoreEndpointInvalid', `${what}: endpoint '${s.endpoint}' is not an http(s) URL of a host (and port); e.g. 'http://minio.storage:9000'`, scope);
  }
  if (s.provider === 's3' && !s.endpoint && !s.region) {
    // Spilo would guess the region from the bucket name or the node's zone ('local' here).
    throw new ValidationError('PostgresObjectStoreRegionMissing', `${what}: S3 bucket '${s.bucket}' has no region; set 'region' (e.g. 'eu-central-1'), or 'endpoint' for an S3-compatible store`, scope);
  }
}

function validate(scope: Construct, ctx: ObjectStorageContext): void {
  const b = ctx.continuousBackup;
  const why = 'needs Patroni mode (ReplicationMode.PATRONI, the default): it uses the WAL-G and clone/standby support of the Spilo image, '
    + "which streaming mode's official image does not have; use Patroni mode, or 'backup' (logical dumps) in streaming mode";
  if (b && !ctx.patroni) throw new ValidationError('PostgresContinuousBackupNeedsPatroni', `'continuousBackup' ${why}`, scope);
  if (ctx.bootstrap && !ctx.patroni) throw new ValidationError('PostgresBootstrapNeedsPatroni', `'bootstrap' ${why}`, scope);
  if (ctx.standby && !ctx.patroni) throw new ValidationError('PostgresStandbyNeedsPatroni', `'standby' ${why}`, scope);
  if (b) {
    validateStore(scope, 'continuousBackup.objectStore', b.objectStore._spec);
    const retain = b.retain ?? 5;
    if (!Number.isInteger(retain) || retain < 1) {
      throw new ValidationError('PostgresContinuousBackupRetainInvalid', `continuousBackup.retain must be a whole number ≥ 1, got ${retain}`, scope);
    }
    const schedule = b.schedule ?? '0 1 * * *';
    // Spilo writes it into a crontab line as it is: five fields, no @daily shorthands.
    if (!/^\S+( \S+){4}$/.test(schedule)) {
      throw new ValidationError('PostgresContinuousBackupScheduleInvalid',
        `continuousBackup.schedule '${schedule}' is not a 5-field cron expression separated by single spaces; use e.g. '0 1 * * *'`, scope);
    }
    if (b.fromReplica && ctx.instances < 2) {
      throw new ValidationError('PostgresContinuousBackupFromReplicaNeedsReplicas',
        `continuousBackup.fromReplica needs at least 2 instances (got ${ctx.instances}): with no replica no base backup is taken; add instances or leave fromReplica off`, scope);
    }
  }
  const boot = ctx.bootstrap?._spec;
  if (boot) {
    if (ctx.standby) {
      throw new ValidationError('PostgresBootstrapWithStandby',
        "'bootstrap' and 'standby' are both set; a standby takes its data from its source: set only 'standby'", scope);
    }
    if (boot.sourceCluster === ctx.name) {
      throw new ValidationError('PostgresBootstrapSourceIsSelf',
        `bootstrap.sourceCluster '${boot.sourceCluster}' is this cluster's own name; a bootstrap creates a new cluster from another one: give the new cluster a new name`, scope);
    }
    if (boot.store) validateStore(scope, 'bootstrap.objectStore', boot.store);
    if (boot.targetTime !== undefined && !TARGET_TIME.test(boot.targetTime)) {
      throw new ValidationError('PostgresBootstrapTargetTimeInvalid',
        `bootstrap.targetTime '${boot.targetTime}' is not an ISO 8601 time with a UTC offset; use e.g. '2026-01-02T03:04:05+00:00'`, scope);
    }
    if (boot.host && !boot.host.host) {
      throw new ValidationError('PostgresBootstrapHostInvalid', 'bootstrap.host is empty; give the source primary\'s host name', scope);
    }
  }
  const sb = ctx.standby;
  if (sb?._store) {
    validateStore(scope, 'standby.objectStore', sb._store);
    const own = b?.objectStore._spec;
    const same = own && own.provider === sb._store.provider && own.bucket === sb._store.bucket && own.folder === sb._store.folder;
    if (same && sb.sourceCluster === ctx.name) {
      throw new ValidationError('PostgresStandbyArchiveConflict',
        `standby replays '${sb.sourceCluster}' from the store its own continuousBackup writes to, under the same name and prefix; `
        + "after a promotion both clusters would archive into one folder: give this cluster's continuousBackup another prefix or bucket", scope);
    }
  } else if (sb && (!sb.host || !Number.isInteger(sb.port) || sb.port! < 1 || sb.port! > 65535)) {
    throw new ValidationError('PostgresStandbyHostInvalid', `standby host '${sb.host}' port ${sb.port} is not a host and a port 1-65535`, scope);
  }
}
