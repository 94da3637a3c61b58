// TLS of a PostgresCluster against a real PostgreSQL (Debian postgresql-15) and openssl: the
// server runs with the ssl settings of the synthesized streaming-mode StatefulSet, reading a
// certificate laid out as the kubelet lays out a Secret volume (files behind the `..data` symlink,
// owned by root, group the fsGroup, mode 0440); a client verifies it with sslmode=verify-full and
// the CA; the Secret is "renewed" by the kubelet's atomic symlink swap, the reload sidecar's
// script (assets/tls-reload.sh) notices and calls pg_reload_conf(), and a new connection gets the
// new certificate (serial) while the server keeps running.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Tls } from '../../src/core/kit/tls';
import { PostgresCluster, ReplicationMode } from '../../src/postgres';
import { container, find, synthValidated } from '../util/validate';

const BIN = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)[0];
const ROOT = process.getuid?.() === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-tls-'));
const sock = path.join(dir, 'sock');
const data = path.join(dir, 'data');
const tlsDir = path.join(dir, 'tls');
const port = 20000 + (process.pid % 20000);

function asServer(cmd: string, args: string[]): SpawnSyncReturns<string> {
  const full = ROOT ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', cmd, ...args]] as const : [cmd, args] as const;
  return spawnSync(full[0], [...full[1]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, LC_ALL: 'C' } });
}

function openssl(args: string[], input?: string): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input, cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A server certificate signed by the test CA, with serial `serial`. */
function serverCert(name: string, serial: number): void {
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost'], undefined);
  fs.writeFileSync(path.join(dir, 'ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(serial), '-days', '1', '-extfile', 'ext', '-out', `${name}.crt`]);
  // cert-manager writes PKCS#8.
  openssl(['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`, '-out', `${name}.p8`]);
}

/** The kubelet's Secret volume: a timestamped directory, `..data` pointing at it, each key a symlink through `..data`. */
function publish(version: string, name: string): void {
  const v = path.join(tlsDir, version);
  fs.mkdirSync(v, { mode: 0o755 });
  const files: [string, string][] = [['tls.crt', `${name}.crt`], ['tls.key', `${name}.p8`], ['ca.crt', 'ca.crt']];
  for (const [key, src] of files) {
    fs.copyFileSync(path.join(dir, src), path.join(v, key));
    fs.chmodSync(path.join(v, key), 0o440);
    // Owner root, group the fsGroup (the postgres user's group here).
    if (ROOT) spawnSync('chown', ['root:postgres', path.join(v, key)]);
  }
  fs.symlinkSync(version, path.join(tlsDir, '..data_tmp'));
  fs.renameSync(path.join(tlsDir, '..data_tmp'), path.join(tlsDir, '..data'));
  for (const [key] of files) if (!fs.existsSync(path.join(tlsDir, key))) fs.symlinkSync(`..data/${key}`, path.join(tlsDir, key));
}

/** The serial of the certificate the server presents to a new connection. */
function servedSerial(): string {
  const r = spawnSync('openssl', ['s_client', '-starttls', 'postgres', '-connect', `127.0.0.1:${port}`], { encoding: 'utf8', input: '', timeout: 20_000 });
  return openssl(['x509', '-noout', '-serial'], r.stdout).trim();
}

function psqlTls(sslmode: string): SpawnSyncReturns<string> {
  return spawnSync(`${BIN}/psql`, ['-X', '-At', '-c', 'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, PGHOST: 'localhost', PGPORT: String(port), PGUSER: 'postgres', PGDATABASE: 'postgres', PGSSLMODE: sslmode, PGSSLROOTCERT: path.join(dir, 'ca.crt') },
  });
}

function reloadOnce(): SpawnSyncReturns<string> {
  return spawnSync('bash', ['-c', files.script], {
    encoding: 'utf8',
    env: {
      PATH: `${BIN}:${process.env.PATH}`,
      HOME: dir,
      PGPORT: String(port),
      ONCE: '1',
      STATE_FILE: path.join(dir, 'reload.hash'),
      INTERVAL: '60',
      PGHOST: sock,
      PGUSER: 'postgres',
      TLS_FILES: files.tlsFiles.split(' ').map((f) => f.replace('/etc/postgres-tls', tlsDir)).join(' '),
    },
  });
}

let files: { script: string; tlsFiles: string; args: string[] };

beforeAll(() => {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  new PostgresCluster(c, 'orders-db', { mode: ReplicationMode.STREAMING, instances: 1, tls: Tls.certManager({ selfSignedCa: true }) });
  const sts = find(synthValidated(c), 'StatefulSet', 'orders-db');
  const sidecar = container(sts, 'tls-reload');
  const env = (n: string) => sidecar.env.find((e: any) => e.name === n).value;
  const args: string[] = container(sts, 'postgres').args;
  files = { script: sidecar.command[2], tlsFiles: env('TLS_FILES'), args: args.slice(args.indexOf('ssl=on') - 1) };

  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(sock, { mode: 0o777 });
  fs.chmodSync(sock, 0o777);
  fs.mkdirSync(data, { mode: 0o700 });
  fs.mkdirSync(tlsDir, { mode: 0o755 });
  if (ROOT) spawnSync('chown', ['postgres:postgres', data, sock]);
  openssl(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=orders-db-tls-ca']);
  serverCert('one', 4097);
  serverCert('two', 8193);
  publish('..2026_12_02_01', 'one');

  expect(asServer(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']).status).toBe(0);
  const ssl = files.args.map((a) => a.replace('/etc/postgres-tls', tlsDir));
  const start = asServer(`${BIN}/pg_ctl`, ['-D', data, '-w', '-l', path.join(data, 'log'),
    '-o', `-k ${sock} -c listen_addresses=127.0.0.1 -p ${port} -c fsync=off ${ssl.join(' ')}`, 'start']);
  expect(start.status).toBe(0);
}, 60_000);

afterAll(() => {
  asServer(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the synthesized ssl settings serve the mounted certificate; the root-owned 0440 key is accepted; verify-full with the CA connects', () => {
  expect(files.args).toEqual(['-c', 'ssl=on', '-c', 'ssl_cert_file=/etc/postgres-tls/tls.crt', '-c', 'ssl_key_file=/etc/postgres-tls/tls.key', '-c', 'ssl_ca_file=/etc/postgres-tls/ca.crt']);
  if (ROOT) expect(fs.statSync(path.join(tlsDir, 'tls.key'))).toMatchObject({ uid: 0, mode: 0o100440 });
  const r = psqlTls('verify-full');
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toMatch(/^t\|TLSv1\.3$/);
  expect(servedSerial()).toBe('serial=1001');
});

test('renewal: the kubelet swaps the files, the sidecar script reloads once, new connections get the new certificate', () => {
  expect(reloadOnce().stdout).toContain('tls-reload: watching'); // first look: remembers the hash, no reload
  expect(reloadOnce().stdout).toBe(''); // unchanged: nothing to do
  publish('..2026_12_02_02', 'two');
  expect(servedSerial()).toBe('serial=1001'); // PostgreSQL reads the files only at start and reload
  const r = reloadOnce();
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/certificate files changed .* reloading the configuration/);
  expect(servedSerial()).toBe('serial=2001');
  expect(psqlTls('verify-full').stdout.trim()).toMatch(/^t\|TLSv1\.3$/);
  expect(reloadOnce().stdout).toBe(''); // the new hash is remembered
});
