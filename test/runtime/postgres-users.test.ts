/**
 * Users, grants, password rotation and the PgBouncer pool, run through emulated pods against a
 * real PostgreSQL 15 and Debian's PgBouncer 1.18: the reconcile Job's pod exactly as synthesized
 * (its script, env, mounted Secret) creates roles, databases and grants; a second run changes no
 * catalog row; a rotated Secret password reaches the database and the old one stops working; a
 * later spec (a database and a user added, one user removed, dropUnlistedUsers) converges
 * without dropping data; the pooler pod (the Deployment's template: start script, generated
 * pgbouncer.ini, auth_query through the lookup function) logs users in with their Secret
 * passwords, refuses a wrong one, and pools per transaction.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import { App, Chart, Testing } from 'cdk8s';
import { PoolMode, PostgresCluster, PostgresPrivilege, ReplicationMode } from '../../src';
import { find, synthValidated } from '../util/validate';
import { EmulatedCluster } from './emulator/cluster';
import { PSQL, psql } from './pg';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

const NAME = 'shop-db';
const SECRET = `${NAME}-credentials`;
const PGBOUNCER = '/usr/sbin/pgbouncer';
/** The server's TLS certificate (a path the pod's read-only root shows; Spilo makes its own the same way). */
const TLS_DIR = `/var/tmp/cst-users-tls-${process.pid}`;

function synth(app: App, later: boolean) {
  const chart = new Chart(app, 'c', { namespace: 'shop' });
  const cluster = new PostgresCluster(chart, NAME, {
    instances: 1,
    mode: ReplicationMode.STREAMING,
    parameters: { ssl: 'on', ssl_cert_file: `${TLS_DIR}/server.crt`, ssl_key_file: `${TLS_DIR}/server.key` },
    databases: later ? [{ name: 'orders' }, { name: 'ledger', owner: 'finance' }] : [{ name: 'orders' }],
    users: later
      ? [{ name: 'reporting', grants: [{ database: 'orders', privilege: PostgresPrivilege.SELECT }] },
        { name: 'audit', grants: [{ database: 'ledger', privilege: PostgresPrivilege.CONNECT }] }]
      : [{ name: 'reporting', grants: [{ database: 'orders', privilege: PostgresPrivilege.SELECT }] },
        { name: 'writer', grants: [{ database: 'orders', privilege: PostgresPrivilege.ALL }] }],
    reconcile: later ? { dropUnlistedUsers: true } : {},
    // One server connection per database and user: shows transaction pooling below.
    pooler: { mode: PoolMode.TRANSACTION, defaultPoolSize: 1 },
  });
  return { cluster, objects: synthValidated(chart, { externalSecrets: [SECRET] }) };
}

