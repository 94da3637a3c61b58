// Continuous backup, bootstrap and standby: the Spilo env they write. Every name and rule is
// zalando/spilo postgres-appliance/scripts/configure_spilo.py at tag 4.0-p3 (the pinned image);
// spiloArchiveSettings (src/postgres/private/walg.ts) ports the lines that decide archiving.
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors } from '../../src/core/errors';
import {
  ObjectStore, PostgresBootstrap, PostgresCluster, PostgresClusterProps, PostgresStandby, PostgresVersion, ReplicationMode, WalCompression,
} from '../../src/postgres';
import { spiloArchiveSettings, spiloStoreEnv, walPrefix } from '../../src/postgres/private/walg';
import { container, envOf, find, synthValidated } from '../util/validate';

const SECRETS = ['s3-keys', 'gcs-key', 'azure-key', 'source-replication'];

function synth(props: PostgresClusterProps = {}, name = 'orders') {
  const chart = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(chart, name, props);
  const objs = synthValidated(chart, { externalSecrets: [cluster.secretName, ...SECRETS] });
  const sts = find(objs, 'StatefulSet', cluster.workload.name);
  return { chart, cluster, objs, sts, env: envOf(container(sts, 'postgres')) };
}

/** Literal env values only (what configure_spilo.py sees as strings; Secret refs are resolved by the kubelet). */
function literal(env: { [k: string]: any }): { [k: string]: string } {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as { [k: string]: string };
}

function secret(name: string): kplus.ISecret {
  return kplus.Secret.fromSecretName(new Chart(new App(), 'x'), name, name);
}

const s3 = (extra: Partial<Parameters<typeof ObjectStore.s3>[0]> = {}) => ObjectStore.s3({
  bucket: 'acme-pg', region: 'eu-central-1', credentials: { secret: secret('s3-keys') }, ...extra,
});

describe('spiloArchiveSettings (configure_spilo.py get_placeholders)', () => {
  test('no store: archive_command /bin/true (archive_mode is on in the TEMPLATE regardless)', () => {
    const a = spiloArchiveSettings(literal(synth().env));
    expect(a).toMatchObject({ archiveMode: 'on', archiveCommand: '/bin/true', archiving: false });
    expect(a.cron).toBeUndefined();
  });

  test('WAL_S3_BUCKET with USE_WALG_BACKUP: wal-g wal-push under the envdir, and the backup cron line', () => {
    const a = spiloArchiveSettings({ WAL_S3_BUCKET: 'b', USE_WALG_BACKUP: 'true', BACKUP_SCHEDULE: '0 3 * * *', PGROOT: '/home/postgres/pgdata/pgroot' });
    expect(a.archiveCommand).toBe('envdir "/run/etc/wal-e.d/env" wal-g wal-push "%p"');
    expect(a.cron).toBe('0 3 * * * envdir "/run/etc/wal-e.d/env" /scripts/postgres_backup.sh "/home/postgres/pgdata/pgroot/data"');
  });

  test('without USE_WALG_BACKUP Spilo falls back to WAL-E (why the construct always sets it)', () => {
    expect(spiloArchiveSettings({ WAL_S3_BUCKET: 'b' }).binary).toBe('wal-e');
    expect(spiloArchiveSettings({ WALG_AZ_PREFIX: 'azure://c/p' }).binary).toBe('wal-g');
    // USE_WALG_BACKUP is dropped for a store WAL-G does not support (set_walg_placeholders).
    expect(spiloArchiveSettings({ WAL_SWIFT_BUCKET: 'b', USE_WALG_BACKUP: 'true' }).binary).toBe('wal-e');
  });
});

