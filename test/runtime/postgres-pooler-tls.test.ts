/**
 * Patroni mode's reconcile Job and pool against a server with TLS on and Spilo's pg_hba as the
 * cluster synthesizes it (SCRAM; `hostnossl all all all reject` for other hosts, which a local
 * test cannot be: the source address is 127.0.0.1, which the list lets in): the Job's script with
 * its synthesized env (sslmode require, so TLS or nothing; the host and the Secret's mount path
 * pointed at this machine)
 * creates the users and the lookup function, and PgBouncer 1.18 with the synthesized
 * pgbouncer.ini (`server_tls_sslmode = require`; only host, ports and the auth_file path
 * rewritten) logs a user in over TLS to the server. PgBouncer and PostgreSQL run as the local
 * `postgres` user; processes are ended by PID.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { PG_BIN, PSQL } from './pg';
import { describeRuntime } from './runtime-env';
import { PostgresCluster, PostgresPrivilege } from '../../src';
import { envOf, find, synthValidated } from '../util/validate';

jest.setTimeout(120_000);

const PORT = 17432 + (process.pid % 1000);
const POOL_PORT = PORT + 1000;
const PGBOUNCER = '/usr/sbin/pgbouncer';
/** The server's address (loopback). */
const SERVER = '127.0.0.2';

