// EtcdCluster `tls`: the wiring (flags, certificate, mounts, Jobs, bind), and the synthesized TLS
// flags run by a real etcd (Debian etcd-server, skipped when missing) with an openssl CA: etcdctl and
// the maintenance scripts verify it with the CA only, a client without the CA is refused, and a
// renewed certificate is served without a restart.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EtcdCluster, Tls } from '../../../src';
import { Errors } from '../../../src/core/errors';
import { container, envOf, find, synthValidated, synthValidatedApp } from '../../util/validate';

const ASSETS = path.join(__dirname, '../../../src/etcd/assets');

function cluster(namespace: string | null = 'infra', props: object = {}): { chart: Chart; etcd: EtcdCluster } {
  const chart = new Chart(new App(), 'test', { namespace: namespace ?? undefined });
  return { chart, etcd: new EtcdCluster(chart, 'etcd', { tls: Tls.certManager({ selfSignedCa: true }), ...props }) };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

test('members: https client and peer URLs, peers authenticate by certificate, metrics stay http for the probes', () => {
  const { chart, etcd } = cluster('infra', { backup: { size: { toKibibytes: () => 1048576 } } });
  const objs = synthValidated(chart);
  const sts = find(objs, 'StatefulSet', 'etcd');
  const args: string[] = container(sts, 'etcd').args;
  expect(args.some((a) => a.startsWith('--trusted-ca-file') || a === '--client-cert-auth')).toBe(false);
  expect(args).toEqual(expect.arrayContaining([
    '--listen-peer-urls=https://0.0.0.0:2380', '--listen-client-urls=https://0.0.0.0:2379', '--listen-metrics-urls=http://0.0.0.0:2381',
    '--advertise-client-urls=https://$(POD_NAME).etcd-headless.$(POD_NAMESPACE).svc.cluster.local:2379',
    '--cert-file=/etc/etcd/tls/tls.crt', '--key-file=/etc/etcd/tls/tls.key',
    '--peer-cert-file=/etc/etcd/tls/tls.crt', '--peer-key-file=/etc/etcd/tls/tls.key', '--peer-trusted-ca-file=/etc/etcd/tls/ca.crt', '--peer-client-cert-auth',
  ]));
  expect(args.find((a) => a.startsWith('--initial-cluster='))).toMatch(/^--initial-cluster=etcd-0=https:\/\/etcd-0\.etcd-headless/);
  expect(envOf(container(sts, 'etcd')).ETCDCTL_CACERT).toBe('/etc/etcd/tls/ca.crt');
  const cert = find(objs, 'Certificate', 'etcd-tls').spec;
  expect(cert.usages).toEqual(['digital signature', 'key encipherment', 'server auth', 'client auth']);
  expect(cert.dnsNames).toEqual(expect.arrayContaining(['etcd-2.etcd-headless.infra.svc.cluster.local', 'etcd-client.infra.svc']));
  expect(etcd.clientUrl).toBe('https://etcd-client.infra.svc.cluster.local:2379');
  for (const cj of ['etcd-defrag', 'etcd-backup']) {
    const spec = find(objs, 'CronJob', cj).spec.jobTemplate.spec.template.spec;
    expect(envOf(spec.containers[0]).ETCD_CACERT).toBe('/etc/etcd-ca/ca.crt');
    expect(envOf(spec.containers[0]).ETCD_ENDPOINTS).toMatch(/^https:\/\//);
    expect(spec.volumes).toContainEqual({ name: 'ca', secret: { secretName: 'etcd-tls', defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
  }
});

test('bind(): https and the CA only; from another namespace the CA from caSecret there', () => {
  const { chart, etcd } = cluster();
  const api = new kplus.Deployment(chart, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
  etcd.bind(api);
  const dep = find(synthValidated(chart), 'Deployment', api.name).spec.template.spec;
  expect(envOf(dep.containers[0])).toMatchObject({ ETCD_ENDPOINTS: 'https://etcd-client:2379', ETCDCTL_CACERT: '/etc/etcd-ca/ca.crt' });
  expect(dep.volumes[0].secret).toEqual({ secretName: 'etcd-tls', defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] });

  const app = new App();
  const e2 = new EtcdCluster(new Chart(app, 'infra', { namespace: 'infra' }), 'etcd', { tls: Tls.certManager({ selfSignedCa: true }) });
  const other = new Chart(app, 'shop', { namespace: 'shop' });
  const w = new kplus.Deployment(other, 'w', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
  expect(Errors.codeOf(thrown(() => e2.bind(w)))).toBe('EtcdBindCaSecretMissing');
  const w2 = new kplus.Deployment(other, 'w2', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
  e2.bind(w2, { caSecret: kplus.Secret.fromSecretName(other, 'Ca', 'etcd-ca') });
  const d2 = synthValidatedApp(app, { externalSecrets: ['etcd-ca'] }).find((o) => o.kind === 'Deployment' && o.metadata.name === w2.name);
  expect(d2.spec.template.spec.volumes[0].secret.secretName).toBe('etcd-ca');
});

test.each([
  ['no namespace', () => cluster(null), 'TlsNamespaceMissing', /a certificate names the namespace/],
])('bad props: %s', (_n, f, code, message) => {
  const e = thrown(f);
  expect(Errors.codeOf(e)).toBe(code);
  expect(e.message).toMatch(message);
});

const haveEtcd = fs.existsSync('/usr/bin/etcd') && fs.existsSync('/usr/bin/etcdctl');
(haveEtcd ? describe : describe.skip)('the synthesized TLS flags with a real etcd', () => {
  let proc: ChildProcess;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-tls-'));
  const tlsDir = path.join(dir, 'tls');
  const host = 'etcd-0.etcd-headless.infra.svc.cluster.local';
  const openssl = (args: string[], input?: string) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', input });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };
  const issue = (serial: number) => {
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.csr', '-subj', '/CN=etcd']);
    fs.writeFileSync(path.join(dir, 'ext'), `subjectAltName=DNS:${host},IP:127.0.0.78\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(['x509', '-req', '-in', 'c.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(serial), '-days', '1', '-extfile', 'ext', '-out', 'c.pem']);
    // As cert-manager writes the Secret (PKCS#8 key), swapped in by a rename as the kubelet does.
    fs.writeFileSync(path.join(tlsDir, 'tls.key.new'), openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'k.pem']));
    fs.copyFileSync(path.join(dir, 'c.pem'), path.join(tlsDir, 'tls.crt.new'));
    fs.renameSync(path.join(tlsDir, 'tls.key.new'), path.join(tlsDir, 'tls.key'));
    fs.renameSync(path.join(tlsDir, 'tls.crt.new'), path.join(tlsDir, 'tls.crt'));
  };
  // Without an /etc/hosts entry for the member's name, etcdctl and python dial 127.0.0.78 and check the
  // certificate's IP SAN; openssl asks for the name (SNI).
  const ipUrl = 'https://127.0.0.78:23792';
  const served = () => openssl(['x509', '-noout', '-serial'],
    spawnSync('openssl', ['s_client', '-connect', '127.0.0.78:23792', '-servername', host], { encoding: 'utf8', input: '' }).stdout).trim();

  beforeAll(async () => {
    fs.mkdirSync(tlsDir);
    openssl(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=etcd-tls-ca']);
    fs.copyFileSync(path.join(dir, 'ca.crt'), path.join(tlsDir, 'ca.crt'));
    issue(4097);
    const { chart } = cluster('infra', { replicas: 1 });
    const args: string[] = container(find(synthValidated(chart), 'StatefulSet', 'etcd'), 'etcd').args;
    // The manifest's flags, with this machine's paths, addresses and ports.
    const flags = args.map((a) => a.split('/etc/etcd/tls').join(tlsDir).replace('$(POD_NAME)', 'etcd-0').replace('$(POD_NAMESPACE)', 'infra')
      .replace(/:2379(?!\d)/, ':23792').replace(/:2380(?!\d)/, ':23802').replace(/:2381(?!\d)/, ':23812').replace('0.0.0.0', '127.0.0.78'))
      .map((a) => (a.startsWith('--data-dir=') ? `--data-dir=${dir}/d` : a))
      .map((a) => (/^--initial-(cluster|advertise-peer-urls)=/.test(a) ? a.replace(host, '127.0.0.78') : a));
    proc = spawn('/usr/bin/etcd', flags, { stdio: 'ignore', env: { POD_NAME: 'etcd-0', PATH: process.env.PATH } });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('/usr/bin/etcdctl', [`--endpoints=${ipUrl}`, 'put', 'k', 'v'], { env: { ETCDCTL_API: '3', ETCDCTL_CACERT: path.join(tlsDir, 'ca.crt') } }).status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('etcd did not start with the synthesized TLS flags');
  }, 60_000);
  afterAll(() => { proc?.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); });

  test('etcdctl with ETCDCTL_CACERT (the join script\'s way) and etcd-defrag.py with ETCD_CACERT verify the member; without the CA they are refused', () => {
    const get = spawnSync('/usr/bin/etcdctl', [`--endpoints=${ipUrl}`, 'get', 'k', '--print-value-only'],
      { env: { ETCDCTL_API: '3', ETCDCTL_CACERT: path.join(tlsDir, 'ca.crt') }, encoding: 'utf8' });
    expect(get.stdout.trim()).toBe('v');
    expect(spawnSync('/usr/bin/etcdctl', [`--endpoints=${ipUrl}`, '--dial-timeout=2s', 'get', 'k'], { env: { ETCDCTL_API: '3' } }).status).not.toBe(0);
    const py = (env: Record<string, string>) => spawnSync('python3', [path.join(ASSETS, 'etcd-defrag.py')],
      { env: { PATH: process.env.PATH!, ETCD_ENDPOINTS: ipUrl, ...env }, encoding: 'utf8' });
    const ok = py({ ETCD_CACERT: path.join(tlsDir, 'ca.crt') });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/etcd-defrag: https:\/\/127\.0\.0\.78:23792: \d+ -> \d+ bytes/);
    expect(py({}).stderr).toMatch(/CERTIFICATE_VERIFY_FAILED/);
  });

  test('a renewed certificate is served to new connections without a restart', async () => {
    expect(served()).toBe('serial=1001');
    issue(8193);
    expect(served()).toBe('serial=2001');
    expect(proc.exitCode).toBeNull();
  });
});
