// Internal: object storage for Spilo's WAL-G, as env. Every name and default below is read by
// zalando/spilo postgres-appliance/scripts/configure_spilo.py at tag 4.0-p3 (the image
// SPILO_IMAGE pins; unchanged on master as of 2025-08): get_placeholders() decides whether WAL
// archiving is on and renders archive_command, write_wale_environment() turns the env into the
// envdir (/run/etc/wal-e.d/env) that archive_command, the backup cron job
// (scripts/postgres_backup.sh) and restore_command (scripts/restore_command.sh) run under, and
// set_extended_wale_placeholders() does the same for the CLONE_ and STANDBY_ prefixed copies.
import * as kplus from 'cdk8s-plus-28';

/** The providers Spilo's WAL-G setup knows (configure_spilo.py, write_wale_environment). */
export type StoreProvider = 's3' | 'gs' | 'az';

/** An object store, as the public `ObjectStore` holds it. */
export interface StoreSpec {
  readonly provider: StoreProvider;
  /** Bucket (S3, GCS) or container (Azure). */
  readonly bucket: string;
  /** A folder between `spilo/` and the cluster's name; undefined for none. */
  readonly folder?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  /** Azure storage account. */
  readonly storageAccount?: string;
  /** Secret with the keys, when not using workload identity. */
  readonly secret?: kplus.ISecret;
  /** Env name → key in `secret` (e.g. AWS_ACCESS_KEY_ID → 'access-key-id'). */
  readonly secretEnv: { [env: string]: string };
  /** GCS: the key of the service-account JSON file in `secret`. */
  readonly credentialsFileKey?: string;
}

/** What a PostgresBootstrap holds. */
export interface BootstrapSpec {
  readonly kind: 'backup' | 'cluster';
  readonly sourceCluster: string;
  readonly store?: StoreSpec;
  readonly targetTime?: string;
  readonly host?: { readonly host: string; readonly port: number; readonly user: string; readonly secret: kplus.ISecret; readonly key: string };
}

/** What a store is used for: the env prefix Spilo reads for it. */
export type StoreRole = '' | 'CLONE_' | 'STANDBY_';

/** Where the GCS credentials file of a store role is mounted (GOOGLE_APPLICATION_CREDENTIALS). */
export function credentialsDir(role: StoreRole): string {
  return `/etc/wal-g/${role === '' ? 'backup' : role.slice(0, -1).toLowerCase()}`;
}

/**
 * The store's folder in the bucket, as configure_spilo.py builds it when no WALE_*_PREFIX is
 * given: `/spilo/{WAL_BUCKET_SCOPE_PREFIX}{SCOPE}{WAL_BUCKET_SCOPE_SUFFIX}/wal/{PGVERSION}`
 * (write_wale_environment). WAL_BUCKET_SCOPE_PREFIX defaults to `<namespace>-` outside the
 * default namespace (get_placeholders); the construct always sets it (`<folder>/` or empty), so
 * the layout does not depend on the namespace and a clone or standby finds it by name.
 */
export function scopePrefix(store: StoreSpec): string {
  return store.folder ? `${store.folder}/` : '';
}

/**
 * The WAL-G prefix URL of a cluster's backups, as configure_spilo.py computes it:
 * `{s3|gs}://{WAL_*_BUCKET}/spilo/...` (prefix_template in write_wale_environment). Azure has no
 * bucket variable there (only WALG_AZ_PREFIX), so the construct builds the same layout itself.
 */
export function walPrefix(store: StoreSpec, scope: string, major?: string): string {
  const scheme = store.provider === 'az' ? 'azure' : store.provider;
  return `${scheme}://${store.bucket}/spilo/${scopePrefix(store)}${scope}/wal${major ? `/${major}` : ''}`;
}

/** An env var: a literal value or a Secret key. */
export type EnvEntry = [string, kplus.EnvValue];

/**
 * The env Spilo reads for a store, with Spilo's prefix for its role ('' for the cluster's own
 * archive, CLONE_ for a bootstrap, STANDBY_ for a standby cluster).
 */