describeRuntime('Patroni mode: reconcile Job and PgBouncer against a TLS-only server (runtime)', [PSQL, `${PG_BIN}/postgres`, PGBOUNCER], () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-pool-tls-'));
  const creds = path.join(dir, 'credentials');
  const secret: Record<string, string> = {
    'superuser-password': 'su',
    'replication-password': 'repl',
    'orders-password': 'orders-pw',
    'reporting-password': 'rep "pw"',
    'pgbouncer-password': "pgb'pw",
  };
  const chart = new Chart(new App(), 'c', { namespace: 'db' });
  new PostgresCluster(chart, 'pat', {
    databases: [{ name: 'orders' }],
    users: [{ name: 'reporting', grants: [{ database: 'orders', privilege: PostgresPrivilege.SELECT }] }],
    pooler: {},
  });
  const objects = synthValidated(chart, { externalSecrets: ['pat-credentials'] });
  const spilo = JSON.parse(envOf(find(objects, 'StatefulSet', 'pat').spec.template.spec.containers[0]).SPILO_CONFIGURATION);
  const job = find(objects, 'Job', objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('pat-reconcile-')).metadata.name);
  const jobContainer = job.spec.template.spec.containers[0];
  const ini = find(objects, 'ConfigMap', 'pat-pooler').data['pgbouncer-rw.ini'] as string;
  const procs: ChildProcess[] = [];
  const asPostgres = (cmd: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync('setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', cmd, ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LC_ALL: 'C', ...env } });
  const login = (port: number, user: string, password: string, sql: string, host = '127.0.0.1') => spawnSync(PSQL, ['-X', '-At', '-c', sql], {
    encoding: 'utf8', env: { PGHOST: host, PGPORT: `${port}`, PGUSER: user, PGPASSWORD: password, PGDATABASE: 'orders', PGSSLMODE: 'disable', PATH: '/usr/bin:/bin' },
  });

  beforeAll(async () => {
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(creds, { mode: 0o755 });
    for (const [k, v] of Object.entries(secret)) fs.writeFileSync(path.join(creds, k), v, { mode: 0o444 });
    const data = path.join(dir, 'data');
    fs.writeFileSync(path.join(dir, 'pw'), secret['superuser-password'], { mode: 0o444 });
    for (const d of [data, path.join(dir, 'sock'), path.join(dir, 'run')]) {
      fs.mkdirSync(d, { mode: 0o700 });
      spawnSync('chown', ['postgres:postgres', d]);
    }
    expect(asPostgres(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', `--pwfile=${dir}/pw`, '--auth=scram-sha-256']).status).toBe(0);
    expect(spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=pat',
      '-keyout', `${data}/server.key`, '-out', `${data}/server.crt`]).status).toBe(0);
    spawnSync('chown', ['postgres:postgres', `${data}/server.key`, `${data}/server.crt`]);
    fs.chmodSync(`${data}/server.key`, 0o600);
    // Spilo's pg_hba as the cluster configures it.
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), `${spilo.postgresql.pg_hba.join('\n')}\n`);
    const pg = spawn('setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', `${PG_BIN}/postgres`, '-D', data, '-p', `${PORT}`,
      '-c', `listen_addresses=${SERVER}`, '-c', `unix_socket_directories=${dir}/sock`, '-c', 'ssl=on'], { stdio: 'ignore' });
    procs.push(pg);
    for (let i = 0; i < 100 && spawnSync(`${PG_BIN}/pg_isready`, ['-h', SERVER, '-p', `${PORT}`]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    // The bootstrap created the owner (post_init); the Job creates the rest.
    expect(spawnSync(PSQL, ['-X', '-q', '-h', `${dir}/sock`, '-p', `${PORT}`, '-U', 'postgres', '-c', "CREATE ROLE orders LOGIN PASSWORD 'orders-pw'", '-c', 'CREATE DATABASE orders OWNER orders'],
      { encoding: 'utf8', env: { PGPASSWORD: 'su', PATH: '/usr/bin:/bin' } }).status).toBe(0);
  });

  afterAll(() => {
    for (const p of procs.reverse()) if (p.pid && p.exitCode === null) p.kill('SIGINT');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the reconcile Job\'s script, with its env (sslmode require), creates the users and the lookup function', () => {
    const env = envOf(jobContainer);
    expect(env.PGSSLMODE).toBe('require');
    const r = spawnSync('bash', jobContainer.command.slice(1), {
      encoding: 'utf8',
      env: {
        PATH: `${PG_BIN}:/usr/bin:/bin`,
        HOME: dir,
        PGHOST: SERVER,
        PGPORT: `${PORT}`,
        PGUSER: env.PGUSER,
        PGSSLMODE: env.PGSSLMODE,
        PGCONNECT_TIMEOUT: env.PGCONNECT_TIMEOUT,
        PGPASSWORD: secret['superuser-password'],
        MARKER: env.MARKER,
        DROP_UNLISTED: env.DROP_UNLISTED,
        SPEC: (env.SPEC as string).split('/etc/postgres-credentials/').join(`${creds}/`),
      },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/created role reporting/);
    expect(r.stdout).toMatch(/created role pgbouncer/);
  });

  test('PgBouncer with the generated pgbouncer.ini logs a user in; its server connection is TLS (server_tls_sslmode = require)', async () => {
    expect(ini).toContain('server_tls_sslmode = require\n');
    const conf = path.join(dir, 'run', 'pgbouncer.ini');
    fs.writeFileSync(conf, ini.replace('host=pat port=5432', `host=${SERVER} port=${PORT}`).replace('listen_port = 6432', `listen_port = ${POOL_PORT}`)
      .replace('auth_file = /run/pgbouncer/userlist.txt', `auth_file = ${dir}/run/userlist.txt`));
    spawnSync('chown', ['postgres:postgres', conf]);
    const start = find(objects, 'Deployment', 'pat-pooler').spec.template.spec.containers[0];
    const bouncer = spawn('setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', 'bash', ...start.command.slice(1, 4), conf], {
      stdio: 'ignore',
      env: { PATH: '/usr/sbin:/usr/bin:/bin', HOME: dir, AUTH_USER: 'pgbouncer', AUTH_FILE: `${dir}/run/userlist.txt`, PGBOUNCER_PASSWORD: secret['pgbouncer-password'] },
    });
    procs.push(bouncer);
    let r = login(POOL_PORT, 'reporting', secret['reporting-password'], 'select 1');
    for (let i = 0; i < 50 && r.status !== 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = login(POOL_PORT, 'reporting', secret['reporting-password'], 'select 1');
    }
    expect(r.stderr).toBe('');
    expect(login(POOL_PORT, 'reporting', secret['reporting-password'], 'select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()').stdout.trim()).toBe('reporting|t');
    expect(login(POOL_PORT, 'reporting', 'wrong', 'select 1').stderr).toMatch(/authentication failed/);
  });
});
