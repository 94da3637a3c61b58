import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, Tls, TlsIssuerKind } from '../../../src';
import { Errors } from '../../../src/core/errors';
import { PostgresCluster, ReplicationMode } from '../../../src/postgres';
import { container, envOf, find, ofKind, synthValidated, synthValidatedApp } from '../../util/validate';

const ISSUER = Tls.certManager({ issuer: { name: 'corp-ca', kind: TlsIssuerKind.CLUSTER_ISSUER } });

function cluster(props: object = {}, namespace: string | null = 'db'): { chart: Chart; db: PostgresCluster } {
  const chart = new Chart(new App(), 'test', { namespace: namespace ?? undefined });
  return { chart, db: new PostgresCluster(chart, 'orders-db', { tls: ISSUER, ...props }) };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

test('Patroni: a Certificate for every pod and Service, served through Spilo\'s SSL_* files from a read-only 0440 mount', () => {
  const { chart } = cluster();
  const objs = synthValidated(chart);
  const cert = find(objs, 'Certificate', 'orders-db-tls').spec;
  expect(cert.secretName).toBe('orders-db-tls');
  expect(cert.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  expect(cert.usages).toEqual(['digital signature', 'key encipherment', 'server auth']);
  for (const n of ['orders-db-2.orders-db-headless.db.svc.cluster.local', 'orders-db', 'orders-db.db.svc', 'orders-db-ro.db.svc.cluster.local', 'orders-db-headless.db']) {
    expect(cert.dnsNames).toContain(n);
  }
  const sts = find(objs, 'StatefulSet', 'orders-db');
  const pg = container(sts, 'postgres');
  expect(envOf(pg)).toMatchObject({
    SSL_CERTIFICATE_FILE: '/etc/postgres-tls/tls.crt', SSL_PRIVATE_KEY_FILE: '/etc/postgres-tls/tls.key', SSL_CA_FILE: '/etc/postgres-tls/ca.crt',
  });
  expect(pg.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/postgres-tls', readOnly: true });
  expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'orders-db-tls', defaultMode: 0o440 } });
  // Spilo reloads by cron: no sidecar.
  expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['postgres']);
});

