// The primary-aware rollout (issue 11 part 5): the objects PostgresCluster writes, and
// assets/rollout.sh run as the Job runs it against a fake API server and fake Patroni REST APIs
// (a `curl` stub on PATH answering from a scripted cluster state).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ValidationError } from '../../src/core/errors';
import { PostgresCluster, PostgresClusterProps, PostgresRollout, ReplicationMode } from '../../src/postgres';
import { container, find, ofKind, synthValidated } from '../util/validate';

// Each fake curl call starts a Python interpreter: a full rollout takes seconds on a busy machine.
jest.setTimeout(120_000);

/** A container's env as the kubelet gives it (fieldRefs from `fields`; literal values). */
function kubeletEnv(c: any, fields: { [fieldPath: string]: string }): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) out[e.name] = fields[e.valueFrom.fieldRef.fieldPath];
    else if (e.value !== undefined) out[e.name] = e.value;
  }
  return out;
}

function synth(props: PostgresClusterProps = {}) {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', props);
  return { cluster, objs: synthValidated(c, { externalSecrets: [cluster.secretName] }) };
}

describe('objects', () => {
  test('Patroni mode defaults to OnDelete plus a rollout Job named after the pod template', () => {
    const { cluster, objs } = synth();
    const sts = find(objs, 'StatefulSet', 'orders-db');
    expect(sts.spec.updateStrategy).toEqual({ type: 'OnDelete' });
    const jobs = ofKind(objs, 'Job').filter((j) => j.metadata.labels['app.kubernetes.io/component'] === 'rollout');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].metadata.name).toMatch(/^orders-db-rollout-[0-9a-f]{8}$/);
    expect(cluster.rolloutJob!.name).toBe(jobs[0].metadata.name);
    const pod = jobs[0].spec.template.spec;
    expect(pod.serviceAccountName).toBe('orders-db-rollout');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.restartPolicy).toBe('Never');
    const run = container(jobs[0], 'rollout');
    expect(run.image).toBe(cluster.image);
    expect(run.command.slice(0, 2)).toEqual(['bash', '-ec']);
    expect(jobs[0].spec.activeDeadlineSeconds).toBe(600 * 6);
    // Least privilege: the cluster's own pods (get, delete) and its StatefulSet (get), nothing else.
    expect(find(objs, 'Role', 'orders-db-rollout').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], resourceNames: ['orders-db-0', 'orders-db-1', 'orders-db-2'], verbs: ['get', 'delete'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['orders-db'], verbs: ['get'] },
    ]);
    expect(find(objs, 'RoleBinding', 'orders-db-rollout').subjects).toEqual([{ kind: 'ServiceAccount', name: 'orders-db-rollout', namespace: 'db' }]);
    // The Job's pods reach Patroni's REST port, not PostgreSQL.
    const ingress = find(objs, 'NetworkPolicy', 'orders-db').spec.ingress;
    expect(ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'orders-db', 'app.kubernetes.io/component': 'rollout' } } }],
      ports: [{ port: 8008, protocol: 'TCP' }],
    });
  });

  test('a template change gives a new Job; the same props give the same name', () => {
    const name = (props: PostgresClusterProps) => synth(props).cluster.rolloutJob!.name;
    const base = name({});
    expect(name({ parameters: { work_mem: '8MB' } })).not.toBe(base);
    expect(name({})).toBe(base);
    // The Job's own spec is immutable too: its options are in the name.
    expect(name({ rollout: PostgresRollout.primaryAware({ maxLagBytes: 1 }) })).not.toBe(base);
  });

  test('options reach the Job; rollingUpdate() opts out; streaming mode keeps RollingUpdate', () => {
    const { objs } = synth({ rollout: PostgresRollout.primaryAware({ maxLagBytes: 1048576, timeout: Duration.minutes(2) }) });
    const job = ofKind(objs, 'Job').find((j) => j.metadata.labels['app.kubernetes.io/component'] === 'rollout');
    const env = Object.fromEntries(container(job, 'rollout').env.filter((e: any) => e.value).map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ STS_NAME: 'orders-db', MAX_LAG_BYTES: '1048576', TIMEOUT_SECONDS: '120', PATRONI_PORT: '8008' });
    for (const props of [{ rollout: PostgresRollout.rollingUpdate() }, { mode: ReplicationMode.STREAMING }]) {
      const r = synth(props);
      expect(r.cluster.rolloutJob).toBeUndefined();
      expect(find(r.objs, 'StatefulSet', 'orders-db').spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
      expect(ofKind(r.objs, 'Role').map((x) => x.metadata.name)).not.toContain('orders-db-rollout');
    }
  });

  test('a template change through `workload` after construction fails synth instead of never rolling out', () => {
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    const cluster = new PostgresCluster(c, 'orders-db');
    cluster.workload.addEnv('TZ', kplus.EnvValue.fromValue('UTC'));
    expect(() => synthValidated(c, { externalSecrets: [cluster.secretName] })).toThrow(/changed after the PostgresCluster was created/);
  });
});

