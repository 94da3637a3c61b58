// The scripts of src/redis/assets run as the synthesized StatefulSet wires them (command, env),
// with paths moved to a temp dir: redis-start.sh and redis-probe.sh against a stub redis-cli
// (answers per host, port and command) and a redis-server stub that prints the config it was given;
// role-labeler.py against a real redis-server and a stub HTTPS API. (Syntax and shellcheck:
// test/core/kit/assets.test.ts. The real programs end to end: test/runtime/redis.test.ts.)
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { RedisCluster, RedisClusterProps, RedisPersistence } from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

const ASSETS = path.join(__dirname, '../../src/redis/assets');
const FQDN = (i: number) => `redis-${i}.redis-headless.cache.svc.cluster.local`;

function manifestEnv(name: string, props: RedisClusterProps = {}): { [k: string]: string } {
  const c = new Chart(Testing.app(), 'test', { namespace: 'cache' });
  new RedisCluster(c, 'redis', props);
  const env = envOf(container(find(synthValidated(c), 'StatefulSet', 'redis'), name));
  return Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as { [k: string]: string };
}

class Sandbox {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-asset-'));
  public readonly bin = path.join(this.dir, 'bin');
  public readonly answers = path.join(this.dir, 'answers');
  constructor() {
    for (const d of [this.bin, this.answers, path.join(this.dir, 'conf'), path.join(this.dir, 'data')]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(this.dir, 'password'), 'pw\n');
    fs.writeFileSync(path.join(this.bin, 'redis-cli'), `#!/bin/bash
host= port=
args=()
while [ $# -gt 0 ]; do case $1 in --no-auth-warning) shift;; -h) host=$2; shift 2;; -p) port=$2; shift 2;; *) args+=("$1"); shift;; esac; done
echo "$host:$port \${args[*]} auth=$REDISCLI_AUTH" >> "${this.dir}/log"
f="${this.answers}/$(echo "$host:$port:\${args[*]}" | tr ' ' '_')"
if [ -f "$f" ]; then cat "$f"; exit 0; fi
echo "Could not connect to Redis at $host:$port: Connection refused"; exit 1
`, { mode: 0o755 });
    fs.writeFileSync(path.join(this.bin, 'redis-server'), '#!/bin/sh\ncat "$1"\necho "ARGS $*"\n', { mode: 0o755 });
  }

  /** What the stub answers to `redis-cli -h host -p port args...`. */
  public answer(host: string, port: number, args: string, out: string): void {
    fs.writeFileSync(path.join(this.answers, `${host}:${port}:${args}`.replace(/ /g, '_')), out);
  }

  public run(script: string, args: string[], env: { [k: string]: string }) {
    return spawnSync('sh', [path.join(ASSETS, script), ...args], {
      encoding: 'utf8',
      env: {
        ...env,
        PATH: `${this.bin}:/usr/bin:/bin`,
        PASSWORD_FILE: path.join(this.dir, 'password'),
        CONF_DIR: path.join(this.dir, 'conf'),
        DATA_DIR: path.join(this.dir, 'data'),
      },
    });
  }

  public get log(): string {
    return fs.existsSync(path.join(this.dir, 'log')) ? fs.readFileSync(path.join(this.dir, 'log'), 'utf8') : '';
  }
}

const pod = (i: number) => ({ POD_NAME: `redis-${i}`, POD_NAMESPACE: 'cache' });

