// Users, grants and the reconcile Job; the PgBouncer pool; bind({ pooled }). The scripts run
// against real PostgreSQL and PgBouncer in test/runtime/postgres-users.test.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors } from '../../src/core/errors';
import { Credentials } from '../../src/core/kit/credentials';
import { Warnings } from '../../src/core/warnings';
import {
  PGBOUNCER_IMAGE, PoolMode, PostgresCluster, PostgresClusterProps, PostgresPrivilege, ReplicationMode,
} from '../../src/postgres';
import { envOf, find, ofKind, synthValidated } from '../util/validate';

const USERS: PostgresClusterProps = {
  databases: [{ name: 'orders' }, { name: 'ledger', owner: 'finance' }],
  users: [
    { name: 'reporting', grants: [{ database: 'orders', privilege: PostgresPrivilege.SELECT }, { database: 'ledger', privilege: PostgresPrivilege.CONNECT }] },
    { name: 'etl', grants: [{ database: 'ledger', privilege: PostgresPrivilege.ALL, schemas: ['public', 'staging'] }] },
  ],
};

function synth(props: PostgresClusterProps = {}) {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', props);
  return { c, cluster, objs: synthValidated(c, { externalSecrets: [cluster.secretName] }) };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('users, grants and the reconcile Job', () => {
  test('one Job named by a hash of its spec, with the spec, the superuser connection and the Secret as files', () => {
    const { cluster, objs } = synth(USERS);
    const job = find(objs, 'Job', cluster.reconcileJob.name);
    expect(job.metadata.name).toMatch(/^orders-db-reconcile-[0-9a-f]{8}$/);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86_400);
    expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '1' });
    const pod = job.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe('docker.io/library/postgres:17.6-bookworm');
    expect(c.command.slice(0, 2)).toEqual(['bash', '-ec']);
    expect(c.command[2]).toBe(fs.readFileSync(path.join(__dirname, '../../src/postgres/assets/reconcile.sh'), 'utf8'));
    const env = envOf(c);
    expect(env).toMatchObject({
      PGHOST: 'orders-db.$(POD_NAMESPACE).svc.cluster.local',
      PGPORT: '5432',
      PGUSER: 'postgres',
      PGSSLMODE: 'require',
      PGPASSWORD: { secretKeyRef: { name: 'orders-db-credentials', key: 'superuser-password' } },
      MARKER: 'cdk8s-stateful: PostgresCluster orders-db',
      DROP_UNLISTED: 'false',
    });
    const f = (k: string) => `/etc/postgres-credentials/${k}-password`;
    expect(env.SPEC).toBe([
      `role orders ${f('orders')} orders`, `role finance ${f('finance')} ledger`,
      `role reporting ${f('reporting')} orders`, `role etl ${f('etl')} ledger`,
      'database orders orders', 'database ledger finance',
      'grant reporting orders SELECT public', 'grant reporting ledger CONNECT public',
      'grant etl ledger ALL public', 'grant etl ledger ALL staging', '',
    ].join('\n'));
    expect(pod.volumes).toContainEqual({ name: 'credentials', secret: { secretName: 'orders-db-credentials', defaultMode: 0o440 } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(ofKind(objs, 'CronJob')).toEqual([]);
    // The generator creates the users' passwords too.
    expect(cluster.secretGenerator!.job.name).toBeDefined();
    const gen = find(objs, 'Job', cluster.secretGenerator!.job.name);
    expect(JSON.stringify(gen)).toContain('reporting-password');
    // The Job's pods may reach the database.
    const np = find(objs, 'NetworkPolicy', 'orders-db');
    expect(np.spec.ingress.some((r: any) => r.from?.some((p: any) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'reconcile'))).toBe(true);
  });

  test('a changed spec is a new Job; the same spec the same name', () => {
    const a = synth(USERS).cluster.reconcileJob.name;
    expect(synth(USERS).cluster.reconcileJob.name).toBe(a);
    expect(synth({ ...USERS, users: [] }).cluster.reconcileJob.name).not.toBe(a);
    expect(synth({ ...USERS, reconcile: { dropUnlistedUsers: true } }).cluster.reconcileJob.name).not.toBe(a);
    // Another Secret changes the pod template (immutable in a Job): a new name too.
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    const other = new PostgresCluster(c, 'orders-db', { ...USERS, credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(c, 'Pw', 'orders-db-pw')) });
    expect(other.reconcileJob.name).not.toBe(a);
  });

  test('resyncSchedule adds a CronJob running the same script; dropUnlistedUsers and ttl reach the Job', () => {
    const { cluster, objs } = synth({ ...USERS, reconcile: { resyncSchedule: '*/30 * * * *', dropUnlistedUsers: true, ttlAfterFinished: Duration.hours(1) } });
    const cron = find(objs, 'CronJob', 'orders-db-resync');
    expect(cluster.reconcileCronJob!.name).toBe('orders-db-resync');
    expect(cron.spec.schedule).toBe('*/30 * * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const job = find(objs, 'Job', cluster.reconcileJob.name);
    expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
    expect(envOf(cron.spec.jobTemplate.spec.template.spec.containers[0])).toEqual(envOf(job.spec.template.spec.containers[0]));
    expect(envOf(job.spec.template.spec.containers[0]).DROP_UNLISTED).toBe('true');
  });

  test('streaming mode: sslmode prefer', () => {
    const { cluster, objs } = synth({ mode: ReplicationMode.STREAMING });
    expect(envOf(find(objs, 'Job', cluster.reconcileJob.name).spec.template.spec.containers[0]).PGSSLMODE).toBe('prefer');
  });
});

