/**
 * PostgresCluster with `tls` in streaming mode, run from its synthesized manifest (PostgreSQL 15
 * binaries, the official image's entrypoint emulated): the server serves the mounted certificate,
 * a client connects with sslmode=verify-full and the CA by the pod's certificate name, and when the
 * Secret is renewed in place (as the kubelet does after cert-manager rewrites it) the pod's own
 * tls-reload sidecar reloads PostgreSQL: new connections get the new certificate, the server's
 * process is the same.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { PostgresCluster, ReplicationMode, Tls } from '../../src';
import { synthValidated } from '../util/validate';
import { EmulatedCluster, waitFor } from './emulator/cluster';
import { PSQL } from './pg';
import { describeRuntime } from './runtime-env';

jest.setTimeout(300_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-tls-runtime-'));
const NAME = 'orders-db-0.orders-db-headless.db.svc.cluster.local';

function openssl(args: string[], input?: string): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input, cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A certificate for the pod's name, signed by the test CA (cert-manager's Secret layout). */
function secretData(serial: number): Record<string, string> {
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `s${serial}.key`, '-out', `s${serial}.csr`, '-subj', '/CN=orders-db']);
  fs.writeFileSync(path.join(dir, 'ext'), `subjectAltName=DNS:${NAME},DNS:orders-db\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', `s${serial}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(serial), '-days', '1', '-extfile', 'ext', '-out', `s${serial}.crt`]);
  const key = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', `s${serial}.key`]);
  return { 'tls.crt': fs.readFileSync(path.join(dir, `s${serial}.crt`), 'utf8'), 'tls.key': key, 'ca.crt': fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8') };
}

describeRuntime('Postgres TLS (runtime)', [PSQL, '/usr/bin/openssl'], () => {
  const passwords = { 'superuser-password': 'su-' + process.pid, 'replication-password': 'repl-' + process.pid, 'app-password': 'app-' + process.pid };
  let cluster: EmulatedCluster;
  const ip = () => cluster.pod('orders-db-0').ip!;

  /** verify-full by the certificate's name, to the pod's address. */
  const verifyFull = () => spawnSync(PSQL, ['-X', '-At', '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: '/usr/bin:/bin',
      PGHOST: NAME,
      PGHOSTADDR: ip(),
      PGUSER: 'app',
      PGDATABASE: 'app',
      PGPASSWORD: passwords['app-password'],
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: path.join(dir, 'ca.crt'),
      PGCONNECT_TIMEOUT: '5',
    },
  });
  const servedSerial = () => {
    const r = spawnSync('openssl', ['s_client', '-starttls', 'postgres', '-connect', `${ip()}:5432`], { encoding: 'utf8', input: '', timeout: 20_000 });
    return openssl(['x509', '-noout', '-serial'], r.stdout).trim();
  };

  beforeAll(() => {
    openssl(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=orders-db-tls-ca']);
    const chart = new Chart(Testing.app(), 'c', { namespace: 'db' });
    new PostgresCluster(chart, 'orders-db', { instances: 1, mode: ReplicationMode.STREAMING, tls: Tls.certManager({ selfSignedCa: true }) });
    const objects = synthValidated(chart);
    // The sidecar looks every 60 s; the test does not wait that long.
    const sts = objects.find((o) => o.kind === 'StatefulSet');
    const sidecar = sts.spec.template.spec.containers.find((c: any) => c.name === 'tls-reload');
    sidecar.env.find((e: any) => e.name === 'INTERVAL').value = '1';
    // cert-manager writes orders-db-tls in a cluster; the GeneratedSecret Job the credentials.
    cluster = new EmulatedCluster({ objects, secrets: { 'orders-db-credentials': passwords, 'orders-db-tls': secretData(4097) } });
  });
  afterAll(async () => {
    await cluster?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the server serves the mounted certificate (key root-owned 0440); verify-full by the pod\'s name connects', async () => {
    const t0 = Date.now();
    await cluster.statefulSetPods('orders-db')[0].start();
    await cluster.waitReady('orders-db-0', 120_000);
    console.log(`TLS primary Ready in ${Date.now() - t0} ms`);
    const r = verifyFull();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('t');
    expect(servedSerial()).toBe('serial=1001');
    // As the kubelet writes it: owner root, group the fsGroup (the official image's 999), 0440.
    const key = fs.statSync(path.join(cluster.workdir, 'pods', 'orders-db-0', 'volumes', 'tls', 'tls.key'));
    expect([key.uid, key.gid, key.mode % 0o1000]).toEqual([0, 999, 0o440]);
    // Without the CA the name cannot be verified.
    const noCa = spawnSync(PSQL, ['-X', '-At', '-c', 'select 1'], {
      encoding: 'utf8', env: { PATH: '/usr/bin:/bin', PGHOST: NAME, PGHOSTADDR: ip(), PGUSER: 'app', PGDATABASE: 'app', PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/dev/null', PGCONNECT_TIMEOUT: '5' },
    });
    expect(noCa.status).not.toBe(0);
  });

  test('a renewed Secret: the tls-reload sidecar reloads, new connections get the new certificate, no restart', async () => {
    const restarts = cluster.pod('orders-db-0').restartCount('postgres');
    const t0 = Date.now();
    cluster.updateSecret('orders-db-tls', secretData(8193));
    const serial = await waitFor('the new certificate is served', 30_000, async () => (servedSerial() === 'serial=2001' ? 'new' : undefined));
    console.log(`renewed certificate served ${Date.now() - t0} ms after the Secret changed`);
    expect(serial).toBe('new');
    expect(cluster.pod('orders-db-0').logs('tls-reload')).toMatch(/certificate files changed .* reloading the configuration/);
    expect(cluster.pod('orders-db-0').restartCount('postgres')).toBe(restarts);
    expect(verifyFull().stdout.trim()).toBe('t');
  });
});