describeRuntime('Postgres users, grants, rotation and the PgBouncer pool (runtime)', [PSQL, PGBOUNCER], () => {
  const secret: Record<string, string> = {
    'superuser-password': 'su',
    'replication-password': 'repl',
    'orders-password': "orders'pw",
    'reporting-password': 'rep-1',
    'writer-password': 'wr"1',
    'pgbouncer-password': 'pgb "x"',
    'finance-password': 'fin',
    'audit-password': 'aud',
  };
  const first = synth(Testing.app(), false);
  const later = synth(Testing.app(), true);
  let cluster: EmulatedCluster;
  const ip = () => cluster.pod(`${NAME}-0`).ip!;
  const su = (sql: string, db = 'postgres') => psql(ip(), 'postgres', secret['superuser-password'], db, sql);
  const run = async (job: string) => {
    const r = await cluster.runJob(job, 120_000);
    expect(r.phase === 'Succeeded' ? r.phase : r.logs).toBe('Succeeded');
    return r.logs;
  };
  /** Everything a reconcile may touch: roles and passwords, databases, schemas, tables, default ACLs, the lookup function, comments. */
  const catalog = async () => {
    const out = [
      await su("select rolname, rolpassword, rolcanlogin, rolsuper, shobj_description(oid, 'pg_authid') from pg_authid order by 1"),
      await su('select datname, datdba::regrole, datacl from pg_database order by 1'),
    ];
    for (const db of (await su('select datname from pg_database where datallowconn order by 1')).split('\n')) {
      out.push(db,
        await su('select nspname, nspowner::regrole, nspacl from pg_namespace order by 1', db),
        await su("select relname, relowner::regrole, relacl from pg_class where relnamespace = 'public'::regnamespace order by 1", db),
        await su('select defaclrole::regrole, defaclobjtype, defaclacl from pg_default_acl order by 1, 2', db),
        await su("select oid::regprocedure, proowner::regrole, prosecdef, proacl, prosrc from pg_proc where pronamespace::regnamespace::text = 'pgbouncer'", db));
    }
    return out.join('\n---\n');
  };

  beforeAll(() => {
    fs.mkdirSync(TLS_DIR, { mode: 0o755 });
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${NAME}`,
      '-keyout', `${TLS_DIR}/server.key`, '-out', `${TLS_DIR}/server.crt`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const f of ['server.key', 'server.crt']) fs.chownSync(`${TLS_DIR}/${f}`, 999, 999);
    fs.chmodSync(`${TLS_DIR}/server.key`, 0o600);
    const laterJobs = later.objects.filter((o) => o.kind === 'Job' && o.metadata.name === later.cluster.reconcileJob.name);
    cluster = new EmulatedCluster({ objects: [...first.objects, ...laterJobs], secrets: { [SECRET]: { ...secret } } });
  });
  afterAll(async () => {
    await cluster?.destroy();
    fs.rmSync(TLS_DIR, { recursive: true, force: true });
  });

  test('the reconcile Job creates the roles and grants; the owner\'s later tables are readable, not writable, by a SELECT user', async () => {
    await cluster.startStatefulSet(NAME, 180_000);
    await cluster.waitReady(`${NAME}-0`, 180_000);
    const t0 = Date.now();
    const logs = await run(first.cluster.reconcileJob.name);
    console.log(`reconcile run 1: ${Date.now() - t0} ms`);
    expect(logs).toMatch(/created role reporting/);
    expect(logs).toMatch(/created role writer/);
    expect(logs).toMatch(/created role pgbouncer/);
    // The owner existed from the bootstrap, with the same password: left alone.
    expect(logs).not.toMatch(/role orders/);
    await psql(ip(), 'orders', secret['orders-password'], 'orders', "create table items (id int primary key, name text); insert into items values (1, 'a')");
    expect(await psql(ip(), 'reporting', 'rep-1', 'orders', 'select name from items')).toBe('a');
    await expect(psql(ip(), 'reporting', 'rep-1', 'orders', "insert into items values (2, 'b')")).rejects.toThrow(/permission denied for table items/);
    await psql(ip(), 'writer', 'wr"1', 'orders', "insert into items values (2, 'b'); create table writer_notes (t text); insert into writer_notes values ('kept')");
    // The lookup function: callable by pgbouncer only, never returns a superuser.
    expect(await psql(ip(), 'pgbouncer', 'pgb "x"', 'orders', "select username, password like 'SCRAM-SHA-256$%' from pgbouncer.get_auth('reporting')")).toBe('reporting|t');
    expect(await psql(ip(), 'pgbouncer', 'pgb "x"', 'orders', "select count(*) from pgbouncer.get_auth('postgres')")).toBe('0');
    await expect(psql(ip(), 'reporting', 'rep-1', 'orders', "select * from pgbouncer.get_auth('writer')")).rejects.toThrow(/permission denied/);
  });

  test('a run picks up tables created since; the run after it is a no-op: the catalogs are identical', async () => {
    // writer's table, created after the first run: reporting's SELECT now covers it.
    expect(await run(first.cluster.reconcileJob.name)).toMatch(/done, 0 change\(s\)/);
    expect(await psql(ip(), 'reporting', 'rep-1', 'orders', 'select t from writer_notes')).toBe('kept');
    const before = await catalog();
    const logs = await run(first.cluster.reconcileJob.name);
    expect(logs).toMatch(/reconcile: done, 0 change\(s\)/);
    expect(await catalog()).toBe(before);
  });

  test('a rotated Secret password reaches the database; the old one is refused', async () => {
    cluster.setSecret(SECRET, { ...secret, 'reporting-password': "rep-2 'rotated'" });
    const logs = await run(first.cluster.reconcileJob.name);
    expect(logs).toMatch(/set the password of role reporting from the Secret/);
    expect(logs).toMatch(/done, 1 change\(s\)/);
    expect(await psql(ip(), 'reporting', "rep-2 'rotated'", 'orders', 'select current_user')).toBe('reporting');
    await expect(psql(ip(), 'reporting', 'rep-1', 'orders', 'select 1')).rejects.toThrow(/password authentication failed/);
    secret['reporting-password'] = "rep-2 'rotated'";
    // The password never reached the server log (log_statement off for that statement).
    const log = cluster.pod(`${NAME}-0`).logs('postgres');
    expect(log).not.toContain('rep-2');
  });

  test('a later spec adds a database and a user and drops only the unlisted role it manages; nothing else is dropped', async () => {
    const logs = await run(later.cluster.reconcileJob.name);
    expect(logs).toMatch(/created role finance/);
    expect(logs).toMatch(/created database ledger owned by finance/);
    expect(logs).toMatch(/created role audit/);
    expect(logs).toMatch(/dropped role writer/);
    expect(await su("select string_agg(rolname, ',' order by rolname) from pg_roles where rolname in ('orders', 'reporting', 'writer', 'finance', 'audit', 'pgbouncer')"))
      .toBe('audit,finance,orders,pgbouncer,reporting');
    expect(await su('select string_agg(datname, \',\' order by datname) from pg_database')).toBe('ledger,orders,postgres,template0,template1');
    // writer's rows and its table stayed (reassigned to the superuser).
    expect(await su('select count(*) from items', 'orders')).toBe('2');
    expect(await su("select t, tableowner from writer_notes, pg_tables where tablename = 'writer_notes'", 'orders')).toBe('kept|postgres');
    expect(await psql(ip(), 'audit', 'aud', 'ledger', 'select current_user')).toBe('audit');
    // And it is a no-op when run again.
    expect(await run(later.cluster.reconcileJob.name)).toMatch(/done, 0 change\(s\)/);
  });

  describe('the PgBouncer pool', () => {
    let pooler: ReturnType<EmulatedCluster['createPod']>;
    const through = (user: string, password: string, sql: string, timeoutMs = 15_000) => psql(pooler.ip!, user, password, 'orders', sql, { PGPORT: '6432', PGCONNECT_TIMEOUT: `${timeoutMs / 1000}` });
    let holder: ChildProcess | undefined;

    beforeAll(async () => {
      const dep = find(first.objects, 'Deployment', `${NAME}-pooler`);
      pooler = cluster.createPod({ metadata: { name: `${NAME}-pooler-0`, namespace: 'shop', labels: dep.spec.template.metadata.labels }, spec: dep.spec.template.spec });
      await pooler.start();
      await cluster.waitReady(`${NAME}-pooler-0`, 60_000);
    });
    afterAll(() => { holder?.kill('SIGKILL'); });

    test('a user logs in through the pool with its Secret password; a wrong one and the superuser are refused', async () => {
      expect(await through('reporting', secret['reporting-password'], 'select current_user, count(*) from items')).toBe('reporting|2');
      expect(await through('orders', secret['orders-password'], 'select current_user')).toBe('orders');
      // PgBouncer's server connections use TLS (server_tls_sslmode; prefer in streaming mode, require in Patroni mode).
      expect(await su("select distinct ssl from pg_stat_ssl join pg_stat_activity using (pid) where usename in ('reporting', 'orders', 'pgbouncer')")).toBe('t');
      await expect(through('reporting', 'rep-1', 'select 1')).rejects.toThrow(/password authentication failed|SASL authentication failed/);
      await expect(through('postgres', secret['superuser-password'], 'select 1')).rejects.toThrow(/failed/);
    });

    test('transaction mode: a client idle in its session does not hold the only server connection', async () => {
      // defaultPoolSize 1: in session mode the second client would wait for the first to leave.
      holder = spawn(PSQL, ['-X', '-q', '-h', pooler.ip!, '-p', '6432', '-U', 'reporting', '-d', 'orders'],
        { env: { PGPASSWORD: secret['reporting-password'], PATH: '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] });
      holder.stdin!.write("select 'holder';\n");
      // Its query ran through the pool (psql's output to a pipe is buffered: ask the server instead).
      const held = "select count(*) from pg_stat_activity where usename = 'reporting' and datname = 'orders' and query like '%holder%'";
      for (let i = 0; i < 50 && await su(held) === '0'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await su(held)).toBe('1');
      expect(holder.exitCode).toBeNull();
      const t0 = Date.now();
      expect(await through('reporting', secret['reporting-password'], 'select 42', 5_000)).toBe('42');
      expect(Date.now() - t0).toBeLessThan(5_000);
      // The pool's server connection is one and the same backend for both clients.
      expect(await su("select count(*) from pg_stat_activity where usename = 'reporting' and datname = 'orders'")).toBe('1');
    });
  });
});