describe('continuousBackup', () => {
  test('S3 with keys: the env Spilo reads, and archiving switches on with wal-g', () => {
    const { env } = synth({
      continuousBackup: { objectStore: s3({ prefix: 'team-a' }), schedule: '30 2 * * *', retain: 7, compression: WalCompression.ZSTD, fromReplica: true },
    });
    expect(env).toMatchObject({
      WAL_S3_BUCKET: 'acme-pg',
      WAL_BUCKET_SCOPE_PREFIX: 'team-a/',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 's3-keys', key: 'AWS_ACCESS_KEY_ID' } },
      AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 's3-keys', key: 'AWS_SECRET_ACCESS_KEY' } },
      USE_WALG_BACKUP: 'true',
      USE_WALG_RESTORE: 'true',
      BACKUP_SCHEDULE: '30 2 * * *',
      BACKUP_NUM_TO_RETAIN: '7',
      WALG_COMPRESSION_METHOD: 'zstd',
      WALG_BACKUP_FROM_REPLICA: 'true',
    });
    const a = spiloArchiveSettings(literal(env));
    expect(a.archiving).toBe(true);
    expect(a.archiveCommand).toBe('envdir "/run/etc/wal-e.d/env" wal-g wal-push "%p"');
    expect(a.cron).toBe('30 2 * * * envdir "/run/etc/wal-e.d/env" /scripts/postgres_backup.sh "/home/postgres/pgdata/pgroot/data"');
  });

  test('defaults: schedule 0 1 * * *, 5 backups, no scope prefix (the namespace stays out of the path), no compression override', () => {
    const { env } = synth({ continuousBackup: { objectStore: s3() } });
    expect(env).toMatchObject({ BACKUP_SCHEDULE: '0 1 * * *', BACKUP_NUM_TO_RETAIN: '5', WAL_BUCKET_SCOPE_PREFIX: '' });
    expect(env.WALG_COMPRESSION_METHOD).toBeUndefined();
    expect(env.WALG_BACKUP_FROM_REPLICA).toBeUndefined();
  });

  test('IRSA: no keys in env (Spilo sets AWS_INSTANCE_PROFILE; WAL-G uses the web identity token)', () => {
    const { env } = synth({ continuousBackup: { objectStore: ObjectStore.s3({ bucket: 'acme-pg', region: 'us-east-1' }) } });
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(spiloArchiveSettings(literal(env)).archiving).toBe(true);
  });

  test('MinIO: AWS_ENDPOINT (Spilo derives path style); virtual-host style through WALE_S3_ENDPOINT', () => {
    const minio = synth({ continuousBackup: { objectStore: ObjectStore.s3({ bucket: 'pg-backups', endpoint: 'http://minio.storage:9000', credentials: { secret: secret('s3-keys'), accessKeyIdKey: 'user', secretAccessKeyKey: 'pass' } }) } }).env;
    expect(minio).toMatchObject({ AWS_ENDPOINT: 'http://minio.storage:9000', AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 's3-keys', key: 'user' } } });
    expect(minio.AWS_REGION).toBeUndefined();
    expect(minio.WALE_S3_ENDPOINT).toBeUndefined();
    const vhost = synth({ continuousBackup: { objectStore: ObjectStore.s3({ bucket: 'pg-backups', endpoint: 'https://s3.example.com', forcePathStyle: false }) } }).env;
    expect(vhost.WALE_S3_ENDPOINT).toBe('https+virtualhost://s3.example.com');
    const aws = synth({ continuousBackup: { objectStore: s3({ forcePathStyle: true }) } }).env;
    expect(aws.AWS_S3_FORCE_PATH_STYLE).toBe('true');
  });

  test('GCS: WAL_GS_BUCKET, the key file mounted from the Secret, archiving on', () => {
    const { env, sts } = synth({ continuousBackup: { objectStore: ObjectStore.gcs({ bucket: 'acme-pg', credentialsSecret: secret('gcs-key') }) } });
    expect(env).toMatchObject({ WAL_GS_BUCKET: 'acme-pg', GOOGLE_APPLICATION_CREDENTIALS: '/etc/wal-g/backup/key.json' });
    expect(sts.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ name: 'walg-backup', secret: expect.objectContaining({ secretName: 'gcs-key' }) }));
    expect(container(sts, 'postgres').volumeMounts).toContainEqual({ name: 'walg-backup', mountPath: '/etc/wal-g/backup', readOnly: true });
    expect(spiloArchiveSettings(literal(env)).archiveCommand).toBe('envdir "/run/etc/wal-e.d/env" wal-g wal-push "%p"');
  });

  test('Azure: WALG_AZ_PREFIX in Spilo\'s layout, the account and the key', () => {
    const { env } = synth({
      continuousBackup: { objectStore: ObjectStore.azure({ storageAccount: 'acmepg', container: 'backups', accessKeySecret: secret('azure-key') }) },
      version: PostgresVersion.V16,
    });
    expect(env).toMatchObject({
      WALG_AZ_PREFIX: 'azure://backups/spilo/orders/wal/16',
      AZURE_STORAGE_ACCOUNT: 'acmepg',
      AZURE_STORAGE_ACCESS_KEY: { secretKeyRef: { name: 'azure-key', key: 'AZURE_STORAGE_ACCESS_KEY' } },
    });
    expect(spiloArchiveSettings(literal(env)).archiveCommand).toBe('envdir "/run/etc/wal-e.d/env" wal-g wal-push "%p"');
  });

  test('walPrefix is the path configure_spilo.py builds from WAL_S3_BUCKET (write_wale_environment prefix_template)', () => {
    const spec = s3({ prefix: 'team-a' })._spec;
    // '/spilo/{WAL_BUCKET_SCOPE_PREFIX}{SCOPE}{WAL_BUCKET_SCOPE_SUFFIX}/wal/{PGVERSION}'
    expect(walPrefix(spec, 'orders', '17')).toBe('s3://acme-pg/spilo/team-a/orders/wal/17');
    expect(spiloStoreEnv(spec, 'STANDBY_', 'orders', '17').map(([k, v]) => [k, v.value])).toContainEqual(['STANDBY_WALE_S3_PREFIX', 's3://acme-pg/spilo/team-a/orders/wal/17']);
  });

  test('verify: a CronJob in the Spilo image restoring from the same prefix', () => {
    const { objs, cluster } = synth({ continuousBackup: { objectStore: s3({ prefix: 'team-a' }), verify: { scratchSize: Size.gibibytes(50) } } });
    const cj = find(objs, 'CronJob', 'orders-verify');
    expect(cluster.restoreVerify?.cronJob).toBeDefined();
    expect(cj.spec.schedule).toBe('0 5 * * 0');
    const job = cj.spec.jobTemplate.spec;
    expect(job.backoffLimit).toBe(0);
    expect(job.activeDeadlineSeconds).toBe(21600);
    const c = container(cj, 'verify-restore');
    expect(c.image).toBe(cluster.image);
    expect(envOf(c)).toMatchObject({
      WALG_S3_PREFIX: 's3://acme-pg/spilo/team-a/orders/wal/17',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 's3-keys', key: 'AWS_ACCESS_KEY_ID' } },
      PGBIN: '/usr/lib/postgresql/17/bin',
      RESTORE_DIR: '/restore',
    });
    expect(job.template.spec.volumes).toContainEqual({ name: 'scratch', emptyDir: { sizeLimit: '50Gi' } });
    expect(job.template.spec.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 103 });
    expect(job.template.spec.serviceAccountName).toBeUndefined();
    expect(cluster.restoreVerifyServiceAccount).toBeUndefined();
  });

  test('verify from GCS and Azure: WAL-G\'s own prefix variables and the key file mounted in the Job', () => {
    const gcs = synth({ continuousBackup: { objectStore: ObjectStore.gcs({ bucket: 'acme-pg', credentialsSecret: secret('gcs-key'), credentialsKey: 'sa.json' }), verify: {} } });
    const cj = find(gcs.objs, 'CronJob', 'orders-verify');
    const c = container(cj, 'verify-restore');
    expect(envOf(c)).toMatchObject({ WALG_GS_PREFIX: 'gs://acme-pg/spilo/orders/wal/17', GOOGLE_APPLICATION_CREDENTIALS: '/etc/wal-g/backup/sa.json' });
    expect(c.volumeMounts).toContainEqual({ name: 'credentials', mountPath: '/etc/wal-g/backup', readOnly: true });
    expect(cj.spec.jobTemplate.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ name: 'credentials', secret: expect.objectContaining({ secretName: 'gcs-key' }) }));
    const az = synth({ continuousBackup: { objectStore: ObjectStore.azure({ storageAccount: 'acmepg', container: 'backups', accessKeySecret: secret('azure-key') }), verify: {} } });
    expect(envOf(container(find(az.objs, 'CronJob', 'orders-verify'), 'verify-restore'))).toMatchObject({
      WALG_AZ_PREFIX: 'azure://backups/spilo/orders/wal/17',
      AZURE_STORAGE_ACCOUNT: 'acmepg',
      AZURE_STORAGE_ACCESS_KEY: { secretKeyRef: { name: 'azure-key', key: 'AZURE_STORAGE_ACCESS_KEY' } },
    });
  });

  test('verify with workload identity (no keys): a ServiceAccount of its own, without a Role, to annotate', () => {
    const { objs, cluster } = synth({ continuousBackup: { objectStore: ObjectStore.s3({ bucket: 'acme-pg', region: 'eu-central-1' }), verify: {} } });
    const sa = find(objs, 'ServiceAccount', 'orders-verify');
    expect(cluster.restoreVerifyServiceAccount?.name).toBe('orders-verify');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(find(objs, 'CronJob', 'orders-verify').spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('orders-verify');
    expect(objs.filter((o) => o.kind === 'RoleBinding' && o.subjects?.some((x: any) => x.name === 'orders-verify'))).toEqual([]);
  });
});