describe('the PgBouncer pool', () => {
  const pooled = (extra: PostgresClusterProps = {}) => synth({ ...USERS, pooler: {}, ...extra });

  test('a Deployment of 2 behind read-write and read-only Services, a PDB, soft anti-affinity, restricted pods', () => {
    const { cluster, objs } = pooled();
    const dep = find(objs, 'Deployment', 'orders-db-pooler');
    expect(cluster.pooler!.deployment.name).toBe('orders-db-pooler');
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    const pod = dep.spec.template.spec;
    expect(pod.containers.map((c: any) => [c.name, c.image, c.ports[0].containerPort])).toEqual([
      ['pgbouncer', PGBOUNCER_IMAGE, 6432], ['pgbouncer-ro', PGBOUNCER_IMAGE, 6433],
    ]);
    expect(PGBOUNCER_IMAGE).toMatch(/^ghcr\.io\/cloudnative-pg\/pgbouncer:\d+\.\d+\.\d+$/);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 998, runAsGroup: 996 });
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(envOf(c).PGBOUNCER_PASSWORD).toEqual({ secretKeyRef: { name: 'orders-db-credentials', key: 'pgbouncer-password' } });
    }
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(find(objs, 'Service', 'orders-db-pooler').spec.ports).toEqual([{ name: 'postgresql', port: 5432, targetPort: 'pgbouncer' }]);
    expect(find(objs, 'Service', 'orders-db-pooler-ro').spec.ports).toEqual([{ name: 'postgresql', port: 5432, targetPort: 'pgbouncer-ro' }]);
    expect(find(objs, 'PodDisruptionBudget', 'orders-db-pooler').spec.maxUnavailable).toBe(1);
    // The pooler may reach the database.
    const np = find(objs, 'NetworkPolicy', 'orders-db');
    expect(np.spec.ingress.some((r: any) => r.from?.some((p: any) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'pooler'))).toBe(true);
  });

  test('pgbouncer.ini: auth_query through the lookup function, TLS to the server, no password; the reconcile Job creates the role and function', () => {
    const { cluster, objs } = pooled({ pooler: { mode: PoolMode.SESSION, maxClientConnections: 500, defaultPoolSize: 10 } });
    const data = find(objs, 'ConfigMap', 'orders-db-pooler').data;
    expect(Object.keys(data).sort()).toEqual(['pgbouncer-ro.ini', 'pgbouncer-rw.ini']);
    const rw = data['pgbouncer-rw.ini'];
    expect(rw).toContain('[databases]\norders = host=orders-db port=5432 dbname=orders\nledger = host=orders-db port=5432 dbname=ledger\n');
    expect(data['pgbouncer-ro.ini']).toContain('orders = host=orders-db-ro port=5432 dbname=orders\n');
    for (const line of ['auth_type = scram-sha-256', 'auth_user = pgbouncer', 'auth_query = SELECT username, password FROM pgbouncer.get_auth($1)',
      'pool_mode = session', 'max_client_conn = 500', 'default_pool_size = 10', 'server_tls_sslmode = require', 'listen_port = 6432', 'unix_socket_dir = ']) {
      expect(rw.split('\n')).toContain(line);
    }
    expect(rw).not.toMatch(/password =|su-|secret/i);
    const spec = envOf(find(objs, 'Job', cluster.reconcileJob.name).spec.template.spec.containers[0]).SPEC;
    expect(spec).toContain('role pgbouncer /etc/postgres-credentials/pgbouncer-password orders\n');
    expect(spec).toContain('authfunc orders\nauthfunc ledger\n');
    // A config change rolls the pods.
    const sum = (o: any[]) => find(o, 'Deployment', 'orders-db-pooler').spec.template.metadata.annotations['checksum/config'];
    expect(sum(objs)).not.toBe(sum(pooled().objs));
  });

  test('streaming mode: sslmode prefer towards the server', () => {
    const { objs } = synth({ mode: ReplicationMode.STREAMING, pooler: {} });
    expect(find(objs, 'ConfigMap', 'orders-db-pooler').data['pgbouncer-rw.ini']).toContain('server_tls_sslmode = prefer\n');
  });

  test('bind({ pooled }) points the app at the pool, read-write or read-only', () => {
    const { c, cluster } = pooled();
    const app = new kplus.Deployment(c, 'api', { containers: [{ image: 'api:1', portNumber: 8080 }] });
    cluster.bind(app, { pooled: true });
    const ro = new kplus.Deployment(c, 'reports', { containers: [{ image: 'reports:1', portNumber: 8080 }] });
    cluster.bind(ro, { pooled: true, readOnly: true, database: 'ledger' });
    const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
    const env = (n: string) => envOf(ofKind(objs, 'Deployment').find((d) => d.metadata.name.startsWith(`test-${n}`))!.spec.template.spec.containers[0]);
    expect(env('api')).toMatchObject({ PGHOST: 'orders-db-pooler', PGPORT: '5432', PGDATABASE: 'orders', PGUSER: 'orders', PGSSLMODE: 'prefer' });
    expect(env('reports')).toMatchObject({ PGHOST: 'orders-db-pooler-ro', PGDATABASE: 'ledger', PGUSER: 'finance' });
    // Pooled clients may reach the PgBouncer pods on their Service's port, not the database.
    const np = find(objs, 'NetworkPolicy', 'orders-db-pooler');
    expect(np.spec.podSelector.matchLabels).toEqual(cluster.pooler!.podSelector);
    const addr = (n: string) => ofKind(objs, 'Deployment').find((d) => d.metadata.name.startsWith(`test-${n}`))!.spec.selector.matchLabels;
    for (const [n, port] of [['api', 6432], ['reports', 6433]] as const) {
      const rule = np.spec.ingress.find((r: any) => r.from.some((p: any) => JSON.stringify(p.podSelector.matchLabels) === JSON.stringify(addr(n))));
      expect(rule.ports).toEqual([{ port, protocol: 'TCP' }]);
      expect(find(objs, 'NetworkPolicy', 'orders-db').spec.ingress.some((r: any) =>
        r.from.some((p: any) => JSON.stringify(p.podSelector?.matchLabels) === JSON.stringify(addr(n))))).toBe(false);
    }
  });

  test('bind({ user }) logs in as a declared user with its own key', () => {
    const { c, cluster } = synth(USERS);
    const app = new kplus.Deployment(c, 'reports', { containers: [{ image: 'reports:1', portNumber: 8080 }] });
    cluster.bind(app, { user: 'reporting' });
    const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
    expect(envOf(ofKind(objs, 'Deployment')[0].spec.template.spec.containers[0])).toMatchObject({
      PGHOST: 'orders-db',
      PGDATABASE: 'orders',
      PGUSER: 'reporting',
      PGPASSWORD: { secretKeyRef: { name: 'orders-db-credentials', key: 'reporting-password' } },
    });
  });

  test('one instance warns', () => {
    expect(Warnings.of(pooled({ pooler: { instances: 1 } }).cluster).ids()).toEqual(['@cdk8s-stateful/postgres:singlePooler']);
    expect(Warnings.of(pooled().cluster).ids()).toEqual([]);
  });
});