export function spiloStoreEnv(store: StoreSpec, role: StoreRole, scope: string, major: string): EnvEntry[] {
  const v = (s: string) => kplus.EnvValue.fromValue(s);
  const env: EnvEntry[] = [];
  const add = (name: string, value: kplus.EnvValue) => env.push([`${role}${name}`, value]);
  if (role === 'STANDBY_' || store.provider === 'az') {
    // A standby follows one timeline of one major: the full prefix, as postgres-operator passes
    // STANDBY_WALE_S3_PREFIX/STANDBY_WALE_GS_PREFIX. write_wale_environment's Azure branch has
    // no bucket variable, only WALG_AZ_PREFIX. A clone searches the versions below .../wal
    // itself (clone_with_wale.py, get_wale_environments), so it gets no major.
    const name = { s3: 'WALE_S3_PREFIX', gs: 'WALE_GS_PREFIX', az: 'WALG_AZ_PREFIX' }[store.provider];
    add(name, v(walPrefix(store, scope, role === 'CLONE_' ? undefined : major)));
    if (store.provider === 'az') add('AZURE_STORAGE_ACCOUNT', v(store.storageAccount!));
  } else {
    add(store.provider === 's3' ? 'WAL_S3_BUCKET' : 'WAL_GS_BUCKET', v(store.bucket));
    add('WAL_BUCKET_SCOPE_PREFIX', v(scopePrefix(store)));
  }
  if (store.provider === 's3') {
    if (store.region) add('AWS_REGION', v(store.region));
    if (store.endpoint) {
      // With AWS_ENDPOINT alone Spilo uses path-style addressing and forces
      // AWS_S3_FORCE_PATH_STYLE=true; virtual-host style needs WALE_S3_ENDPOINT
      // `<scheme>+virtualhost://<host>` (write_wale_environment, "convention").
      add('AWS_ENDPOINT', v(store.endpoint));
      if (store.forcePathStyle === false) add('WALE_S3_ENDPOINT', v(store.endpoint.replace('://', '+virtualhost://')));
    } else if (store.forcePathStyle) {
      add('AWS_S3_FORCE_PATH_STYLE', v('true'));
    }
  }
  if (store.secret) {
    for (const [name, key] of Object.entries(store.secretEnv)) {
      add(name, kplus.EnvValue.fromSecretValue({ secret: store.secret, key }));
    }
    if (store.credentialsFileKey) add('GOOGLE_APPLICATION_CREDENTIALS', v(`${credentialsDir(role)}/${store.credentialsFileKey}`));
  }
  // WAL-G, not WAL-E, for both directions: set_walg_placeholders() turns these on only when
  // they are 'true' and the store is one WAL-G supports.
  add('USE_WALG_BACKUP', v('true'));
  add('USE_WALG_RESTORE', v('true'));
  return env;
}

/**
 * The env WAL-G itself reads (no Spilo in between), for a Job that runs `wal-g` directly:
 * WALG_{S3,GS,AZ}_PREFIX and the provider's variables as Spilo writes them to its envdir.
 */
export function walgEnv(store: StoreSpec, scope: string, major: string, credentialsPath: string): EnvEntry[] {
  const v = (s: string) => kplus.EnvValue.fromValue(s);
  const prefix = walPrefix(store, scope, major);
  const env: EnvEntry[] = [];
  switch (store.provider) {
    case 's3':
      env.push(['WALG_S3_PREFIX', v(prefix)]);
      if (store.region) env.push(['AWS_REGION', v(store.region)]);
      if (store.endpoint) {
        env.push(['AWS_ENDPOINT', v(store.endpoint)]);
        env.push(['AWS_S3_FORCE_PATH_STYLE', v(store.forcePathStyle === false ? 'false' : 'true')]);
      } else if (store.forcePathStyle) {
        env.push(['AWS_S3_FORCE_PATH_STYLE', v('true')]);
      }
      break;
    case 'gs':
      env.push(['WALG_GS_PREFIX', v(prefix)]);
      break;
    case 'az':
      env.push(['WALG_AZ_PREFIX', v(prefix)]);
      env.push(['AZURE_STORAGE_ACCOUNT', v(store.storageAccount!)]);
      break;
  }
  if (store.secret) {
    for (const [name, key] of Object.entries(store.secretEnv)) env.push([name, kplus.EnvValue.fromSecretValue({ secret: store.secret, key })]);
    if (store.credentialsFileKey) env.push(['GOOGLE_APPLICATION_CREDENTIALS', v(`${credentialsPath}/${store.credentialsFileKey}`)]);
  }
  return env;
}