describe('bootstrap', () => {
  test('fromBackup: CLONE_WITH_WALE from the source\'s folder, to a point in time', () => {
    const { env } = synth({
      bootstrap: PostgresBootstrap.fromBackup({ objectStore: s3(), sourceCluster: 'orders', targetTime: '2026-01-02T03:04:05+00:00' }),
    }, 'orders-restored');
    expect(env).toMatchObject({
      CLONE_SCOPE: 'orders',
      CLONE_METHOD: 'CLONE_WITH_WALE',
      CLONE_WAL_S3_BUCKET: 'acme-pg',
      CLONE_WAL_BUCKET_SCOPE_PREFIX: '',
      CLONE_AWS_REGION: 'eu-central-1',
      CLONE_AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 's3-keys', key: 'AWS_ACCESS_KEY_ID' } },
      CLONE_USE_WALG_RESTORE: 'true',
      CLONE_TARGET_TIME: '2026-01-02T03:04:05+00:00',
    });
    // The clone does not archive anywhere unless continuousBackup is set too.
    expect(spiloArchiveSettings(literal(env)).archiving).toBe(false);
  });

  test('fromBackup from GCS and Azure: CLONE_ copies, the key file mounted for the clone; Azure without a major (the clone searches)', () => {
    const gcs = synth({ bootstrap: PostgresBootstrap.fromBackup({ objectStore: ObjectStore.gcs({ bucket: 'acme-pg', credentialsSecret: secret('gcs-key') }), sourceCluster: 'orders' }) }, 'orders-2');
    expect(gcs.env).toMatchObject({ CLONE_WAL_GS_BUCKET: 'acme-pg', CLONE_GOOGLE_APPLICATION_CREDENTIALS: '/etc/wal-g/clone/key.json' });
    expect(container(gcs.sts, 'postgres').volumeMounts).toContainEqual({ name: 'walg-clone', mountPath: '/etc/wal-g/clone', readOnly: true });
    const az = synth({ bootstrap: PostgresBootstrap.fromBackup({ objectStore: ObjectStore.azure({ storageAccount: 'acmepg', container: 'backups' }), sourceCluster: 'orders' }) }, 'orders-2');
    expect(az.env).toMatchObject({ CLONE_WALG_AZ_PREFIX: 'azure://backups/spilo/orders/wal', CLONE_AZURE_STORAGE_ACCOUNT: 'acmepg' });
  });

  test('fromCluster: CLONE_WITH_BASEBACKUP with the password from a Secret', () => {
    const { env } = synth({
      bootstrap: PostgresBootstrap.fromCluster({ host: 'orders.db.svc.cluster.local', sourceCluster: 'orders', passwordSecret: secret('source-replication') }),
    }, 'orders-copy');
    expect(env).toMatchObject({
      CLONE_METHOD: 'CLONE_WITH_BASEBACKUP',
      CLONE_SCOPE: 'orders',
      CLONE_HOST: 'orders.db.svc.cluster.local',
      CLONE_PORT: '5432',
      CLONE_USER: 'replicator',
      CLONE_PASSWORD: { secretKeyRef: { name: 'source-replication', key: 'replication-password' } },
    });
  });
});