test('streaming: ssl settings on the command line and the tls-reload sidecar (restricted, read-only, the socket volume)', () => {
  const { chart } = cluster({ mode: ReplicationMode.STREAMING });
  const sts = find(synthValidated(chart), 'StatefulSet', 'orders-db');
  expect(container(sts, 'postgres').args.slice(-8)).toEqual([
    '-c', 'ssl=on', '-c', 'ssl_cert_file=/etc/postgres-tls/tls.crt', '-c', 'ssl_key_file=/etc/postgres-tls/tls.key', '-c', 'ssl_ca_file=/etc/postgres-tls/ca.crt',
  ]);
  const side = container(sts, 'tls-reload');
  expect(side.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  expect(side.volumeMounts.map((m: any) => m.name)).toEqual(['tls', 'scratch-var-run-postgresql', 'scratch-tmp']);
  expect(envOf(side).PGPASSWORD).toEqual({ secretKeyRef: { name: 'orders-db-credentials', key: 'superuser-password' } });
});

test('clients: connection and bind() use verify-full with the CA only (PGSSLROOTCERT); the backup Job stays at require', () => {
  const { chart, db } = cluster({ backup: { size: Size.gibibytes(10) } });
  const api = new kplus.Deployment(chart, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
  db.bind(api);
  expect(db.connection).toMatchObject({ sslMode: 'verify-full', caSecretName: 'orders-db-tls', caKey: 'ca.crt' });
  const objs = synthValidated(chart);
  const dep = find(objs, 'Deployment', api.name);
  const c = dep.spec.template.spec.containers[0];
  expect(envOf(c)).toMatchObject({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/etc/postgres-ca/ca.crt' });
  expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'postgres-ca-0', secret: { secretName: 'orders-db-tls', defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
  expect(c.volumeMounts).toContainEqual({ name: 'postgres-ca-0', mountPath: '/etc/postgres-ca', readOnly: true });
  expect(envOf(find(objs, 'CronJob', 'orders-db-backup').spec.jobTemplate.spec.template.spec.containers[0]).PGSSLMODE).toBe('require');
});

test('bind() from another namespace takes the CA from caSecret there', () => {
  const app = new App();
  const db = new PostgresCluster(new Chart(app, 'db', { namespace: 'db' }), 'orders-db', { tls: ISSUER });
  const other = new Chart(app, 'shop', { namespace: 'shop' });
  const api = new kplus.Deployment(other, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
  const creds = Credentials.fromSecret(kplus.Secret.fromSecretName(other, 'Pw', 'orders-pw'), { 'app-password': 'password' });
  db.bind(api, { credentials: creds, caSecret: kplus.Secret.fromSecretName(other, 'Ca', 'orders-db-ca') });
  const dep = ofKind(synthValidatedApp(app, { externalSecrets: ['orders-pw', 'orders-db-ca'] }), 'Deployment')[0];
  expect(dep.spec.template.spec.volumes[0].secret).toMatchObject({ secretName: 'orders-db-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
});

test.each([
  ['no namespace', () => cluster({}, null), 'TlsNamespaceMissing', /a certificate names the namespace/],
  ['cross-namespace bind without caSecret', () => {
    const app = new App();
    const db = new PostgresCluster(new Chart(app, 'db', { namespace: 'db' }), 'orders-db', { tls: ISSUER });
    const other = new Chart(app, 'shop', { namespace: 'shop' });
    const api = new kplus.Deployment(other, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
    db.bind(api, { credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(other, 'Pw', 'orders-pw'), { 'app-password': 'password' }) });
  }, 'PostgresBindCaSecretMissing', /copy its 'ca.crt' \(only that key, never the private key\)/],
])('bad props: %s', (_n, f, code, message) => {
  const e = thrown(f);
  expect(Errors.codeOf(e)).toBe(code);
  expect(e.message).toMatch(message);
});

test('tls-reload.sh against a stub psql: a failed reload is retried on the next look', () => {
  const { chart } = cluster({ mode: ReplicationMode.STREAMING });
  const script = container(find(synthValidated(chart), 'StatefulSet', 'orders-db'), 'tls-reload').command[2];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-reload-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'psql'), '#!/bin/bash\necho "psql $*" >> "$LOG"\nexit "$(cat "$RC")"\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'tls.crt'), 'one');
  const env = { PATH: `${dir}/bin:${process.env.PATH}`, HOME: dir, LOG: `${dir}/log`, RC: `${dir}/rc`, ONCE: '1', STATE_FILE: `${dir}/hash`, INTERVAL: '60', TLS_FILES: `${dir}/tls.crt` };
  const run = () => spawnSync('bash', ['-c', script], { encoding: 'utf8', env });
  fs.writeFileSync(`${dir}/rc`, '1');
  run();
  fs.writeFileSync(path.join(dir, 'tls.crt'), 'two');
  expect(run().stderr).toContain('reload failed; trying again in 60s');
  fs.writeFileSync(`${dir}/rc`, '0');
  expect(run().stdout).toContain('reloading the configuration');
  expect(run().stdout).toBe('');
  expect(fs.readFileSync(`${dir}/log`, 'utf8')).toBe('psql -X -q -t -A -d postgres -c SELECT pg_reload_conf()\n'.repeat(2));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Tls.fromSecret: nothing issued; Spilo reads the Secret\'s own key names', () => {
  const { chart, db } = cluster({ tls: Tls.fromSecret({ secretName: 'orders-db-cert', certKey: 'server.pem', keyKey: 'server-key.pem', caKey: 'root.pem' }) });
  const objs = synthValidated(chart, { externalSecrets: ['orders-db-cert'] });
  expect(ofKind(objs, 'Certificate')).toEqual([]);
  expect(envOf(container(find(objs, 'StatefulSet', 'orders-db'), 'postgres'))).toMatchObject({
    SSL_CERTIFICATE_FILE: '/etc/postgres-tls/server.pem', SSL_PRIVATE_KEY_FILE: '/etc/postgres-tls/server-key.pem', SSL_CA_FILE: '/etc/postgres-tls/root.pem',
  });
  expect(db.connection).toMatchObject({ sslMode: 'verify-full', caSecretName: 'orders-db-cert', caKey: 'root.pem' });
});
