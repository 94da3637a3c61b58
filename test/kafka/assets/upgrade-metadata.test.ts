// assets/upgrade-metadata.sh (KafkaClusterProps.finalizeUpgrade), run as synthesized against a fake kafka-features.sh.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Stubs } from './stubs';
import { KafkaCluster, KafkaVersion } from '../../../src';
import { envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '../../../src/kafka/assets/upgrade-metadata.sh');

function jobContainer(finalizeUpgrade = true): any {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const kafka = new KafkaCluster(c, 'kafka', { version: KafkaVersion.V4_1_2, finalizeUpgrade });
  const objs = synthValidated(c);
  if (!finalizeUpgrade) return kafka.metadataJob;
  return find(objs, 'Job', kafka.metadataJob!.metadata.name!).spec.template.spec.containers[0];
}

function runJob(stubs: Stubs, ctr: any) {
  const env: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(envOf(ctr))) if (typeof v === 'string') env[k] = v.replace('$(POD_NAMESPACE)', 'data');
  return stubs.run(ctr.command, { ...env, WAIT_SECONDS: '0', TRIES: '5' });
}

let stubs: Stubs;
beforeEach(() => {
  stubs = new Stubs();
  // describe prints the finalized level from <dir>/level; upgrade fails while <dir>/refuse holds a positive count.
  stubs.add('kafka-features.sh', `case " $* " in
    *" describe "*) printf 'Feature: metadata.version\\tSupportedMinVersion: 3.3-IV3\\tSupportedMaxVersion: 4.1-IV1\\tFinalizedVersionLevel: %s\\tEpoch: 5\\n' "$(cat "$TMPDIR/level")" ;;
    *" upgrade "*) r=$(cat "$TMPDIR/refuse" 2>/dev/null || echo 0); if [ "$r" -gt 0 ]; then echo $((r - 1)) > "$TMPDIR/refuse"; echo "Invalid update version 4.1 for feature metadata.version: not supported by node 101" >&2; exit 1; fi; echo "metadata.version was upgraded to 26." ;;
  esac`);
});
afterEach(() => stubs.cleanup());

test('bash -n and shellcheck find nothing; off by default', () => {
  expect(spawnSync('bash', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', [ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
  expect(jobContainer(false)).toBeUndefined();
});

test('raises metadata.version with --metadata (never --release-version), retrying while nodes still run the old release', () => {
  const ctr = jobContainer();
  expect(envOf(ctr).METADATA).toBe('4.1');
  stubs.write('level', '4.0-IV3');
  stubs.write('refuse', '2');
  const r = runJob(stubs, ctr);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const calls = stubs.calls('kafka-features.sh').map((c) => c.slice(4));
  expect(calls).toEqual([['describe'], ['upgrade', '--metadata', '4.1'], ['describe'], ['upgrade', '--metadata', '4.1'], ['describe'], ['upgrade', '--metadata', '4.1']]);
  expect(stubs.calls('kafka-features.sh')[0].slice(0, 2)).toEqual(['--bootstrap-server', 'kafka-0.kafka-headless.data.svc.cluster.local:9094']);
  expect(r.stdout).toContain('metadata.version: 4.0-IV3 -> 4.1');
});

test('already at the level: nothing to do', () => {
  stubs.write('level', '4.1-IV1');
  const r = runJob(stubs, jobContainer());
  expect(r.status).toBe(0);
  expect(stubs.calls('kafka-features.sh').map((c) => c[4])).toEqual(['describe']);
});

test('a finalized level above the release is a downgrade: refused with one line, nothing changed', () => {
  stubs.write('level', '4.2-IV0');
  const r = runJob(stubs, jobContainer());
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('metadata.version is 4.2-IV0, above 4.1: Kafka cannot lower it');
  expect(stubs.calls('kafka-features.sh').map((c) => c[4])).toEqual(['describe']);
});
