// The roller Job (assets/roll-nodes.py driving, assets/roll-helper.sh answering), run as synthesized:
// the driver against a fake API server (fake-kube-api.py), the helper in the background against
// fake kafka-topics.sh / kafka-metadata-quorum.sh. Asserts the order of restarts and the min-ISR refusal.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Stubs } from './stubs';
import { KafkaCluster, KafkaRollout } from '../../../src';
import { envOf, find, synthValidated } from '../../util/validate';

const HELPER = path.join(__dirname, '../../../src/kafka/assets/roll-helper.sh');
const DRIVER = path.join(__dirname, '../../../src/kafka/assets/roll-nodes.py');
const FAKE_API = path.join(__dirname, 'fake-kube-api.py');

/** The roller Job's pod as synthesized (dedicated controllers 0-2, brokers 100-102). */
function rollerPod(): any {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {} });
  const objs = synthValidated(c);
  const job = find(objs, 'Job', kafka.rollerJob!.metadata.name!);
  return { job, objs };
}

/** Pods of a StatefulSet (`sts` as stsOf gives it) on revision `rev`, Ready. */
const podsOf = (sts: any, ids: number[], rev: string) => ids.map((i) => ({
  metadata: {
    name: `${sts.metadata.name}-${i}`,
    labels: { ...sts.spec.selector.matchLabels, 'controller-revision-hash': rev, 'apps.kubernetes.io/pod-index': String(i) },
  },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
}));
const stsOf = (objs: any[], name: string) => ({
  metadata: { name, generation: 2 },
  spec: { selector: find(objs, 'StatefulSet', name).spec.selector, replicas: find(objs, 'StatefulSet', name).spec.replicas },
  status: { observedGeneration: 2, updateRevision: `${name}-new` },
});

let stubs: Stubs;
let procs: ChildProcess[];
beforeEach(() => {
  stubs = new Stubs();
  procs = [];
  stubs.add('kafka-metadata-quorum.sh', "printf 'ClusterId:              abc\\nLeaderId:               1\\nLeaderEpoch:            7\\n'");
  // --at-min-isr-partitions prints <dir>/at-min-isr (partitions whose ISR is exactly min ISR).
  stubs.add('kafka-topics.sh', `case " $* " in *" --at-min-isr-partitions "*) [ ! -f "${'$'}TMPDIR/at-min-isr" ] || cat "${'$'}TMPDIR/at-min-isr" ;; esac`);
});
afterEach(() => {
  for (const p of procs) p.kill('SIGKILL');
  stubs.cleanup();
});

function start(state: any, pod: any): { run: () => { status: number | null; stdout: string; stderr: string }; log: () => string[] } {
  const statePath = stubs.write('state.json', JSON.stringify(state));
  procs.push(spawn('python3', [FAKE_API, statePath], { stdio: 'ignore' }));
  for (let i = 0; i < 100 && !fs.existsSync(`${statePath}.port`); i++) spawnSync('sleep', ['0.05']);
  const port = fs.readFileSync(`${statePath}.port`, 'utf8');
  const work = path.join(stubs.dir, 'work');
  fs.mkdirSync(work);
  const sa = path.join(stubs.dir, 'sa');
  stubs.write('sa/namespace', 'data');
  stubs.write('sa/token', 'test-token');
  const [driver, helper] = pod.spec.template.spec.containers;
  const helperEnv: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(envOf(helper))) if (typeof v === 'string') helperEnv[k] = v.replace('$(POD_NAMESPACE)', 'data');
  procs.push(spawn(helper.command[0], [...helper.command.slice(1)], {
    env: { PATH: `${stubs.dir}:${process.env.PATH}`, TMPDIR: stubs.dir, ...helperEnv, WORK_DIR: work },
    stdio: 'ignore',
  }));
  const driverEnv = envOf(driver) as { [k: string]: string };
  return {
    run: () => stubs.run(driver.command, { ...driverEnv, WORK_DIR: work, SA_DIR: sa, KUBE_API: `http://127.0.0.1:${port}`, POLL: '0.05', STEP_TIMEOUT: '2' }),
    log: () => fs.readFileSync(`${statePath}.log`, 'utf8').split('\n').filter((l) => l.startsWith('DELETE')),
  };
}

