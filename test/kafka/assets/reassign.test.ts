// assets/reassign.sh (KafkaClusterProps.rebalance, KafkaCluster.drainBrokers), run as synthesized
// against a fake kafka-topics.sh and kafka-reassign-partitions.sh: plan, throttled execute, verify.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Stubs } from './stubs';
import { KafkaCluster } from '../../../src';
import { envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '../../../src/kafka/assets/reassign.sh');

/** 3 controllers and 4 brokers (ids 100-103); `drain` ids emptied by drainBrokers(). */
function jobContainer(drain?: number[]): any {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { controllers: { replicas: 3 }, replicas: 4, rebalance: { throttleMebibytesPerSecond: 20 } });
  if (drain) kafka.drainBrokers(drain);
  const objs = synthValidated(c);
  return find(objs, 'Job', kafka.rebalanceJob!.metadata.name!).spec.template.spec.containers[0];
}

function runJob(stubs: Stubs, ctr: any) {
  const env: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(envOf(ctr))) if (typeof v === 'string') env[k] = v.replace('$(POD_NAMESPACE)', 'data');
  return stubs.run(ctr.command, { ...env, WAIT_SECONDS: '0', TRIES: '5' });
}

/** kafka-topics.sh --describe lines: one per partition of `orders`, with these replica lists. */
function describe(...replicas: string[]): string {
  return replicas.map((r, i) => `\tTopic: orders\tPartition: ${i}\tLeader: ${r.split(',')[0]}\tReplicas: ${r}\tIsr: ${r}\tElr: \tLastKnownElr: \n`).join('');
}

const PLAN = '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[101,103,100],"log_dirs":["any","any","any"]}]}';
let stubs: Stubs;
beforeEach(() => {
  stubs = new Stubs();
  stubs.add('kafka-topics.sh', `case " $* " in
    *" --describe "*) cat "$TMPDIR/state-describe" ;;
    *" --list "*) printf '__consumer_offsets\\norders\\n' ;;
  esac`);
  // --list reports a reassignment while state-busy counts down; --generate fails while state-refuse counts down
  // (a new broker not registered yet); --verify reports progress while state-pending counts down.
  stubs.add('kafka-reassign-partitions.sh', `dec() { n=$(cat "$TMPDIR/$1" 2>/dev/null || echo 0); [ "$n" -gt 0 ] && echo $((n - 1)) > "$TMPDIR/$1"; }
  case " $* " in
    *" --list "*) if dec state-busy; then printf 'Current partition reassignments:\\norders-0: replicas: 100,101,102. adding: 103. removing: .\\n'; else echo 'No partition reassignments found.'; fi ;;
    *" --generate "*) if dec state-refuse; then echo 'Error: Broker 103 is not registered' >&2; exit 1; fi
      cp "$7" "$TMPDIR/state-topics-seen"
      printf 'Current partition replica assignment\\n{"version":1,"partitions":[]}\\n\\nProposed partition reassignment configuration\\n%s\\n' '${PLAN}' ;;
    *" --execute "*) cp "$7" "$TMPDIR/state-plan-seen"; echo 'Successfully started partition reassignment for orders-0' ;;
    *" --verify "*) if dec state-vfail; then echo 'org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment' >&2; exit 1; fi
      if dec state-pending; then echo 'Reassignment of partition orders-0 is still in progress.'
      else printf 'Reassignment of partition orders-0 is completed.\\nClearing broker-level throttles on brokers 100,101,102,103\\nClearing topic-level throttles on topic orders\\n'; fi ;;
  esac`);
});
afterEach(() => stubs.cleanup());

const ops = () => stubs.calls('kafka-reassign-partitions.sh').map((c) => c.slice(4));

