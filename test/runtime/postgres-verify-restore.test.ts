/**
 * The restore verification CronJob's script (assets/verify-restore.sh) against a real base backup:
 * a real PostgreSQL 15 primary archives its WAL into a directory standing in for the object store
 * and `pg_basebackup -X none` takes a base backup there (so recovery needs the archive). The
 * CronJob's container (command and env as synthesized) runs as the pod's uid/gid 101:103 with the
 * real pg_controldata, pg_ctl and psql; only `wal-g` is a stub (no WAL-G binary here, see
 * /work/shared/notes/runtime.md): it serves backup-fetch and wal-fetch from that directory, at
 * the prefix the CronJob names. The backup's postgresql.conf carries what Spilo's has and the
 * scratch pod lacks (its certificate paths, bg_mon), so the script's overrides are exercised.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { PG_BIN } from './pg';
import { describeRuntime } from './runtime-env';
import { ObjectStore, PostgresCluster, PostgresVersion } from '../../src';
import { container, find, synthValidated } from '../util/validate';

jest.setTimeout(180_000);

const UID = '101';
const GID = '103';
const PORT = '5491';

function verifyContainer(): any {
  const chart = new Chart(new App(), 'c', { namespace: 'shop' });
  // PostgreSQL 15 (in Spilo too): the local binaries are 15, and PGBIN names the major.
  const db = new PostgresCluster(chart, 'orders-db', {
    version: PostgresVersion.V15,
    continuousBackup: { objectStore: ObjectStore.s3({ bucket: 'acme-pg', endpoint: 'http://minio.storage:9000' }), verify: {} },
  });
  const objs = synthValidated(chart, { externalSecrets: [db.secretName] });
  return container(find(objs, 'CronJob', 'orders-db-verify'), 'verify-restore');
}

describeRuntime('restore verification CronJob against a real base backup (runtime)', [`${PG_BIN}/pg_basebackup`, `${PG_BIN}/pg_ctl`], () => {
  let dir: string;
  let store: string;
  const asPod = (cmd: string[], env: { [k: string]: string } = {}) => spawnSync('setpriv',
    ['--reuid', UID, '--regid', GID, '--clear-groups', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, timeout: 150_000 });
  const pg = (...args: string[]) => {
    const r = asPod([`${PG_BIN}/${args[0]}`, ...args.slice(1)], { PATH: '/usr/bin:/bin' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const sql = (db: string, q: string) => pg('psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', `${dir}/sock`, '-p', PORT, '-U', 'postgres', '-d', db, '-c', q);

  /** Runs the CronJob's container: its command, its literal env, PATH with the stub wal-g first. */
  const runVerify = () => {
    const c = verifyContainer();
    const env: { [k: string]: string } = {};
    for (const e of c.env) if (typeof e.value === 'string') env[e.name] = e.value;
    expect(env.PGBIN).toBe(PG_BIN);
    fs.rmSync(path.join(dir, 'restore'), { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'restore'));
    fs.chownSync(path.join(dir, 'restore'), Number(UID), Number(GID));
    return asPod(c.command, { ...env, RESTORE_DIR: path.join(dir, 'restore'), FAKE_STORE: dir, PATH: `${dir}/bin:${PG_BIN}:/usr/bin:/bin` });
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-verify-rt-'));
    fs.chmodSync(dir, 0o755);
    store = path.join(dir, 'acme-pg/spilo/orders-db/wal/15');
    for (const d of [path.join(dir, 'bin'), path.join(dir, 'sock'), path.join(store, 'wal')]) fs.mkdirSync(d, { recursive: true });
    execFileSync('chown', ['-R', `${UID}:${GID}`, dir]);
    // The stub object store: the prefix from the env WAL-G reads, mapped to a directory.
    fs.writeFileSync(path.join(dir, 'bin', 'wal-g'), [
      '#!/bin/bash',
      'set -eu',
      'root="$FAKE_STORE/${WALG_S3_PREFIX#s3://}"',
      'case "$1" in',
      '  backup-list) [ -d "$root/base" ] && echo "name modified" && echo "base_1 2026-01-02T01:00:00Z";;',
      '  backup-fetch) [ "$3" = LATEST ] && [ -d "$root/base" ] || { echo "ERROR: no backup at $root" >&2; exit 1; }; cp -a "$root/base" "$2";;',
      '  wal-fetch) [ -f "$root/wal/$2" ] || exit 1; cp "$root/wal/$2" "$3";;',
      '  *) exit 2;;',
      'esac',
      '',
    ].join('\n'), { mode: 0o755 });
    pg('initdb', '-D', `${dir}/primary`, '-U', 'postgres', '--auth-local=trust', '-E', 'UTF8', '--locale=C');
    fs.appendFileSync(path.join(dir, 'primary/postgresql.conf'), [
      `port = ${PORT}`, "listen_addresses = ''", `unix_socket_directories = '${dir}/sock'`,
      'wal_level = replica', 'archive_mode = on', `archive_command = 'cp %p ${store}/wal/%f'`, '',
    ].join('\n'));
    pg('pg_ctl', '-D', `${dir}/primary`, '-w', '-l', `${dir}/primary.log`, 'start');
    sql('postgres', 'CREATE DATABASE orders');
    sql('orders', 'CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g');
    // -X none: the base backup needs the archived WAL to become consistent.
    pg('pg_basebackup', '-h', `${dir}/sock`, '-p', PORT, '-U', 'postgres', '-D', `${store}/base`, '-X', 'none', '-c', 'fast');
    // What a backup taken on a replica (fromReplica) carries, and Spilo's postgresql.conf has
    // that the scratch pod does not.
    fs.writeFileSync(path.join(store, 'base/standby.signal'), '');
    fs.appendFileSync(path.join(store, 'base/postgresql.conf'),
      "ssl = on\nssl_cert_file = '/run/certs/server.crt'\nssl_key_file = '/run/certs/server.key'\nshared_preload_libraries = 'bg_mon'\n");
  });

  afterAll(() => {
    if (dir) {
      asPod([`${PG_BIN}/pg_ctl`, '-D', `${dir}/primary`, '-m', 'immediate', 'stop'], { PATH: '/usr/bin:/bin' });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('restores the latest base backup, replays the archive, checks and queries it, stops it', () => {
    const t0 = Date.now();
    const r = runVerify();
    expect(r.stderr).not.toMatch(/FATAL|ERROR/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Database cluster state: +in archive recovery|Database cluster state: +shut down in recovery|Database cluster state: +in production/);
    expect(r.stdout).toMatch(/restored: 4 databases/);
    expect(r.stdout.trim().endsWith('restore verified')).toBe(true);
    // Stopped by the EXIT trap: no postmaster.pid left.
    expect(fs.existsSync(path.join(dir, 'restore/data/postmaster.pid'))).toBe(false);
    // eslint-disable-next-line no-console
    console.log(`verify-restore against a real base backup: ${Date.now() - t0} ms`);
  });

  test('fails when the archive lacks the WAL the backup needs', () => {
    const wal = fs.readdirSync(path.join(store, 'wal')).filter((f) => /^[0-9A-F]{24}$/.test(f));
    const hidden = path.join(dir, 'hidden');
    fs.mkdirSync(hidden);
    for (const f of wal) fs.renameSync(path.join(store, 'wal', f), path.join(hidden, f));
    try {
      const r = runVerify();
      expect(r.status).not.toBe(0);
      expect(r.stdout).not.toContain('restore verified');
    } finally {
      for (const f of wal) fs.renameSync(path.join(hidden, f), path.join(store, 'wal', f));
    }
  });
});
