// Internal: the users/databases/grants spec of the reconcile Job (assets/reconcile.sh), checked,
// and the Job (keyed by a hash of everything it runs) plus the optional re-sync CronJob.
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { RESERVED_ROLES } from './databases';
import { OFFICIAL_GID, OFFICIAL_UID } from './images';
import { DatabaseSpec } from './replication';
import { ValidationError } from '../../core/errors';
import { ARGO_SYNC_WAVE } from '../../core/keep-policy';
import { loadAsset } from '../../core/kit/assets';
import { JobRestartPolicy, JobScript, ScriptJob } from '../../core/kit/script-job';
import { LabelKeys, MANAGED_BY, RecommendedLabels } from '../../core/labels';
import { shortHash } from '../../core/naming';
import { WorkloadVolume } from '../../core/workload/volumes';
import { PostgresPrivilege, PostgresReconcileOptions, PostgresUser } from '../postgres-user';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
/** The role PgBouncer's auth_user logs in as, and its password key. */
export const POOLER_ROLE = 'pgbouncer';
export const POOLER_KEY = 'pgbouncer-password';
const PRIVILEGES = new Set<string>(Object.values(PostgresPrivilege));

/** A role line: name, password key, the database its password is tested against. */
interface RoleLine { readonly name: string; readonly key: string; readonly checkDb: string }

/** The checked spec. */
export interface ReconcileSpec {
  /** Password keys the Secret must hold for the users (and the pooler role). */
  readonly keys: string[];
  /** The SPEC text of assets/reconcile.sh, given a key → mounted file function. */
  text(passwordFile: (key: string) => string): string;
}

/** Checks `users` against the databases and builds the spec; `pooled` lists the pooled databases. */
export function reconcileSpec(scope: IConstruct, dbs: DatabaseSpec[], users: PostgresUser[], pooled: string[]): ReconcileSpec {
  const names = new Set(dbs.map((d) => d.name));
  const roles: RoleLine[] = [];
  const owners = new Map<string, string>();
  for (const d of dbs) if (!owners.has(d.owner)) owners.set(d.owner, d.name);
  for (const [owner, db] of owners) roles.push({ name: owner, key: `${owner}-password`, checkDb: db });
  const grants: string[] = [];
  const seen = new Set<string>();
  for (const u of users) {
    if (!IDENT.test(u.name) || u.name.startsWith('pg_')) {
      throw new ValidationError('PostgresUserNameInvalid',
        `user name '${u.name}' is not a valid role name; use lower-case letters, digits and '_', starting with a letter (not 'pg_'), e.g. 'reporting'`, scope);
    }
    if (RESERVED_ROLES.has(u.name) || u.name === POOLER_ROLE) {
      throw new ValidationError('PostgresUserReserved', `user '${u.name}' is a role the cluster uses itself; choose another name, e.g. '${u.name}_app'`, scope);
    }
    if (seen.has(u.name)) throw new ValidationError('PostgresUserDuplicate', `user '${u.name}' is listed twice in users; list it once, with all its grants`, scope);
    seen.add(u.name);
    for (const g of u.grants ?? []) {
      if (!names.has(g.database)) {
        throw new ValidationError('PostgresGrantDatabaseUnknown',
          `user '${u.name}': grant on database '${g.database}', which is not one of this cluster's databases (${[...names].join(', ')}); add it to 'databases'`, scope);
      }
      if (!PRIVILEGES.has(g.privilege)) {
        throw new ValidationError('PostgresGrantPrivilegeInvalid',
          `user '${u.name}': privilege '${g.privilege}' on '${g.database}' is not one of ${[...PRIVILEGES].join(', ')}; use PostgresPrivilege.SELECT etc.`, scope);
      }
      const schemas = g.schemas ?? ['public'];
      if (!schemas.length) throw new ValidationError('PostgresGrantSchemaInvalid', `user '${u.name}': grant on '${g.database}' lists no schemas; leave 'schemas' out for ['public']`, scope);
      for (const s of schemas) {
        if (!IDENT.test(s) || s.startsWith('pg_') || s === 'information_schema' || s === POOLER_ROLE) {
          throw new ValidationError('PostgresGrantSchemaInvalid',
            `user '${u.name}': schema '${s}' in the grant on '${g.database}' is invalid or reserved; use lower-case letters, digits and '_' (not pg_*, information_schema, pgbouncer)`, scope);
        }
        grants.push(`grant ${u.name} ${g.database} ${g.privilege} ${s}`);
      }
    }
    if (!owners.has(u.name)) roles.push({ name: u.name, key: `${u.name}-password`, checkDb: u.grants?.[0]?.database ?? 'postgres' });
  }
  if (pooled.length) roles.push({ name: POOLER_ROLE, key: POOLER_KEY, checkDb: pooled[0] });
  const keys = roles.filter((r) => !owners.has(r.name)).map((r) => r.key);
  return {
    keys,
    text: (file) => [
      ...roles.map((r) => `role ${r.name} ${file(r.key)} ${r.checkDb}`),
      ...dbs.map((d) => `database ${d.name} ${d.owner}`),
      ...grants,
      ...pooled.map((d) => `authfunc ${d}`),
    ].map((l) => `${l}\n`).join(''),
  };
}