test('bash -n and shellcheck find nothing', () => {
  expect(spawnSync('bash', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', [ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
});

test('scale-out: waits for a running reassignment and for the new broker, then generate over every broker, execute throttled, verify until complete', () => {
  const ctr = jobContainer();
  expect(envOf(ctr)).toMatchObject({ BROKERS: '100,101,102,103', DRAIN: '', THROTTLE: String(20 * 1024 * 1024) });
  stubs.write('state-describe', describe('100,101,102', '101,102,100', '102,100,101'));
  stubs.write('state-busy', '1');
  stubs.write('state-refuse', '1');
  stubs.write('state-pending', '2');
  const r = runJob(stubs, ctr);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const d = stubs.dir;
  expect(ops()).toEqual([
    ['--list'], ['--list'],
    ['--generate', '--topics-to-move-json-file', `${d}/topics.json`, '--broker-list', '100,101,102,103'],
    ['--generate', '--topics-to-move-json-file', `${d}/topics.json`, '--broker-list', '100,101,102,103'],
    ['--execute', '--reassignment-json-file', `${d}/plan.json`, '--throttle', '20971520'],
    ['--verify', '--reassignment-json-file', `${d}/plan.json`],
    ['--verify', '--reassignment-json-file', `${d}/plan.json`],
    ['--verify', '--reassignment-json-file', `${d}/plan.json`],
  ]);
  expect(stubs.calls('kafka-reassign-partitions.sh')[0].slice(0, 2)).toEqual(['--bootstrap-server', 'kafka-broker-100.kafka-broker-headless.data.svc.cluster.local:9094']);
  expect(JSON.parse(stubs.file('state-topics-seen'))).toEqual({ version: 1, topics: [{ topic: '__consumer_offsets' }, { topic: 'orders' }] });
  expect(stubs.file('state-plan-seen').trim()).toBe(PLAN);
  expect(r.stdout).toContain('brokers without replicas: 103');
  expect(r.stdout).toContain('complete; throttle removed');
  expect(r.stdout).toContain('partitions spread over brokers 100,101,102,103');
});

test('a re-run once every broker holds replicas is a no-op: no plan, no throttle', () => {
  stubs.write('state-describe', describe('100,101,102', '101,102,103', '103,100,101'));
  const r = runJob(stubs, jobContainer());
  expect(r.status).toBe(0);
  expect(ops()).toEqual([['--list']]);
  expect(r.stdout).toContain('nothing to do');
});

test('drain: plans over the brokers that stay, until no replica is on a drained broker', () => {
  const ctr = jobContainer([103]);
  expect(envOf(ctr)).toMatchObject({ BROKERS: '100,101,102,103', DRAIN: '103' });
  stubs.write('state-describe', describe('100,101,102', '101,102,103', '103,100,101'));
  const r = runJob(stubs, ctr);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(ops().map((o) => o.slice(0, 5))).toEqual([
    ['--list'],
    ['--generate', '--topics-to-move-json-file', `${stubs.dir}/topics.json`, '--broker-list', '100,101,102'],
    ['--execute', '--reassignment-json-file', `${stubs.dir}/plan.json`, '--throttle', '20971520'],
    ['--verify', '--reassignment-json-file', `${stubs.dir}/plan.json`],
  ]);
  expect(r.stdout).toContain('drained brokers still holding replicas: 103');

  // Run again once drained: nothing on 103 and every remaining broker has replicas.
  stubs.write('state-describe', describe('100,101,102', '101,102,100', '102,100,101'));
  const again = runJob(stubs, ctr);
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('nothing to do');
});

test('a cluster with no partitions: nothing to do', () => {
  stubs.write('state-describe', '');
  const r = runJob(stubs, jobContainer());
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('no partitions: nothing to do');
});

test('a reassignment that never completes fails the run after TRIES checks', () => {
  stubs.write('state-describe', describe('100,101,102'));
  stubs.write('state-pending', '99');
  const r = runJob(stubs, jobContainer());
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('reassignment not complete after 5 checks');
});

test('a --verify that cannot reach the cluster is retried, not taken for done', () => {
  stubs.write('state-describe', describe('100,101,102'));
  stubs.write('state-vfail', '2');
  const r = runJob(stubs, jobContainer());
  expect(r.status).toBe(0);
  expect(ops().filter((o) => o[0] === '--verify')).toHaveLength(3);
});

test('a container restarted in the same pod verifies the plan it executed first (its throttle is removed), then converges', () => {
  stubs.write('plan.json', `${PLAN}\n`);
  stubs.write('state-pending', '1');
  stubs.write('state-describe', describe('100,101,102', '101,102,103', '103,100,101'));
  const r = runJob(stubs, jobContainer());
  expect(r.status).toBe(0);
  expect(ops()).toEqual([
    ['--verify', '--reassignment-json-file', `${stubs.dir}/plan.json`],
    ['--verify', '--reassignment-json-file', `${stubs.dir}/plan.json`],
    ['--list'],
  ]);
  expect(r.stdout).toContain('an earlier attempt executed');
  expect(r.stdout).toContain('nothing to do');
});