describe('standby', () => {
  test('fromObjectStore: STANDBY_ prefix with the full WAL path of the source\'s major', () => {
    const { env } = synth({ standby: PostgresStandby.fromObjectStore({ objectStore: s3(), sourceCluster: 'orders' }) });
    expect(env).toMatchObject({
      STANDBY_SCOPE: 'orders',
      STANDBY_WALE_S3_PREFIX: 's3://acme-pg/spilo/orders/wal/17',
      STANDBY_AWS_REGION: 'eu-central-1',
      STANDBY_USE_WALG_RESTORE: 'true',
    });
  });

  test('fromHost: STANDBY_HOST and STANDBY_PORT', () => {
    const { env } = synth({ standby: PostgresStandby.fromHost({ host: 'orders.eu-west.example.com' }) });
    expect(env).toMatchObject({ STANDBY_HOST: 'orders.eu-west.example.com', STANDBY_PORT: '5432' });
  });
});

describe('invalid props', () => {
  const streaming = { mode: ReplicationMode.STREAMING };
  test.each<[string, () => PostgresClusterProps, string, string]>([
    ['continuousBackup in streaming mode', () => ({ ...streaming, continuousBackup: { objectStore: s3() } }), "'continuousBackup' needs Patroni mode", 'PostgresContinuousBackupNeedsPatroni'],
    ['bootstrap in streaming mode', () => ({ ...streaming, bootstrap: PostgresBootstrap.fromBackup({ objectStore: s3(), sourceCluster: 'x' }) }), "'bootstrap' needs Patroni mode", 'PostgresBootstrapNeedsPatroni'],
    ['standby in streaming mode', () => ({ ...streaming, standby: PostgresStandby.fromHost({ host: 'h' }) }), "'standby' needs Patroni mode", 'PostgresStandbyNeedsPatroni'],
    ['S3 without region or endpoint', () => ({ continuousBackup: { objectStore: ObjectStore.s3({ bucket: 'acme-pg' }) } }), "S3 bucket 'acme-pg' has no region", 'PostgresObjectStoreRegionMissing'],
    ['bucket with a path', () => ({ continuousBackup: { objectStore: s3({ bucket: 'acme-pg/backups' }) } }), "bucket 'acme-pg/backups' is not a bucket name", 'PostgresObjectStoreBucketInvalid'],
    ['prefix with a leading slash', () => ({ continuousBackup: { objectStore: s3({ prefix: '/team' }) } }), "prefix '/team' is not a folder path", 'PostgresObjectStorePrefixInvalid'],
    ['endpoint without scheme', () => ({ continuousBackup: { objectStore: s3({ endpoint: 'minio:9000' }) } }), "endpoint 'minio:9000' is not an http(s) URL", 'PostgresObjectStoreEndpointInvalid'],
    ['Azure account with capitals', () => ({ continuousBackup: { objectStore: ObjectStore.azure({ storageAccount: 'AcmePG', container: 'pg' }) } }), "Azure storage account 'AcmePG'", 'PostgresObjectStoreAccountInvalid'],
    ['Azure container too short', () => ({ continuousBackup: { objectStore: ObjectStore.azure({ storageAccount: 'acmepg', container: 'p' }) } }), "Azure container 'p'", 'PostgresObjectStoreBucketInvalid'],
    ['retain 0', () => ({ continuousBackup: { objectStore: s3(), retain: 0 } }), 'continuousBackup.retain must be a whole number ≥ 1, got 0', 'PostgresContinuousBackupRetainInvalid'],
    ['schedule shorthand', () => ({ continuousBackup: { objectStore: s3(), schedule: '@daily' } }), "continuousBackup.schedule '@daily' is not a 5-field cron expression", 'PostgresContinuousBackupScheduleInvalid'],
    ['fromReplica with one instance', () => ({ instances: 1, continuousBackup: { objectStore: s3(), fromReplica: true } }), 'continuousBackup.fromReplica needs at least 2 instances (got 1)', 'PostgresContinuousBackupFromReplicaNeedsReplicas'],
    ['verify name too long', () => ({ name: 'a'.repeat(46), continuousBackup: { objectStore: s3(), verify: {} } }), 'is longer than 52 characters', 'PostgresRestoreVerifyNameTooLong'],
    ['bootstrap from itself', () => ({ bootstrap: PostgresBootstrap.fromBackup({ objectStore: s3(), sourceCluster: 'orders' }) }), "bootstrap.sourceCluster 'orders' is this cluster's own name", 'PostgresBootstrapSourceIsSelf'],
    ['bootstrap clone of itself', () => ({ bootstrap: PostgresBootstrap.fromCluster({ host: 'h', sourceCluster: 'orders', passwordSecret: secret('source-replication') }) }), "bootstrap.sourceCluster 'orders' is this cluster's own name", 'PostgresBootstrapSourceIsSelf'],
    ['target time without offset', () => ({ bootstrap: PostgresBootstrap.fromBackup({ objectStore: s3(), sourceCluster: 'x', targetTime: '2026-01-02 03:04:05' }) }), "bootstrap.targetTime '2026-01-02 03:04:05' is not an ISO 8601 time with a UTC offset", 'PostgresBootstrapTargetTimeInvalid'],
    ['bootstrap and standby', () => ({ bootstrap: PostgresBootstrap.fromBackup({ objectStore: s3(), sourceCluster: 'x' }), standby: PostgresStandby.fromHost({ host: 'h' }) }), "'bootstrap' and 'standby' are both set", 'PostgresBootstrapWithStandby'],
    ['empty bootstrap host', () => ({ bootstrap: PostgresBootstrap.fromCluster({ host: '', sourceCluster: 'x', passwordSecret: secret('source-replication') }) }), 'bootstrap.host is empty', 'PostgresBootstrapHostInvalid'],
    ['standby port out of range', () => ({ standby: PostgresStandby.fromHost({ host: 'h', port: 70000 }) }), "standby host 'h' port 70000 is not a host and a port 1-65535", 'PostgresStandbyHostInvalid'],
    ['standby archiving into its source\'s folder', () => ({ continuousBackup: { objectStore: s3() }, standby: PostgresStandby.fromObjectStore({ objectStore: s3(), sourceCluster: 'orders' }) }),
      "standby replays 'orders' from the store its own continuousBackup writes to", 'PostgresStandbyArchiveConflict'],
  ])('%s', (_name, props, message, code) => {
    let err: unknown;
    try {
      new PostgresCluster(new Chart(new App(), 'test', { namespace: 'db' }), 'orders', props());
    } catch (e) {
      err = e;
    }
    expect(Errors.codeOf(err)).toBe(code);
    expect((err as Error).message).toContain(message);
  });
});