describe('invalid props', () => {
  test.each<[string, PostgresClusterProps, string, string]>([
    ['primaryAware in streaming mode', { mode: ReplicationMode.STREAMING, rollout: PostgresRollout.primaryAware() }, 'PostgresRolloutNeedsPatroni',
      'rollout PostgresRollout.primaryAware() needs Patroni mode'],
    ['a negative lag', { rollout: PostgresRollout.primaryAware({ maxLagBytes: -1 }) }, 'PostgresRolloutLagInvalid',
      'rollout maxLagBytes must be a whole number of bytes ≥ 0, got -1'],
    ['a fractional lag', { rollout: PostgresRollout.primaryAware({ maxLagBytes: 1.5 }) }, 'PostgresRolloutLagInvalid',
      'got 1.5'],
    ['a timeout under a minute', { rollout: PostgresRollout.primaryAware({ timeout: Duration.seconds(30) }) }, 'PostgresRolloutTimeoutInvalid',
      'rollout timeout 30s is too short'],
    ['a timeout in fractions of a second', { rollout: PostgresRollout.primaryAware({ timeout: Duration.millis(90_500) }) }, 'PostgresRolloutTimeoutInvalid',
      'rollout timeout 90.5s'],
  ])('%s', (_, props, code, message) => {
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    let err: unknown;
    try {
      new PostgresCluster(c, 'orders-db', props);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(code);
    expect((err as Error).message).toContain(message);
  });
});

// ---------------------------------------------------------------- the script

/** A fake API server and Patroni: `curl` answering from state.json, logging deletes and switchovers. */
const FAKE_CURL = String.raw`#!/usr/bin/env python3
import json, os, re, sys
state_file, log_file = os.environ['FAKE_STATE'], os.environ['FAKE_LOG']
st = json.load(open(state_file))
args, method, fmt, out, data, url = sys.argv[1:], 'GET', None, None, None, None
i = 0
while i < len(args):
    a = args[i]
    if a == '-X': method = args[i + 1]; i += 2; continue
    if a == '-w': fmt = args[i + 1]; i += 2; continue
    if a == '-o': out = args[i + 1]; i += 2; continue
    if a == '--data': data = args[i + 1]; i += 2; continue
    if a in ('-H', '--cacert', '--max-time'): i += 2; continue
    if a.startswith('-'): i += 1; continue
    url = a; i += 1
def log(line):
    open(log_file, 'a').write(line + '\n')
def pod_json(name, p):
    return {'metadata': {'name': name, 'labels': {'controller-revision-hash': p['rev'], 'role': p['role'], 'cluster-name': 'orders-db'}},
            'status': {'podIP': p['ip'], 'conditions': [{'type': 'Ready', 'status': 'True'}]}}
code, body = 404, '{}'
m = re.match(r'https://kube(/.*)$', url or '')
if m:
    path = m.group(1)
    sts = st['sts']
    if path == '/apis/apps/v1/namespaces/db/statefulsets/orders-db':
        code, body = 200, json.dumps({'metadata': {'generation': sts['generation']}, 'spec': {'replicas': sts['replicas']},
                                      'status': {'observedGeneration': sts['observedGeneration'], 'updateRevision': sts['updateRevision']}})
    elif path.startswith('/api/v1/namespaces/db/pods?'):
        code, body = 200, json.dumps({'items': [pod_json(n, p) for n, p in sorted(st['pods'].items())]})
    else:
        pm = re.match(r'/api/v1/namespaces/db/pods/([^/?]+)$', path)
        if pm and pm.group(1) in st['pods']:
            name = pm.group(1)
            if method == 'DELETE':
                log('delete ' + name)
                st['pods'][name]['rev'] = sts['updateRevision']   # the controller recreates it from the update revision
            code, body = 200, json.dumps(pod_json(name, st['pods'][name]))
m = re.match(r'http://([^:/]+):8008(/.*)$', url or '')
if m:
    ip, path = m.groups()
    name, p = next(((n, p) for n, p in st['pods'].items() if p['ip'] == ip), (None, None))
    if p is None: code = 0
    elif path.startswith('/replica'): code = 200 if p['role'] == 'replica' and not p.get('lagging') else 503
    elif path == '/primary': code = 200 if p['role'] == 'primary' else 503
    elif path == '/synchronous': code = 200 if p['role'] == 'replica' and p.get('sync') else 503
    elif path == '/switchover' and method == 'POST':
        req = json.loads(data)
        log('switchover %s %s' % (req['leader'], req['candidate']))
        code = st.get('switchoverCode', 200)
        if code == 200:
            st['pods'][req['leader']]['role'], st['pods'][req['candidate']]['role'] = 'replica', 'primary'
json.dump(st, open(state_file, 'w'))
if code == 0:
    sys.stderr.write('curl: (7) Failed to connect\n'); sys.exit(7)
if out is None: sys.stdout.write(body)
if fmt is not None: sys.stdout.write(fmt.replace('\\n', '\n').replace('%{http_code}', '%03d' % code))
`;

interface Pod { rev: string; role: string; ip: string; lagging?: boolean; sync?: boolean }

class FakeCluster {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-rollout-'));
  constructor(pods: { [name: string]: Pod }, sts: Partial<{ generation: number; observedGeneration: number; switchoverCode: number }> = {}) {
    fs.mkdirSync(path.join(this.dir, 'bin'));
    fs.mkdirSync(path.join(this.dir, 'sa'));
    fs.writeFileSync(path.join(this.dir, 'sa/token'), 'token');
    fs.writeFileSync(path.join(this.dir, 'sa/ca.crt'), 'ca');
    fs.writeFileSync(path.join(this.dir, 'bin/curl'), FAKE_CURL, { mode: 0o755 });
    fs.writeFileSync(path.join(this.dir, 'bin/sleep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const { switchoverCode, ...gen } = sts;
    this.state = {
      sts: { generation: 2, observedGeneration: 2, updateRevision: 'orders-db-new', replicas: Object.keys(pods).length, ...gen },
      pods,
      ...(switchoverCode ? { switchoverCode } : {}),
    };
  }

  public get state(): any {
    return JSON.parse(fs.readFileSync(path.join(this.dir, 'state.json'), 'utf8'));
  }

  public set state(s: any) {
    fs.writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify(s));
  }

  public get log(): string[] {
    const f = path.join(this.dir, 'log');
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n') : [];
  }

  /** Run the Job's container command with its env as the kubelet gives it. */
  public run(job: any, extra: { [k: string]: string } = {}) {
    const c = container(job, 'rollout');
    const env = { ...kubeletEnv(c, { 'metadata.namespace': 'db' }), KUBE_API: 'https://kube', SA_DIR: path.join(this.dir, 'sa'), ...extra };
    const r = spawnSync(c.command[0], c.command.slice(1), {
      env: { PATH: `${path.join(this.dir, 'bin')}:${process.env.PATH}`, FAKE_STATE: path.join(this.dir, 'state.json'), FAKE_LOG: path.join(this.dir, 'log'), ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: r.status, stderr: r.stderr };
  }

  public cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function rolloutJob(props: PostgresClusterProps = {}) {
  return ofKind(synth(props).objs, 'Job').find((j) => j.metadata.labels['app.kubernetes.io/component'] === 'rollout');
}

describe('assets/rollout.sh against a fake cluster', () => {
  const job = rolloutJob();
  const old = (role: string, n: number): Pod => ({ rev: 'orders-db-old', role, ip: `10.0.0.${n}` });
  let fake: FakeCluster | undefined;
  afterEach(() => fake?.cleanup());

  test('replicas one at a time, one switchover to an updated replica, the old primary last; a re-run does nothing', () => {
    fake = new FakeCluster({ 'orders-db-0': old('primary', 0), 'orders-db-1': old('replica', 1), 'orders-db-2': old('replica', 2) });
    const r = fake.run(job);
    expect(r.stderr).toContain('all pods of orders-db run revision orders-db-new');
    expect(r.status).toBe(0);
    expect(fake.log).toEqual(['delete orders-db-1', 'delete orders-db-2', 'switchover orders-db-0 orders-db-1', 'delete orders-db-0']);
    expect(Object.values(fake.state.pods).map((p: any) => p.rev)).toEqual(['orders-db-new', 'orders-db-new', 'orders-db-new']);
    const again = fake.run(job);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(fake.log).toHaveLength(4);
  });

  test('a re-run after a partial rollout skips updated pods and still switches over once', () => {
    fake = new FakeCluster({ 'orders-db-0': { ...old('replica', 0), rev: 'orders-db-new' }, 'orders-db-1': old('replica', 1), 'orders-db-2': old('primary', 2) });
    expect(fake.run(job).status).toBe(0);
    expect(fake.log).toEqual(['delete orders-db-1', 'switchover orders-db-2 orders-db-0', 'delete orders-db-2']);
  });

  test('a run that stopped after its switchover restarts the old primary as a replica, with no second switchover', () => {
    fake = new FakeCluster({ 'orders-db-0': old('replica', 0), 'orders-db-1': { ...old('primary', 1), rev: 'orders-db-new' }, 'orders-db-2': { ...old('replica', 2), rev: 'orders-db-new' } });
    expect(fake.run(job).status).toBe(0);
    expect(fake.log).toEqual(['delete orders-db-0']);
  });

  test('a restarted replica that does not catch up stops the rollout before the next pod', () => {
    fake = new FakeCluster({ 'orders-db-0': old('primary', 0), 'orders-db-1': { ...old('replica', 1), lagging: true }, 'orders-db-2': old('replica', 2) });
    const r = fake.run(job, { TIMEOUT_SECONDS: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('timed out after 0s waiting for orders-db-1 to come back on orders-db-new as a streaming replica');
    expect(fake.log).toEqual(['delete orders-db-1']);
  });

  test('synchronous mode: the switchover goes to the synchronous standby', () => {
    fake = new FakeCluster({ 'orders-db-0': old('primary', 0), 'orders-db-1': old('replica', 1), 'orders-db-2': { ...old('replica', 2), sync: true } });
    expect(fake.run(job).status).toBe(0);
    expect(fake.log).toEqual(['delete orders-db-1', 'delete orders-db-2', 'switchover orders-db-0 orders-db-2', 'delete orders-db-0']);
  });

  test('one instance: a plain restart', () => {
    fake = new FakeCluster({ 'orders-db-0': old('primary', 0) });
    expect(fake.run(rolloutJob({ instances: 1 })).status).toBe(0);
    expect(fake.log).toEqual(['delete orders-db-0']);
  });

  test('a refused switchover fails the run and leaves the primary alone', () => {
    fake = new FakeCluster({ 'orders-db-0': old('primary', 0), 'orders-db-1': old('replica', 1), 'orders-db-2': old('replica', 2) }, { switchoverCode: 412 });
    const r = fake.run(job);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('answered HTTP 412');
    expect(fake.log).toEqual(['delete orders-db-1', 'delete orders-db-2', 'switchover orders-db-0 orders-db-1']);
  });

  test('waits for the controller to observe the new spec, and times out', () => {
    fake = new FakeCluster({ 'orders-db-0': old('primary', 0) }, { generation: 3, observedGeneration: 2 });
    const r = fake.run(job, { TIMEOUT_SECONDS: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('timed out after 0s waiting for the StatefulSet controller to observe statefulset/orders-db');
    expect(fake.log).toEqual([]);
  });
});
