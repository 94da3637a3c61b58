/**
 * The GeneratedSecret Job's script (src/core/kit/assets/generate-secret.py), run from the
 * synthesized Job as the kubelet would (its env, user, read-only root, the ServiceAccount files
 * mounted at the usual path) against a stub Kubernetes API over HTTPS on loopback.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { GeneratedSecret } from '../../src/core/kit/generated-secret';
import { ofKind, synthValidated } from '../util/validate';
import { runIsolated } from './emulator/isolated';
import { describeRuntime } from './runtime-env';

jest.setTimeout(120_000);

const SA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Request { method: string; url: string; contentType?: string; body?: any }

/** One Secret, the verbs the script uses, optimistic concurrency on resourceVersion like the API server. */
class StubApi {
  public secret?: any;
  public readonly requests: Request[] = [];
  /** Bump the resourceVersion between the script's GET and its PATCH (a concurrent writer). */
  public raceNextPatch = false;
  /** Another writer creates the Secret between the script's GET (404) and its POST. */
  public raceNextPost?: Record<string, string>;
  private rv = 100;
  private server!: https.Server;

  constructor(private readonly ns: string, private readonly name: string, private readonly token: string,
    private readonly key: string, private readonly cert: string) {}

  public async listen(): Promise<number> {
    this.server = https.createServer({ key: this.key, cert: this.cert }, (req, res) => {
      let raw = '';
      req.on('data', (d) => { raw += d; });
      req.on('end', () => {
        const body = raw ? JSON.parse(raw) : undefined;
        this.requests.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
        const reply = (code: number, obj: any) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(obj)); };
        if (req.headers.authorization !== `Bearer ${this.token}`) return reply(401, { kind: 'Status', code: 401 });
        const base = `/api/v1/namespaces/${this.ns}/secrets`;
        if (req.method === 'GET' && req.url === `${base}/${this.name}`) {
          return this.secret ? reply(200, this.secret) : reply(404, { kind: 'Status', code: 404 });
        }
        if (req.method === 'POST' && req.url === base) {
          if (this.raceNextPost) {
            this.seed(this.raceNextPost);
            this.raceNextPost = undefined;
          }
          if (this.secret) return reply(409, { kind: 'Status', reason: 'AlreadyExists', code: 409 });
          this.secret = { ...body, metadata: { ...body.metadata, namespace: this.ns, resourceVersion: String(++this.rv) } };
          return reply(201, this.secret);
        }
        if (req.method === 'PATCH' && req.url === `${base}/${this.name}`) {
          if (!this.secret) return reply(404, { kind: 'Status', code: 404 });
          if (req.headers['content-type'] !== 'application/merge-patch+json') return reply(415, { kind: 'Status', code: 415 });
          if (this.raceNextPatch) {
            this.raceNextPatch = false;
            this.rv++;
            this.secret.metadata.resourceVersion = String(this.rv);
          }
          if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== this.secret.metadata.resourceVersion) {
            return reply(409, { kind: 'Status', reason: 'Conflict', code: 409 });
          }
          const metadata = { ...this.secret.metadata, resourceVersion: String(++this.rv) };
          this.secret = { ...this.secret, data: { ...this.secret.data, ...body.data }, metadata };
          return reply(200, this.secret);
        }
        return reply(404, { kind: 'Status', code: 404 });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return (this.server.address() as AddressInfo).port;
  }

  public seed(data: Record<string, string>): void {
    this.secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: this.name, namespace: this.ns, resourceVersion: String(++this.rv) }, data };
  }

  public close(): Promise<void> { return new Promise((r) => this.server.close(() => r())); }
}

