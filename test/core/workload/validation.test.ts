/**
 * Values the API server (or the kubelet) would reject, and silent data hazards, caught at synth
 * (safety issue, items A3, C and F). Each row: props → the error code and a part of the message.
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors, HealthProbe, StatefulWorkload, StatefulWorkloadProps, VolumeMode, Warnings } from '../../../src';
import { find, synthValidated } from '../../util/validate';

const IMAGE = 'docker.io/library/redis:7.4.1';
const base: StatefulWorkloadProps = { image: IMAGE, ports: [{ name: 'redis', port: 6379 }] };

function error(props: Partial<StatefulWorkloadProps>, then?: (w: StatefulWorkload) => void): { code?: string; message: string } {
  try {
    const w = new StatefulWorkload(new Chart(Testing.app(), 'c'), 'cache', { ...base, ...props } as StatefulWorkloadProps);
    then?.(w);
  } catch (e: any) {
    if (!Errors.isValidationError(e)) throw e;
    return { code: Errors.codeOf(e), message: e.message };
  }
  return { message: 'no error' };
}

test.each<[string, Partial<StatefulWorkloadProps>, string, string]>([
  ['scratch path shadowing the data volume', { dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1) } }, scratchPaths: ['/data/'] },
    'WorkloadMountPathClash', "volumes 'data' and 'scratch-data' are both mounted at /data"],
  ['scratch inside the data volume', { dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1) } }, scratchPaths: ['/data/tmp'] },
    'WorkloadMountShadowsData', "volume 'scratch-data-tmp' at /data/tmp is mounted inside volume 'data' at /data"],
  ['scratch above the data volume', { dataVolumes: { data: { mountPath: '/var/lib/x', size: Size.gibibytes(1) } }, scratchPaths: ['/var'] },
    'WorkloadMountShadowsData', "volume 'data' at /var/lib/x is mounted inside volume 'scratch-var' at /var"],
  ['relative scratch path', { scratchPaths: ['tmp'] }, 'WorkloadMountPathInvalid', "scratch path 'tmp' is not an absolute path"],
  ['empty mount path', { dataVolumes: { data: { mountPath: '', size: Size.gibibytes(1) } } }, 'WorkloadMountPathInvalid', "mountPath '' is not an absolute path"],
  ['mount path with ..', { dataVolumes: { data: { mountPath: '/a/../b', size: Size.gibibytes(1) } } }, 'WorkloadMountPathInvalid', "contains '..'"],
  ['subPath with ..', { dataVolumes: { data: { mountPath: '/d', size: Size.gibibytes(1), subPath: '../x' } } }, 'WorkloadSubPathInvalid', "must not contain '..'"],
  ['absolute subPath', { dataVolumes: { data: { mountPath: '/d', size: Size.gibibytes(1), subPath: '/x' } } }, 'WorkloadSubPathInvalid', 'must be a relative path'],
  ['block device at a mount path', {
    scratchPaths: ['/dev/xvda'],
    dataVolumes: { raw: { mountPath: '/dev/xvda', size: Size.gibibytes(1), volumeMode: VolumeMode.BLOCK } },
  }, 'WorkloadDevicePathClash', "clashes with the mount of volume 'scratch-dev-xvda' at /dev/xvda"],
  ['infinite size', { dataVolumes: { data: { mountPath: '/d', size: Size.gibibytes(Infinity) } } }, 'WorkloadVolumeSizeInvalid', 'give a size from 1Mi to 1Pi'],
  ['replicas above the bound', { replicas: 100_000_000 }, 'WorkloadReplicasTooMany', 'replicas 100000000 is above 1000'],
  ['ordinals beyond int32', { ordinalsStart: 2 ** 32 }, 'WorkloadOrdinalsStartInvalid', 'ordinalsStart + replicas must be a whole number from 0 to 2147483647'],
  ['uid beyond int32', { security: { user: 2 ** 31 } }, 'WorkloadSecurityIdInvalid', 'security.user must be a whole number from 0 to 2147483647'],
  ['grace period in millis', { terminationGracePeriod: Duration.millis(1500) }, 'WorkloadGracePeriodInvalid', 'terminationGracePeriod must be a whole number of seconds'],
  ['minReady of 30000 days', { minReady: Duration.days(30000) }, 'WorkloadMinReadyInvalid', 'minReady must be a whole number of seconds from 0 to 2147483647'],
  ['probe period below a second', { readiness: HealthProbe.tcpSocket(6379, { period: Duration.millis(500) }) }, 'WorkloadProbeTimingInvalid', "the readiness probe's period must be a whole number of seconds from 1"],
  ['fractional probe timeout', { liveness: HealthProbe.tcpSocket(6379, { timeout: Duration.millis(1500) }) }, 'WorkloadProbeTimingInvalid', "the liveness probe's timeout"],
  ['probe port 0', { readiness: HealthProbe.tcpSocket(0) }, 'WorkloadProbePortInvalid', "the readiness probe's port 0 is not a port number"],
  ['empty exec probe', { readiness: HealthProbe.exec([]) }, 'WorkloadProbeCommandEmpty', "the readiness probe's exec command is empty"],
  ['negative failure threshold', { readiness: HealthProbe.tcpSocket(6379, { failureThreshold: -1 }) }, 'WorkloadProbeThresholdInvalid', 'failureThreshold must be a whole number from 1'],
  ['memory request above limit', { resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } }, 'WorkloadResourcesInvalid', 'memory request 2Gi is above its limit 1Gi'],
  ['cpu request above limit', { resources: { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.millis(500) } } }, 'WorkloadResourcesInvalid', 'cpu request 2 is above its limit 500m'],
  ['cpu NaN', { resources: { cpu: { request: kplus.Cpu.units(NaN) } } }, 'WorkloadResourcesInvalid', 'is not a positive CPU quantity'],
  ['node selector value', { placement: { nodeSelector: { disk: 'fast ssd' } } }, 'WorkloadNodeSelectorInvalid', "placement.nodeSelector 'disk' has value 'fast ssd'"],
  ['toleration with empty key and a value', { placement: { tolerations: [{ key: '', value: 'x' }] } }, 'WorkloadTolerationInvalid', 'a toleration with an empty key'],
  ['toleration key', { placement: { tolerations: [{ key: 'bad key' }] } }, 'WorkloadTolerationInvalid', "key 'bad key' is not a taint key"],
  ['dedicated nodes value > 63', { placement: { dedicatedNodes: { key: 'pool', value: 'x'.repeat(64) } } }, 'WorkloadDedicatedNodesInvalid', "placement.dedicatedNodes 'pool' has value"],
  ['priority class', { placement: { priorityClassName: 'High Priority' } }, 'WorkloadPriorityClassInvalid', "priorityClassName 'High Priority' is not a PriorityClass name"],
  ['pod annotation key', { podAnnotations: { 'bad key': 'x' } }, 'WorkloadAnnotationInvalid', "podAnnotations key 'bad key' is not an annotation key"],
  ['pod annotations over 256 KiB', { podAnnotations: { big: 'x'.repeat(300 * 1024) } }, 'WorkloadAnnotationInvalid', 'the API server allows 262144'],
  ['port name with --', { ports: [{ name: 'my--port', port: 80 }] }, 'WorkloadPortNameInvalid', "port name 'my--port' must be an IANA service name"],
  ['appName that is not a container name', { appName: 'Redis' }, 'NameNotDns1123Label', "container name (defaults to appName; set containerName) 'Redis'"],
])('%s', (_what, props, code, message) => {
  const e = error(props);
  expect(e.code).toBe(code);
  expect(e.message).toContain(message);
});

test.each<[string, (w: StatefulWorkload) => void, string, string]>([
  ['sidecar with an empty image', (w) => w.addSidecar({ name: 'x', image: '' }), 'WorkloadImageInvalid', "container 'x': image '' is not an image reference"],
  ['sidecar port 0', (w) => w.addSidecar({ name: 'x', image: IMAGE, ports: [{ name: 'm', port: 0 }] }), 'WorkloadPortNumberInvalid', "port 'm' has number 0"],
  ['sidecar env name', (w) => w.addSidecar({ name: 'x', image: IMAGE, env: { '1BAD': kplus.EnvValue.fromValue('') } }), 'WorkloadEnvNameInvalid', "env var name '1BAD'"],
  ['init container request above limit', (w) => w.addInitContainer({ name: 'i', image: IMAGE, resources: { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(32) } } }),
    'WorkloadResourcesInvalid', "container 'i': memory request 64Mi is above its limit 32Mi"],
  ['service selector value', (w) => w.services.add('ro', { selector: { role: 'a b' } }), 'WorkloadServiceInvalid', "Service 'ro' selector 'role' has value 'a b'"],
  ['service annotation key', (w) => w.services.add('ro', { annotations: { '/x': 'y' } }), 'WorkloadServiceInvalid', "Service 'ro' annotations key '/x'"],
  ['addPodAnnotation key', (w) => w.addPodAnnotation('a b', 'c'), 'WorkloadAnnotationInvalid', "pod annotation key 'a b'"],
  ['addMount of a relative path', (w) => w.addMount({ volume: 'x', mountPath: 'x' }), 'WorkloadMountPathInvalid', "mount of volume 'x' at 'x' is not an absolute path"],
  ['service named like the headless one', (w) => w.services.add('headless'), 'DuplicateObject', "Service 'cache-headless' (in the namespace it is applied to) is emitted twice"],
])('%s', (_what, then, code, message) => {
  const e = error({}, then);
  expect(e.code).toBe(code);
  expect(e.message).toContain(message);
});

test('two workloads of one name in one namespace (two charts) are a DuplicateObject naming both paths', () => {
  const app = Testing.app();
  new StatefulWorkload(new Chart(app, 'a', { namespace: 'shop' }), 'cache', base);
  let caught: any;
  try {
    new StatefulWorkload(new Chart(app, 'b', { namespace: 'shop' }), 'other', { ...base, name: 'cache' });
  } catch (e) { caught = e; }
  expect(Errors.codeOf(caught)).toBe('DuplicateObject');
  expect(caught.message).toContain("ServiceAccount 'cache' in namespace 'shop' is emitted twice: by a/cache/ServiceAccount and by b/other/ServiceAccount");
  // Other namespaces are other objects.
  new StatefulWorkload(new Chart(app, 'c', { namespace: 'billing' }), 'cache', base);
});

test('mount paths are written in normal form; a long scratch path gets a valid, stable volume name', () => {
  const chart = new Chart(Testing.app(), 'c');
  const long = '/var/cache/' + 'very-long-directory-name/'.repeat(3);
  new StatefulWorkload(chart, 'cache', { ...base, dataVolumes: { data: { mountPath: '/data//', size: Size.gibibytes(1) } }, scratchPaths: ['/tmp/./x/', long] });
  const sts = find(synthValidated(chart), 'StatefulSet', 'cache');
  const mounts = sts.spec.template.spec.containers[0].volumeMounts;
  expect(mounts.map((m: any) => m.mountPath)).toEqual(['/data', '/tmp/x', long.replace(/\/$/, '')]);
  const names = sts.spec.template.spec.volumes.map((v: any) => v.name);
  expect(names[0]).toBe('scratch-tmp-x');
  expect(names[1]).toMatch(/^scratch-var-cache-very-long-directory-name-very-long-[0-9a-f]{8}$/);
  expect(names[1].length).toBeLessThanOrEqual(63);
});

test.each<[string, (w: StatefulWorkload) => void, string, string]>([
  ['config file name with a slash', (w) => w.volumes.addConfigFiles('conf', { mountPath: '/etc/x', files: { '../x': 'a' } }), 'WorkloadConfigFileNameInvalid', "file name '../x' is not a ConfigMap key"],
  ['config files over 1 MiB', (w) => w.volumes.addConfigFiles('conf', { mountPath: '/etc/x', files: { big: 'x'.repeat(1024 * 1024) } }), 'WorkloadConfigFilesTooLarge', 'a ConfigMap holds at most 1048576'],
])('%s', (_what, then, code, message) => {
  const e = error({}, then);
  expect(e.code).toBe(code);
  expect(e.message).toContain(message);
});

test('a literal credential-like env value warns (with an ack id); Secret references, files and $(VAR) do not', () => {
  const chart = new Chart(Testing.app(), 'c');
  const w = new StatefulWorkload(chart, 'cache', base);
  w.addEnv('REDIS_PASSWORD_FILE', kplus.EnvValue.fromValue('/secrets/pw'));
  w.addEnv('API_TOKEN', kplus.EnvValue.fromValue('$(FROM_ELSEWHERE)'));
  expect(Warnings.of(chart).ids()).toEqual([]);
  w.addEnv('REDIS_PASSWORD', kplus.EnvValue.fromValue('hunter2'));
  expect(Warnings.of(chart).ids()).toEqual(['@cdk8s-stateful/workload:plaintextSecretEnv']);
});
