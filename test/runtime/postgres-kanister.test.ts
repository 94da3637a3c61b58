/**
 * The Kanister Blueprint's backup and restore tasks run as Kanister would run them (the KubeTask
 * command with its Go templates rendered, the podOverride env, the task user), against a real
 * PostgreSQL 15 server, with a `kando` stub that stores what `location push` streams in a directory
 * (the object store) and streams it back on `location pull`. pg_dump/pg_restore are Debian's 15
 * (the tools image has 17; the commands are the same). Scripts run: src/postgres/assets/
 * kanister-backup.sh (with dump-all.sh) and kanister-restore.sh (with restore-run.sh).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { PG_BIN, PSQL } from './pg';
import { describeRuntime } from './runtime-env';
import { PostgresCluster, PostgresKanisterBlueprint } from '../../src';
import { find, synthValidated } from '../util/validate';

jest.setTimeout(120_000);

const PORT = 16432 + (process.pid % 1000);

describeRuntime('Kanister Blueprint for PostgresCluster: backup, then restore after data loss (runtime)', [PSQL, `${PG_BIN}/pg_dump`], () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-kanister-'));
  const data = path.join(dir, 'data');
  const store = path.join(dir, 'store');
  const bin = path.join(dir, 'bin');
  const sock = path.join(dir, 'sock');
  const chart = new Chart(Testing.app(), 'c', { namespace: 'billing' });
  const db = new PostgresCluster(chart, 'billing-db', { databases: [{ name: 'orders' }, { name: 'ledger' }] });
  new PostgresKanisterBlueprint(chart, 'kanister', { cluster: db });
  const bp = find(synthValidated(chart, { externalSecrets: ['billing-db-credentials'] }), 'Blueprint', 'billing-db-postgres');
  const as = (cmd: string, args: string[], env: Record<string, string> = {}) => spawnSync('setpriv',
    ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', cmd, ...args],
    { encoding: 'utf8', env: { PATH: `${bin}:${PG_BIN}:/usr/bin:/bin`, LC_ALL: 'C', ...env }, timeout: 60_000 });
  const sql = (q: string, database = 'postgres') => {
    const r = as(PSQL, ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', `${PORT}`, '-U', 'postgres', '-d', database, '-c', q]);
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  /** Runs a phase as Kanister would: templates rendered, env from podOverride (PGHOST: the test's server). */
  const runPhase = (action: string, templates: Record<string, string>) => {
    const phase = bp.actions[action].phases[0];
    const render = (s: string) => s.replace(/\{\{[^}]*\}\}/g, (t) => {
      if (!(t in templates)) throw new Error(`no value for template ${t}`);
      return templates[t];
    });
    const [cmd, ...args] = phase.args.command.map(render);
    const env: Record<string, string> = {};
    for (const e of phase.args.podOverride.containers[0].env ?? []) env[e.name] = e.value ?? 'su-pw';
    expect(phase.args.podOverride.securityContext.runAsNonRoot).toBe(true);
    return as(cmd === 'bash' ? '/bin/bash' : cmd, args, { ...env, PGHOST: '127.0.0.1', PGPORT: `${PORT}`, PGSSLMODE: 'disable', KANDO_STORE: store, HOME: dir });
  };
  const profile = '{"location":{"type":"s3Compliant","bucket":"backups"}}';
  let location = '';

  beforeAll(() => {
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(bin);
    fs.mkdirSync(sock);
    fs.chmodSync(sock, 0o777);
    fs.mkdirSync(store, { mode: 0o777 });
    fs.chmodSync(store, 0o777);
    // kando: `location push|pull|delete --profile P --path X [-]` and `output KEY VALUE`.
    fs.writeFileSync(path.join(bin, 'kando'), [
      '#!/bin/bash', 'set -euo pipefail',
      'if [ "$1" = output ]; then echo "###Phase-output###: {\\"key\\":\\"$2\\",\\"value\\":\\"$3\\"}"; echo "$3" > "$KANDO_STORE/.output-$2"; exit 0; fi',
      'op="$2"; shift 2; path=""; prof=""',
      'while [ $# -gt 0 ]; do case "$1" in --path) path="$2"; shift 2;; --profile) prof="$2"; shift 2;; *) shift;; esac; done',
      'echo "$prof" | grep -q s3Compliant || { echo "kando: no profile" >&2; exit 2; }',
      'f="$KANDO_STORE/$(echo "$path" | tr / _)"',
      'case "$op" in push) cat > "$f";; pull) cat "$f";; delete) rm -f "$f";; esac',
    ].join('\n') + '\n', { mode: 0o755 });
    fs.mkdirSync(data, { mode: 0o700 });
    spawnSync('chown', ['postgres:postgres', data]);
    expect(as(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']).status).toBe(0);
    const start = as(`${PG_BIN}/pg_ctl`, ['-D', data, '-w', '-t', '60', '-l', path.join(data, 'server.log'), '-o',
      `-p ${PORT} -c listen_addresses=127.0.0.1 -k ${sock} -c fsync=off`, 'start']);
    if (start.status !== 0) throw new Error(`server did not start: ${start.stderr} ${fs.readFileSync(path.join(data, 'server.log'), 'utf8')}`);
    sql('CREATE ROLE app LOGIN');
    sql('CREATE DATABASE orders OWNER app');
    sql('CREATE DATABASE ledger');
    sql('CREATE TABLE t (id int primary key, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g', 'orders');
    sql('CREATE TABLE entries (amount numeric); INSERT INTO entries SELECT g FROM generate_series(1, 100) g', 'ledger');
  });
  afterAll(() => {
    as(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('backup streams one complete run to the store and reports its location', () => {
    const r = runPhase('backup', {
      '{{ toJson .Profile }}': profile,
      '{{ .StatefulSet.Namespace }}': 'billing',
      '{{ .StatefulSet.Name }}': 'billing-db',
      '{{ toDate "2006-01-02T15:04:05.999999999Z07:00" .Time | date "20060102T150405Z" }}': '20261202T050000Z',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    location = fs.readFileSync(path.join(store, '.output-backupLocation'), 'utf8').trim();
    expect(location).toBe('postgres/billing/billing-db/20261202T050000Z.tar');
    const tar = spawnSync('tar', ['-tf', path.join(store, location.replace(/\//g, '_'))], { encoding: 'utf8' });
    expect(tar.stdout.split('\n').filter((l) => l && !l.endsWith('/')).sort()).toEqual(['./globals.sql', './ledger.dump', './orders.dump', './postgres.dump']);
    expect(fs.readFileSync(path.join(store, location.replace(/\//g, '_'))).includes('PASSWORD')).toBe(false);
  });

  test('restore after the data is lost brings back every row', () => {
    sql('DROP DATABASE orders');
    sql('DELETE FROM entries WHERE amount > 50', 'ledger');
    const r = runPhase('restore', { '{{ toJson .Profile }}': profile, '{{ .ArtifactsIn.pgDump.KeyValue.backupLocation }}': location });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('restored orders');
    expect(sql('SELECT count(*), sum(id) FROM t', 'orders')).toBe('1000|500500');
    expect(sql('SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = \'orders\'')).toBe('app');
    expect(sql('SELECT count(*), sum(amount) FROM entries', 'ledger')).toBe('100|5050');
  });

  test('delete removes the object', () => {
    const phase = bp.actions.delete.phases[0];
    expect(phase.args.command.slice(0, 3)).toEqual(['kando', 'location', 'delete']);
    const r = runPhase('delete', { '{{ toJson .Profile }}': profile, '{{ .ArtifactsIn.pgDump.KeyValue.backupLocation }}': location });
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(store, location.replace(/\//g, '_')))).toBe(false);
  });
});
