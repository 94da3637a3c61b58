/**
 * Patroni mode without Patroni: the bootstrap ConfigMap's post_init run exactly as Patroni calls
 * it (patroni/postgresql/bootstrap.py call_post_bootstrap: the configured command, split with
 * shlex, plus one argument, a key=value connection string for the local superuser connection; env
 * PGPASSFILE and PGOPTIONS='-c synchronous_commit=local -c statement_timeout=0'; Spilo's Patroni
 * run script drops the pod's env), in the container's user, root and mounts (emulator/isolated.ts),
 * against a real PostgreSQL 15 server started with the generated `postgresql.parameters`, the DCS
 * parameters and `pg_hba` (with TLS on, as Spilo runs it).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { PostgresCluster } from '../../src';
import { envOf, find, synthValidated } from '../util/validate';
import { runIsolated } from './emulator/isolated';
import { PG_BIN, PSQL } from './pg';
import { describeRuntime } from './runtime-env';

jest.setTimeout(120_000);

const PORT = 15432 + (process.pid % 1000);

describeRuntime('Patroni mode: post_init and the generated server settings on PostgreSQL 15 (runtime)', [PSQL, `${PG_BIN}/postgres`], () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-patroni-'));
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  const passwords = { 'superuser-password': 'su-pw', 'replication-password': 'repl-pw', 'orders-password': 'orders-pw', 'finance-password': "fin'pw" };
  const chart = new Chart(Testing.app(), 'c', { namespace: 'db' });
  new PostgresCluster(chart, 'pat', {
    instances: 2,
    synchronous: true,
    databases: [{ name: 'orders' }, { name: 'ledger', owner: 'finance' }],
    storage: { size: Size.gibibytes(10), walSize: Size.gibibytes(2) },
  });
  const objects = synthValidated(chart, { externalSecrets: ['pat-credentials'] });
  const sts = find(objects, 'StatefulSet', 'pat');
  const podSpec = sts.spec.template.spec;
  const spilo = podSpec.containers[0];
  const config = JSON.parse(envOf(spilo).SPILO_CONFIGURATION);
  const bootstrap = find(objects, 'ConfigMap', 'pat-bootstrap').data as Record<string, string>;
  const asServer = (cmd: string, args: string[]) => spawnSync('setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', cmd, ...args],
    { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
  const admin = (sql: string, db = 'postgres') => {
    const r = spawnSync(PSQL, ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', sock, '-p', `${PORT}`, '-U', 'postgres', '-d', db, '-c', sql], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout.trim();
  };
  const login = (user: string, password: string, db: string, sslmode: string): SpawnSyncReturns<string> =>
    spawnSync(PSQL, ['-X', '-At', '-c', 'select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()'], {
      encoding: 'utf8', env: { PGHOST: '127.0.0.1', PGPORT: `${PORT}`, PGUSER: user, PGPASSWORD: password, PGDATABASE: db, PGSSLMODE: sslmode, PATH: '/usr/bin:/bin' },
    });
  let skipped: string[] = [];

  /** Volumes as the kubelet writes them: ConfigMap/Secret files with defaultMode, group fsGroup. */
  function volume(name: string, files: Record<string, string>): string {
    const v = podSpec.volumes.find((x: any) => x.name === name);
    const d = path.join(dir, name);
    fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(d, { mode: 0o755 });
    for (const [k, text] of Object.entries(files)) {
      const f = path.join(d, k);
      fs.writeFileSync(f, text);
      fs.chmodSync(f, (v.configMap ?? v.secret).defaultMode);
      fs.chownSync(f, 0, podSpec.securityContext.fsGroup);
    }
    return d;
  }

  function postInit(creds: Record<string, string>) {
    const mount = (name: string) => spilo.volumeMounts.find((m: any) => m.name === name).mountPath;
    const pgpass = path.join(dir, 'pgpass');
    fs.writeFileSync(pgpass, `localhost:${PORT}:*:postgres:${passwords['superuser-password']}\n`, { mode: 0o600 });
    fs.chownSync(pgpass, podSpec.securityContext.runAsUser, podSpec.securityContext.runAsGroup);
    // Patroni's local connection (conn_kwargs) to Spilo's socket directory, formatted by format_dsn.
    const connstring = `dbname=postgres user=postgres host=/run/postgresql port=${PORT}`;
    return runIsolated({
      podSpec,
      container: { ...spilo, env: [], envFrom: [], command: [...config.bootstrap.post_init.split(/\s+/), connstring], args: undefined },
      pod: { name: 'pat-0', namespace: 'db', podIP: '127.0.0.1', labels: {} },
      store: { secret: () => undefined, configMap: () => undefined },
      binds: {
        [volume('bootstrap', bootstrap)]: mount('bootstrap'),
        [volume('credentials', creds)]: mount('credentials'),
        [sock]: '/run/postgresql',
        [pgpass]: '/run/pgpass',
      },
      extraEnv: { HOME: '/home/postgres', PGPASSFILE: '/run/pgpass', PGOPTIONS: '-c synchronous_commit=local -c statement_timeout=0' },
      timeoutMs: 60_000,
    });
  }

  beforeAll(() => {
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(sock, { mode: 0o777 });
    fs.chmodSync(sock, 0o777);
    fs.mkdirSync(data, { mode: 0o700 });
    spawnSync('chown', ['postgres:postgres', data]);
    const init = asServer(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--data-checksums']);
    expect(init.status).toBe(0);
    // Spilo's self-signed certificate.
    const key = path.join(data, 'server.key');
    expect(spawnSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'rsa:2048', '-days', '1', '-subj', '/CN=pat', '-keyout', key,
      '-out', path.join(data, 'server.crt')], { encoding: 'utf8' }).status).toBe(0);
    spawnSync('chown', ['postgres:postgres', key, path.join(data, 'server.crt')]);
    fs.chmodSync(key, 0o600);
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), config.postgresql.pg_hba.join('\n') + '\n');
    // Every generated setting PG 15 knows, on the command line; the others are listed.
    const known = new Set(asServer(`${PG_BIN}/postgres`, ['--describe-config']).stdout.split('\n').map((l) => l.split('\t')[0]));
    const params: Record<string, string> = { ...config.postgresql.parameters, ...config.bootstrap.dcs.postgresql.parameters };
    skipped = Object.keys(params).filter((k) => !known.has(k));
    const settings = Object.entries(params).filter(([k]) => known.has(k)).map(([k, v]) => `-c ${k}=${v}`);
    const start = asServer(`${PG_BIN}/pg_ctl`, ['-D', data, '-w', '-t', '60', '-l', path.join(data, 'server.log'), '-o',
      [...settings, '-c ssl=on', `-k ${sock}`, `-p ${PORT}`, '-c listen_addresses=127.0.0.1', '-c fsync=off'].join(' '), 'start']);
    if (start.status !== 0) throw new Error(`server did not start: ${start.stderr} ${fs.existsSync(path.join(data, 'server.log')) ? fs.readFileSync(path.join(data, 'server.log'), 'utf8') : ''}`);
    admin(`ALTER ROLE postgres PASSWORD '${passwords['superuser-password']}'`);
  });
  afterAll(() => {
    asServer(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('PostgreSQL 15 accepts every generated parameter and the pg_hba lines', () => {
    console.log(`generated parameters PG 15 lacks (not set): ${skipped.length ? skipped.join(', ') : 'none'}`);
    expect(skipped).toEqual([]);
    const params: Record<string, string> = { ...config.postgresql.parameters, ...config.bootstrap.dcs.postgresql.parameters };
    expect(Object.keys(params).length).toBeGreaterThan(10);
    const sources = admin(`select name || '=' || source from pg_settings where name in (${Object.keys(params).map((k) => `'${k}'`).join(',')}) order by 1`);
    expect(sources.split('\n')).toEqual(Object.keys(params).sort().map((k) => `${k}=command line`));
    expect(admin('select count(*) from pg_hba_file_rules where error is not null')).toBe('0');
    expect(admin('select count(*) from pg_hba_file_rules')).toBe(String(config.postgresql.pg_hba.length));
    expect(fs.readFileSync(path.join(data, 'server.log'), 'utf8')).not.toMatch(/WARNING|ERROR|FATAL/);
  });

  test('post_init as Patroni calls it creates the roles and databases; every password logs in over TLS', async () => {
    const r = await postInit(passwords);
    expect(r.output).toContain('spilo post_init stub: role=zalandos url=dbname=postgres user=postgres host=/run/postgresql');
    expect(r.code).toBe(0);
    expect(admin("select datname, pg_get_userbyid(datdba) from pg_database where datname in ('orders', 'ledger') order by 1")).toBe('ledger|finance\norders|orders');
    for (const [user, db] of [['orders', 'orders'], ['finance', 'ledger']]) {
      const ok = login(user, passwords[`${user}-password` as keyof typeof passwords], db, 'require');
      expect(ok.stderr).toBe('');
      expect(ok.stdout.trim()).toBe(`${user}|t`);
      expect(login(user, 'wrong', db, 'require').stderr).toContain('password authentication failed');
    }
  });

  test('a second run changes nothing', async () => {
    const state = () => admin("select rolname, rolpassword, rolcanlogin, rolreplication, rolsuper from pg_authid where rolname !~ '^pg_' order by 1")
      + '\n' + admin('select oid, datname, datdba from pg_database order by 1');
    const before = state();
    const r = await postInit(passwords);
    expect(r.code).toBe(0);
    expect(state()).toBe(before);
  });

  test('a missing password key fails the bootstrap loudly', async () => {
    const { 'finance-password': _, ...missing } = passwords;
    const r = await postInit(missing);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/\/etc\/postgres-credentials\/finance-password: No such file or directory/);
  });
});