describeRuntime('GeneratedSecret Job script against a stub API server (runtime)', ['/usr/bin/python3'], () => {
  const ns = 'apps';
  const secretName = 'orders-db-passwords';
  const token = 'stub-token-' + process.pid;
  let dir: string;
  let api: StubApi;
  let port: number;
  let job: any;

  beforeAll(async () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: ns });
    new GeneratedSecret(chart, 'gen', { secretName, keys: ['superuser', 'replication', 'app'], labels: { 'app.kubernetes.io/name': 'orders' } });
    job = ofKind(synthValidated(chart), 'Job')[0];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-sa-'));
    fs.chmodSync(dir, 0o755);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubernetes',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const sa = path.join(dir, 'sa');
    fs.mkdirSync(sa, { mode: 0o755 });
    fs.copyFileSync(path.join(dir, 'cert.pem'), path.join(sa, 'ca.crt'));
    fs.writeFileSync(path.join(sa, 'token'), token);
    fs.writeFileSync(path.join(sa, 'namespace'), ns);
    for (const f of ['ca.crt', 'token', 'namespace']) fs.chmodSync(path.join(sa, f), 0o644);
    api = new StubApi(ns, secretName, token, fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'));
    port = await api.listen();
  });
  afterAll(async () => {
    await api?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const runJob = () => {
    const podSpec = job.spec.template.spec;
    // The kubelet mounts the token only when the pod asks for it.
    expect(podSpec.automountServiceAccountToken).toBe(true);
    return runIsolated({
      podSpec,
      container: podSpec.containers[0],
      pod: { name: `${job.metadata.name}-x1`, namespace: ns, podIP: '127.0.0.1', labels: podSpec.labels ?? {} },
      store: { secret: () => undefined, configMap: () => undefined },
      binds: { [path.join(dir, 'sa')]: SA_PATH },
      extraEnv: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) },
    });
  };
  const decoded = () => Object.fromEntries(Object.entries(api.secret.data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]));

  test('creates the Secret when absent, with every key and the labels', async () => {
    const r = await runJob();
    expect(r.output).toContain(`created Secret ${secretName}`);
    expect(r.code).toBe(0);
    expect(api.requests.map((q) => q.method)).toEqual(['GET', 'POST']);
    expect(Object.keys(api.secret.data).sort()).toEqual(['app', 'replication', 'superuser']);
    for (const v of Object.values(decoded())) expect(v).toMatch(/^[-_A-Za-z0-9]{32}$/);
    expect(new Set(Object.values(decoded())).size).toBe(3);
    expect(api.secret.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/managed-by': 'cdk8s-stateful' });
  });

  test('a second run changes nothing', async () => {
    const before = JSON.stringify(api.secret);
    api.requests.length = 0;
    const r = await runJob();
    expect(r.code).toBe(0);
    expect(r.output).toContain('nothing to do');
    expect(api.requests.map((q) => q.method)).toEqual(['GET']);
    expect(JSON.stringify(api.secret)).toBe(before);
  });

  test('adds only the missing keys, with a merge patch conditional on the resourceVersion read; existing values stay', async () => {
    api.seed({ superuser: Buffer.from('kept-value').toString('base64') });
    const rv = api.secret.metadata.resourceVersion;
    api.requests.length = 0;
    const r = await runJob();
    expect(r.code).toBe(0);
    expect(api.requests.map((q) => q.method)).toEqual(['GET', 'PATCH']);
    const patch = api.requests[1];
    expect(patch.contentType).toBe('application/merge-patch+json');
    expect(patch.body.metadata).toEqual({ resourceVersion: rv });
    expect(Object.keys(patch.body.data).sort()).toEqual(['app', 'replication']);
    expect(decoded().superuser).toBe('kept-value');
    expect(Object.keys(api.secret.data).sort()).toEqual(['app', 'replication', 'superuser']);
  });

  test('a concurrent change between read and patch fails the run (the Job retries) and writes nothing', async () => {
    api.seed({ superuser: Buffer.from('kept-value').toString('base64') });
    const before = JSON.stringify(api.secret.data);
    api.raceNextPatch = true;
    const r = await runJob();
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('failed with HTTP 409');
    expect(JSON.stringify(api.secret.data)).toBe(before);
    const retry = await runJob();
    expect(retry.code).toBe(0);
    expect(decoded().superuser).toBe('kept-value');
  });

  test('a Secret created concurrently (POST 409) fails the run instead of overwriting', async () => {
    api.secret = undefined;
    api.raceNextPost = { app: Buffer.from('other-writer').toString('base64') };
    const r = await runJob();
    expect(api.requests.slice(-2).map((q) => q.method)).toEqual(['GET', 'POST']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('creating Secret');
    expect(decoded().app).toBe('other-writer');
  });
});