/** WAL archiving as Spilo configures it. */
export interface ArchiveSettings {
  /** archive_mode (bootstrap.dcs.postgresql.parameters of Spilo's TEMPLATE: always "on"). */
  readonly archiveMode: string;
  /** archive_timeout (the same TEMPLATE: 1800s). */
  readonly archiveTimeout: string;
  /** archive_command (get_placeholders). */
  readonly archiveCommand: string;
  /** Whether Spilo writes the envdir and the backup cron line (USE_WALE). */
  readonly archiving: boolean;
  /** `wal-g` or `wal-e` (WALE_BINARY). */
  readonly binary: string;
  /** The crontab line of the base backups (write_crontab), when archiving. */
  readonly cron?: string;
}

/** configure_spilo.py AUTO_ENABLE_WALG_RESTORE. */
const AUTO_ENABLE_WALG_RESTORE = ['WAL_S3_BUCKET', 'WALE_S3_PREFIX', 'WALG_S3_PREFIX', 'WALG_AZ_PREFIX', 'WALG_SSH_PREFIX'];

/**
 * What configure_spilo.py renders for WAL archiving from a pod's env (literal values): a pure
 * port of the lines of get_placeholders() and write_crontab() that decide it, so tests can
 * assert archiving switches on for the env the construct writes.
 */
export function spiloArchiveSettings(env: { [name: string]: string | undefined }): ArchiveSettings {
  const p: { [name: string]: string | undefined } = { ...env };
  const set = (k: string, v: string) => { if (p[k] === undefined) p[k] = v; };
  set('PGROOT', '/home/postgres/pgdata/pgroot');
  set('PGDATA', `${p.PGROOT}/data`);
  set('RW_DIR', '/run');
  set('WALE_ENV_DIR', `${p.RW_DIR}/etc/wal-e.d/env`);
  set('BACKUP_SCHEDULE', '0 1 * * *');
  // get_placeholders: AUTO_ENABLE_WALG_RESTORE switches USE_WALG_RESTORE on, WALG_AZ_PREFIX and
  // the SSH names USE_WALG_BACKUP.
  if (AUTO_ENABLE_WALG_RESTORE.some((n) => p[n])) set('USE_WALG_RESTORE', 'true');
  if (p.WALG_AZ_PREFIX) set('USE_WALG_BACKUP', 'true');
  // set_walg_placeholders: 'true' only when the store is one WAL-G supports.
  const walgSupported = [...AUTO_ENABLE_WALG_RESTORE, 'WAL_GS_BUCKET', 'WALE_GS_PREFIX', 'WALG_GS_PREFIX'].some((n) => p[n]);
  const useWalg = p.USE_WALG ?? 'false';
  for (const n of ['USE_WALG_BACKUP', 'USE_WALG_RESTORE']) {
    p[n] = String(p[n] ?? useWalg).toLowerCase() === 'true' && walgSupported ? 'true' : undefined;
  }
  const archiving = [...AUTO_ENABLE_WALG_RESTORE, 'WAL_SWIFT_BUCKET', 'WALE_SWIFT_PREFIX', 'WAL_GCS_BUCKET', 'WAL_GS_BUCKET', 'WALE_GS_PREFIX', 'WALG_GS_PREFIX']
    .some((n) => p[n]);
  const binary = p.USE_WALG_BACKUP === 'true' ? 'wal-g' : 'wal-e';
  return {
    archiveMode: 'on',
    archiveTimeout: '1800s',
    archiveCommand: archiving ? `envdir "${p.WALE_ENV_DIR}" ${binary} wal-push "%p"` : '/bin/true',
    archiving,
    binary,
    cron: archiving ? `${p.BACKUP_SCHEDULE} envdir "${p.WALE_ENV_DIR}" /scripts/postgres_backup.sh "${p.PGDATA}"` : undefined,
  };
}