describe('bad props', () => {
  test.each<[string, PostgresClusterProps, string, string]>([
    ['bad user name', { users: [{ name: 'Report-ing' }] }, "user name 'Report-ing' is not a valid role name", 'PostgresUserNameInvalid'],
    ['pg_ user', { users: [{ name: 'pg_reader' }] }, "user name 'pg_reader' is not a valid role name", 'PostgresUserNameInvalid'],
    ['reserved user', { users: [{ name: 'replicator' }] }, "user 'replicator' is a role the cluster uses itself", 'PostgresUserReserved'],
    ['pgbouncer user', { users: [{ name: 'pgbouncer' }] }, "user 'pgbouncer' is a role the cluster uses itself", 'PostgresUserReserved'],
    ['duplicate user', { users: [{ name: 'bi' }, { name: 'bi' }] }, "user 'bi' is listed twice in users", 'PostgresUserDuplicate'],
    ['unknown database', { users: [{ name: 'bi', grants: [{ database: 'sales', privilege: PostgresPrivilege.SELECT }] }] },
      "user 'bi': grant on database 'sales', which is not one of this cluster's databases (app); add it to 'databases'", 'PostgresGrantDatabaseUnknown'],
    ['bad privilege', { users: [{ name: 'bi', grants: [{ database: 'app', privilege: 'DELETE' as PostgresPrivilege }] }] },
      "privilege 'DELETE' on 'app' is not one of CONNECT, USAGE, SELECT, ALL", 'PostgresGrantPrivilegeInvalid'],
    ['bad schema', { users: [{ name: 'bi', grants: [{ database: 'app', privilege: PostgresPrivilege.USAGE, schemas: ['pg_catalog'] }] }] },
      "schema 'pg_catalog' in the grant on 'app' is invalid or reserved", 'PostgresGrantSchemaInvalid'],
    ['no schema', { users: [{ name: 'bi', grants: [{ database: 'app', privilege: PostgresPrivilege.USAGE, schemas: [] }] }] },
      "grant on 'app' lists no schemas", 'PostgresGrantSchemaInvalid'],
    ['bad resync schedule', { reconcile: { resyncSchedule: 'hourly' } }, 'hourly', 'ScriptJobInvalid'],
    ['zero poolers', { pooler: { instances: 0 } }, 'pooler.instances must be a whole number from 1 to 100 (2 or more for availability), got 0', 'PostgresPoolerInstancesInvalid'],
    ['fractional poolers', { pooler: { instances: 2.5 } }, 'got 2.5', 'PostgresPoolerInstancesInvalid'],
    ['statement mode', { pooler: { mode: 'statement' as PoolMode } }, "pooler.mode 'statement' is not a pool mode; use PoolMode.SESSION or PoolMode.TRANSACTION", 'PostgresPoolerModeInvalid'],
    ['zero clients', { pooler: { maxClientConnections: 0 } }, 'pooler.maxClientConnections must be a whole number from 1 to 100000, got 0', 'PostgresPoolerMaxClientsInvalid'],
    ['pool above clients', { pooler: { maxClientConnections: 10, defaultPoolSize: 11 } },
      'pooler.defaultPoolSize must be a whole number from 1 to maxClientConnections (10), got 11', 'PostgresPoolerPoolSizeInvalid'],
    ['zero pool', { pooler: { defaultPoolSize: 0 } }, 'got 0', 'PostgresPoolerPoolSizeInvalid'],
    ['pool above max_connections', { pooler: { instances: 3, defaultPoolSize: 40 } },
      'pooler: 3 instances × defaultPoolSize 40 = 120 server connections per database and user, more than max_connections 100 − 3 reserved; lower defaultPoolSize to at most 32',
      'PostgresPoolerPoolTooLarge'],
  ])('%s', (_, props, message, code) => {
    const e = thrown(() => synth(props));
    expect(Errors.codeOf(e)).toBe(code);
    expect(e.message).toContain(message);
    expect(e.message).toMatch(/^test\/orders-db/);
  });

  test('bind({ user }) with an undeclared user', () => {
    const { c, cluster } = synth(USERS);
    const app = new kplus.Deployment(c, 'api', { containers: [{ image: 'api:1', portNumber: 8080 }] });
    const e = thrown(() => cluster.bind(app, { user: 'nobody' }));
    expect(Errors.codeOf(e)).toBe('PostgresBindUserUnknown');
    expect(e.message).toContain("bind: user 'nobody' is neither a database owner nor one of 'users' (orders, finance, reporting, etl); declare it in 'users'");
  });

  test('bind({ pooled }) without a pool', () => {
    const { c, cluster } = synth();
    const app = new kplus.Deployment(c, 'api', { containers: [{ image: 'api:1', portNumber: 8080 }] });
    const e = thrown(() => cluster.bind(app, { pooled: true }));
    expect(Errors.codeOf(e)).toBe('PostgresBindNotPooled');
    expect(e.message).toContain("set the cluster's 'pooler' prop");
  });
});