describe('redis-start.sh server', () => {
  test('a new cluster: pod 0 starts as the primary with AOF, maxmemory and hostname announcing', () => {
    const s = new Sandbox();
    const r = s.run('redis-start.sh', ['server'], { ...manifestEnv('redis'), ...pod(0) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('server: starting as the primary');
    expect(r.stdout).toContain(`replica-announce-ip ${FQDN(0)}`);
    expect(r.stdout).toMatch(/appendonly yes\nappendfsync everysec/);
    expect(r.stdout).toContain('maxmemory 402653184\nmaxmemory-policy noeviction');
    expect(r.stdout).toContain('requirepass "pw"\nmasterauth "pw"');
    expect(r.stdout).not.toContain('replicaof');
    // Asked every Sentinel (its own included), then every peer server, with the password from the file.
    expect(s.log).toContain(`${FQDN(0)}:26379 SENTINEL get-master-addr-by-name mymaster auth=pw`);
    expect(s.log).toContain(`${FQDN(2)}:6379 ROLE auth=pw`);
    expect(fs.existsSync(path.join(s.dir, 'data', '.redis-member'))).toBe(true);
  });

  test('pod 1 of a new cluster replicates pod 0', () => {
    const s = new Sandbox();
    const r = s.run('redis-start.sh', ['server'], { ...manifestEnv('redis'), ...pod(1) });
    expect(r.stdout).toContain(`replicaof ${FQDN(0)} 6379`);
    expect(r.stdout).toContain(`replica-announce-ip ${FQDN(1)}`);
  });

  test("Sentinel's answer wins: after a failover pod 0 replicates pod 2", () => {
    const s = new Sandbox();
    fs.writeFileSync(path.join(s.dir, 'data', '.redis-member'), '');
    s.answer(FQDN(1), 26379, 'SENTINEL get-master-addr-by-name mymaster', `${FQDN(2)}\n6379\n`);
    const r = s.run('redis-start.sh', ['server'], { ...manifestEnv('redis'), ...pod(0) });
    expect(r.stdout).toContain(`server: starting as a replica of ${FQDN(2)}`);
    expect(r.stdout).toContain(`replicaof ${FQDN(2)} 6379`);
  });

  test('without Sentinels, a peer that runs as primary is followed', () => {
    const s = new Sandbox();
    s.answer(FQDN(2), 6379, 'ROLE', 'master\n123\n');
    const r = s.run('redis-start.sh', ['server'], { ...manifestEnv('redis'), ...pod(0) });
    expect(r.stdout).toContain(`replicaof ${FQDN(2)} 6379`);
  });

  test('named primary with an empty volume while Sentinel knows replicas: waits for a promotion', () => {
    const s = new Sandbox();
    s.answer(FQDN(1), 26379, 'SENTINEL get-master-addr-by-name mymaster', `${FQDN(0)}\n6379\n`);
    s.answer(FQDN(1), 26379, 'SENTINEL master mymaster', 'name\nmymaster\nnum-slaves\n2\nquorum\n2\n');
    const r = s.run('redis-start.sh', ['server'], { ...manifestEnv('redis'), ...pod(0) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('it has no data and Sentinel knows replicas: waiting for a replica to be promoted');
    // With its data it is the primary again.
    fs.writeFileSync(path.join(s.dir, 'data', '.redis-member'), '');
    const again = s.run('redis-start.sh', ['server'], { ...manifestEnv('redis'), ...pod(0) });
    expect(again.stdout).toContain('server: starting as the primary');
  });

  test('persistence NONE: memory only, and a restart never comes back as primary while replicas exist', () => {
    const s = new Sandbox();
    fs.writeFileSync(path.join(s.dir, 'data', '.redis-member'), '');
    s.answer(FQDN(0), 26379, 'SENTINEL get-master-addr-by-name mymaster', `${FQDN(0)}\n6379\n`);
    s.answer(FQDN(2), 26379, 'SENTINEL master mymaster', 'num-slaves\n1\n');
    const env = { ...manifestEnv('redis', { persistence: RedisPersistence.NONE }), ...pod(0) };
    expect(s.run('redis-start.sh', ['server'], env).status).toBe(1);
    const fresh = new Sandbox();
    const r = fresh.run('redis-start.sh', ['server'], env);
    expect(r.stdout).toMatch(/appendonly no\nsave ""/);
  });

  test('persistence RDB: snapshots, no AOF', () => {
    const s = new Sandbox();
    const r = s.run('redis-start.sh', ['server'], { ...manifestEnv('redis', { persistence: RedisPersistence.RDB }), ...pod(0) });
    expect(r.stdout).toMatch(/appendonly no\nsave 3600 1 300 100 60 10000/);
  });
});

describe('redis-start.sh sentinel', () => {
  test('renders a writable sentinel.conf with hostnames, the quorum and auth, monitoring what peers say', () => {
    const s = new Sandbox();
    s.answer(FQDN(2), 26379, 'SENTINEL get-master-addr-by-name mymaster', `${FQDN(1)}\n6379\n`);
    const r = s.run('redis-start.sh', ['sentinel'], { ...manifestEnv('sentinel'), ...pod(0) });
    expect(r.status).toBe(0);
    const conf = fs.readFileSync(path.join(s.dir, 'conf', 'sentinel.conf'), 'utf8');
    expect(r.stdout).toBe(`sentinel: primary is ${FQDN(1)}\n${conf}ARGS ${path.join(s.dir, 'conf', 'sentinel.conf')} --sentinel\n`);
    expect(r.stdout).toContain(`ARGS ${path.join(s.dir, 'conf', 'sentinel.conf')} --sentinel`);
    expect(conf.indexOf('sentinel resolve-hostnames yes')).toBeLessThan(conf.indexOf('sentinel monitor'));
    expect(conf).toContain('sentinel announce-hostnames yes');
    expect(conf).toContain(`sentinel announce-ip ${FQDN(0)}`);
    expect(conf).toContain(`sentinel monitor mymaster ${FQDN(1)} 6379 2`);
    expect(conf).toContain('sentinel auth-pass mymaster "pw"');
    expect(conf).toContain('sentinel down-after-milliseconds mymaster 30000');
    expect(conf).toContain('sentinel sentinel-pass "pw"');
    expect((fs.statSync(path.join(s.dir, 'conf', 'sentinel.conf')).mode % 0o1000).toString(8)).toBe('600');
    // A Sentinel does not ask itself (its own answer would only echo its defaults).
    expect(s.log).not.toContain(`${FQDN(0)}:26379`);
  });

  test('a restarted Sentinel container keeps the id Sentinel wrote into its file', () => {
    const s = new Sandbox();
    const id = 'a'.repeat(40);
    fs.writeFileSync(path.join(s.dir, 'conf', 'sentinel.conf'), `port 26379\nsentinel myid ${id}\nsentinel known-sentinel mymaster x 26379 ${'b'.repeat(40)}\n`);
    const r = s.run('redis-start.sh', ['sentinel'], { ...manifestEnv('sentinel'), ...pod(1) });
    const conf = fs.readFileSync(path.join(s.dir, 'conf', 'sentinel.conf'), 'utf8');
    expect(r.status).toBe(0);
    expect(conf.match(/^sentinel myid .*$/mg)).toEqual([`sentinel myid ${id}`]);
    expect(conf).not.toContain('known-sentinel');
    expect(conf).toContain(`sentinel monitor mymaster ${FQDN(0)} 6379 2`);
  });
});

describe('redis-probe.sh', () => {
  const probe = (answer: string, mode: string) => {
    const s = new Sandbox();
    if (answer) s.answer('127.0.0.1', 6379, 'PING', `${answer}\n`);
    return { r: s.run('redis-probe.sh', ['6379', mode], {}), s };
  };
  test('PONG is ready and live; LOADING is live only; no answer is neither', () => {
    const { r, s } = probe('PONG', 'ready');
    expect(r.status).toBe(0);
    expect(s.log).toContain('127.0.0.1:6379 PING auth=pw');
    expect(probe('LOADING Redis is loading the dataset in memory', 'ready').r.status).toBe(1);
    expect(probe('LOADING Redis is loading the dataset in memory', 'live').r.status).toBe(0);
    const down = probe('', 'live').r;
    expect(down.status).toBe(1);
    expect(down.stdout).toContain('redis-cli PING on port 6379: Could not connect');
  });
});

describe('role-labeler.py against a real redis-server and a stub API', () => {
  const hasRedis = fs.existsSync('/usr/bin/redis-server');
  (hasRedis ? test : test.skip)('labels the pod primary, then replica after REPLICAOF; only patches on change', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-labeler-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubernetes',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, 'ca.crt'), fs.readFileSync(path.join(dir, 'cert.pem')));
    fs.writeFileSync(path.join(dir, 'token'), 'tok');
    fs.writeFileSync(path.join(dir, 'namespace'), 'cache');
    fs.writeFileSync(path.join(dir, 'password'), 'pw');
    const requests: Array<{ method: string; url: string; auth: string; type: string; body: string }> = [];
    const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization!, type: req.headers['content-type']!, body });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const redisPort = 20000 + (process.pid % 20000);
    const redis: ChildProcess = spawn('/usr/bin/redis-server', ['--port', `${redisPort}`, '--bind', '127.0.0.1', '--requirepass', 'pw', '--save', '', '--dir', dir]);
    const runOnce = () => new Promise<number>((resolve) => {
      const p = spawn('python3', [path.join(ASSETS, 'role-labeler.py')], {
        env: {
          ...manifestEnv('role-labeler'),
          POD_NAME: 'redis-1',
          PASSWORD_FILE: path.join(dir, 'password'),
          REDIS_PORT: `${redisPort}`,
          SA_DIR: dir,
          KUBERNETES_SERVICE_HOST: '127.0.0.1',
          KUBERNETES_SERVICE_PORT: `${(server.address() as AddressInfo).port}`,
          ONCE: '1',
        },
        stdio: 'inherit',
      });
      p.on('exit', (code) => resolve(code ?? -1));
    });
    try {
      const cli = (...a: string[]) => execFileSync('/usr/bin/redis-cli', ['--no-auth-warning', '-p', `${redisPort}`, '-a', 'pw', ...a], { encoding: 'utf8' });
      for (let i = 0; i < 50 && spawnSync('/usr/bin/redis-cli', ['-p', `${redisPort}`, 'PING']).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await runOnce()).toBe(0);
      expect(requests.map((q) => ({ ...q, body: JSON.parse(q.body) }))).toEqual([{
        method: 'PATCH',
        url: '/api/v1/namespaces/cache/pods/redis-1',
        auth: 'Bearer tok',
        type: 'application/merge-patch+json',
        body: { metadata: { labels: { role: 'primary' } } },
      }]);
      cli('REPLICAOF', '127.0.0.1', '1');
      expect(await runOnce()).toBe(0);
      expect(JSON.parse(requests[1].body)).toEqual({ metadata: { labels: { role: 'replica' } } });
      // A wrong password: no label, a non-zero round, nothing sent.
      fs.writeFileSync(path.join(dir, 'password'), 'wrong');
      expect(await runOnce()).toBe(1);
      expect(requests).toHaveLength(2);
    } finally {
      redis.kill('SIGKILL');
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