test('bash -n, shellcheck and a Python parse find nothing', () => {
  expect(spawnSync('bash', ['-n', HELPER]).status).toBe(0);
  const sc = spawnSync('shellcheck', [HELPER], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
  expect(spawnSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', DRIVER]).status).toBe(0);
});

test('the Job: driver on a python image with the ServiceAccount, helper on the cluster image; RBAC is pods get/list/delete and the pools\' StatefulSets', () => {
  const { job, objs } = rollerPod();
  const spec = job.spec.template.spec;
  expect(job.metadata.name).toMatch(/^kafka-roll-[0-9a-f]{8}$/);
  expect(spec.serviceAccountName).toBe('kafka-roller');
  expect(spec.restartPolicy).toBe('Never');
  expect(spec.containers.map((c: any) => [c.name, c.image])).toEqual([['roll', 'docker.io/library/python:3.13.7-alpine3.22'], ['kafka', 'docker.io/apache/kafka:4.1.2']]);
  expect(find(objs, 'Role', 'kafka-roller').rules).toEqual([
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
    { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['kafka-controller', 'kafka-broker'], verbs: ['get'] },
  ]);
  for (const sts of ['kafka-controller', 'kafka-broker']) expect(find(objs, 'StatefulSet', sts).spec.updateStrategy).toEqual({ type: 'OnDelete' });
});

test('restarts brokers first, then controllers, the active controller (LeaderId 1) last, each back on the new revision', () => {
  const { job, objs } = rollerPod();
  const [controller, broker] = [stsOf(objs, 'kafka-controller'), stsOf(objs, 'kafka-broker')];
  const state = {
    statefulsets: { 'kafka-controller': controller, 'kafka-broker': broker },
    pods: [...podsOf(controller, [0, 1, 2], 'old'), ...podsOf(broker, [100, 101, 102], 'old')],
  };
  const { run, log } = start(state, job);
  const r = run();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(log().map((l) => l.split('/').pop())).toEqual(['kafka-broker-100', 'kafka-broker-101', 'kafka-broker-102', 'kafka-controller-0', 'kafka-controller-2', 'kafka-controller-1']);
  expect(r.stdout).toContain('all pods on their update revision; 6 restarted');
  // Brokers were checked against min ISR before each restart; the quorum leader asked for controllers.
  expect(stubs.calls('kafka-topics.sh').filter((c) => c.includes('--at-min-isr-partitions'))).toHaveLength(3);
  expect(stubs.calls('kafka-metadata-quorum.sh').length).toBeGreaterThanOrEqual(1);

  // Idempotent: a second run finds nothing to do and asks Kafka nothing.
  const again = run();
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('0 restarted');
  expect(log()).toHaveLength(6);
});

test('waits while a pod of the cluster is missing (being recreated), and fails after the step timeout without deleting', () => {
  const { job, objs } = rollerPod();
  const [controller, broker] = [stsOf(objs, 'kafka-controller'), stsOf(objs, 'kafka-broker')];
  const state = {
    statefulsets: { 'kafka-controller': controller, 'kafka-broker': broker },
    pods: [...podsOf(controller, [0, 1, 2], 'kafka-controller-new'), ...podsOf(broker, [100, 101], 'old')],
  };
  const { run, log } = start(state, job);
  const r = run();
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('not Ready: kafka-broker (2 of 3 pods)');
  expect(log()).toEqual([]);
});

test('refuses to restart a broker in the ISR of a partition at min ISR: fails after the step timeout, deleting nothing', () => {
  const { job, objs } = rollerPod();
  const [controller, broker] = [stsOf(objs, 'kafka-controller'), stsOf(objs, 'kafka-broker')];
  // Controllers are up to date; broker 100 is not.
  const state = {
    statefulsets: { 'kafka-controller': controller, 'kafka-broker': broker },
    pods: [...podsOf(controller, [0, 1, 2], 'kafka-controller-new'), ...podsOf(broker, [100], 'old'), ...podsOf(broker, [101, 102], 'kafka-broker-new')],
  };
  stubs.write('at-min-isr', '\tTopic: orders\tPartition: 3\tLeader: 101\tReplicas: 100,101,102\tIsr: 101,100\tElr: \tLastKnownElr: \n');
  const { run, log } = start(state, job);
  const r = run();
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('refusing to go on after 2 s: broker 100 is in the ISR of 1 partition(s) at or under min.insync.replicas: orders-3');
  expect(r.stdout).toContain('waiting (min ISR)');
  expect(log()).toEqual([]);
});

test('KafkaRollout.rollingUpdate() opts out: RollingUpdate StatefulSets and no roller objects', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {}, rollout: KafkaRollout.rollingUpdate() });
  const objs = synthValidated(c);
  expect(kafka.rollerJob).toBeUndefined();
  for (const sts of ['kafka-controller', 'kafka-broker']) expect(find(objs, 'StatefulSet', sts).spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
  expect(objs.filter((o) => o.metadata.name === 'kafka-roller')).toEqual([]);
});

test('a pool added later is in the roller: its RBAC, its POOLS entry and a new Job name', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { controllers: {} });
  const before = kafka.rollerJob!.metadata.name;
  kafka.addNodePool('big', { replicas: 3 });
  const objs = synthValidated(c);
  expect(kafka.rollerJob!.metadata.name).not.toBe(before);
  expect(objs.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('kafka-roll-'))).toHaveLength(1);
  expect(find(objs, 'Role', 'kafka-roller').rules[1].resourceNames).toEqual(['kafka-controller', 'kafka-broker', 'kafka-big']);
  expect(JSON.parse(envOf(find(objs, 'Job', kafka.rollerJob!.metadata.name!).spec.template.spec.containers[0]).POOLS as string).map((p: any) => p.name))
    .toEqual(['kafka-controller', 'kafka-broker', 'kafka-big']);
});