describe('pgbouncer-start.sh', () => {
  test('writes the auth_file (quotes doubled, private), then execs pgbouncer with the config', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgb-start-'));
    try {
      fs.writeFileSync(path.join(dir, 'pgbouncer'), '#!/bin/bash\necho "args: $*"; echo "pw env: ${PGBOUNCER_PASSWORD:-unset}"\n', { mode: 0o755 });
      const auth = path.join(dir, 'userlist.txt');
      const script = fs.readFileSync(path.join(__dirname, '../../src/postgres/assets/pgbouncer-start.sh'), 'utf8');
      const r = spawnSync('bash', ['-ec', script, 'pgbouncer-start', '/etc/pgbouncer-config/pgbouncer-rw.ini'], {
        encoding: 'utf8', env: { HOME: dir, PATH: `${dir}:/usr/bin:/bin`, AUTH_FILE: auth, AUTH_USER: 'pgbouncer', PGBOUNCER_PASSWORD: 'a"b c' },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('args: /etc/pgbouncer-config/pgbouncer-rw.ini\npw env: unset\n');
      expect(fs.readFileSync(auth, 'utf8')).toBe('"pgbouncer" "a""b c"\n');
      expect((fs.statSync(auth).mode % 0o1000).toString(8)).toBe('600');
      // Without the password it refuses to start.
      const r2 = spawnSync('bash', ['-ec', script, 'x', '/c.ini'], { encoding: 'utf8', env: { HOME: dir, PATH: `${dir}:/usr/bin:/bin`, AUTH_FILE: auth, AUTH_USER: 'pgbouncer' } });
      expect(r2.status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