/** How the reconcile pods reach the server and read the passwords. */
export interface ReconcileJobProps extends PostgresReconcileOptions {
  /** The cluster's name (labels, Job names, the marker comment). */
  readonly instance: string;
  readonly spec: string;
  readonly image: string;
  /** The read-write Service host; may use `$(POD_NAMESPACE)`. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly sslMode: string;
  readonly secret: kplus.ISecret;
  readonly superuserKey: string;
  /** Where the Secret is mounted (the spec's password files are under it). */
  readonly credentialsDir: string;
}

/** Labels selecting the reconcile pods (for the database's NetworkPolicy). */
export function reconcileSelector(instance: string): { [key: string]: string } {
  return { [LabelKeys.INSTANCE]: instance, [LabelKeys.COMPONENT]: 'reconcile' };
}

/** The reconcile Job, and the re-sync CronJob when scheduled. */
export function reconcileJobs(scope: Construct, props: ReconcileJobProps): { job: ScriptJob; cronJob?: ScriptJob } {
  const labels = new RecommendedLabels({ appName: 'postgres', instance: props.instance, component: 'reconcile' }).stable;
  const marker = `${MANAGED_BY}: PostgresCluster ${props.instance}`;
  const env: { [name: string]: kplus.EnvValue } = {
    // Defined first: the kubelet expands `$(POD_NAMESPACE)` in later values only.
    POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    PGHOST: kplus.EnvValue.fromValue(props.host),
    PGPORT: kplus.EnvValue.fromValue(`${props.port}`),
    PGUSER: kplus.EnvValue.fromValue(props.user),
    PGSSLMODE: kplus.EnvValue.fromValue(props.sslMode),
    PGCONNECT_TIMEOUT: kplus.EnvValue.fromValue('10'),
    PGPASSWORD: kplus.EnvValue.fromSecretValue({ secret: props.secret, key: props.superuserKey }),
    SPEC: kplus.EnvValue.fromValue(props.spec),
    MARKER: kplus.EnvValue.fromValue(marker),
    DROP_UNLISTED: kplus.EnvValue.fromValue(props.dropUnlistedUsers ? 'true' : 'false'),
  };
  const script = JobScript.bash(loadAsset('postgres/assets/reconcile.sh'), { name: 'reconcile' });
  const common = {
    labels,
    image: props.image,
    script,
    containerName: 'reconcile',
    env,
    volumes: { credentials: WorkloadVolume.fromSecret(props.secret, { defaultMode: 0o440 }), tmp: WorkloadVolume.emptyDir() },
    mounts: [{ volume: 'credentials', mountPath: props.credentialsDir, readOnly: true }, { volume: 'tmp', mountPath: '/tmp' }],
    resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) } },
    // The script waits up to 10 minutes for the server (a new cluster still bootstrapping).
    activeDeadline: Duration.minutes(20),
    user: OFFICIAL_UID,
    group: OFFICIAL_GID,
    fsGroup: OFFICIAL_GID,
    restartPolicy: JobRestartPolicy.NEVER,
    backoffLimit: 3,
  };
  // Everything the pod template is made of: a Job's template is immutable, so any change must be a new name.
  const hash = shortHash(JSON.stringify([props.spec, props.image, props.host, props.port, props.user, props.sslMode, marker,
    props.dropUnlistedUsers ?? false, script.text, props.secret.name, props.superuserKey, props.credentialsDir, labels]));
  // Job names become a pod label value (job-name): 63 characters at most.
  const job = new ScriptJob(scope, 'ReconcileJob', {
    ...common,
    name: `${props.instance.slice(0, 44)}-reconcile-${hash}`,
    ttlAfterFinished: props.ttlAfterFinished ?? Duration.hours(24),
  });
  // Argo CD applies it after wave 0 (the StatefulSet) is healthy: the server is up when it runs.
  job.job!.metadata.addAnnotation(ARGO_SYNC_WAVE, '1');
  const cronJob = props.resyncSchedule === undefined ? undefined : new ScriptJob(scope, 'ResyncCronJob', {
    ...common,
    // The CronJob controller appends 11 characters to Job names.
    name: `${props.instance.slice(0, 45)}-resync`,
    schedule: { cron: props.resyncSchedule, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 3 },
  });
  return { job, cronJob };
}
