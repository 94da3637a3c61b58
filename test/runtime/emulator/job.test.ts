/**
 * Job pods in the emulator: restartPolicy Never runs the container once and the pod fails with
 * it; OnFailure restarts it until it exits 0; a failed init container fails a Never pod.
 */
import * as fs from 'fs';
import { EmulatedCluster, waitFor } from './cluster';
import { describeRuntime } from '../runtime-env';

jest.setTimeout(60_000);

function cronJob(name: string, restartPolicy: string, script: string, init?: string): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'jobs' },
    spec: {
      schedule: '0 2 * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy,
              volumes: [{ name: 'out', persistentVolumeClaim: { claimName: 'out' } }],
              ...(init ? { initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', init] }] } : {}),
              containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', script], volumeMounts: [{ name: 'out', mountPath: '/out' }] }],
            },
          },
        },
      },
    },
  };
}

describeRuntime('emulated Job pods', ['/bin/busybox'], () => {
  let cluster: EmulatedCluster;
  beforeAll(() => {
    cluster = new EmulatedCluster({
      objects: [
        cronJob('never', 'Never', 'echo run >> /out/runs; exit 3'),
        cronJob('onfailure', 'OnFailure', 'echo run >> /out/runs; [ "$(wc -l < /out/runs)" -ge 4 ]'),
        cronJob('ok', 'Never', 'echo hello; echo run >> /out/runs'),
        cronJob('badinit', 'Never', 'echo run >> /out/runs', 'exit 1'),
      ],
    });
  });
  afterAll(async () => { await cluster?.destroy(); });
  const runs = () => fs.readFileSync(`${cluster.claimDir('out')}/runs`, 'utf8').split('\n').filter(Boolean).length;

  test('Never: one run, the pod fails with the exit code; a second run is a new pod sharing the claim', async () => {
    const r = await cluster.runJob('never', 20_000);
    expect(r.phase).toBe('Failed');
    expect(r.exitCodes).toEqual({ main: 3 });
    expect(runs()).toBe(1);
    const ok = await cluster.runJob('ok', 20_000);
    expect(ok.phase).toBe('Succeeded');
    expect(ok.exitCodes).toEqual({ main: 0 });
    expect(ok.logs).toContain('hello');
    expect(ok.pod.name).toBe('ok-2');
    expect(runs()).toBe(2);
  });

  test('OnFailure: restarted until it exits 0', async () => {
    const r = await cluster.runJob('onfailure', 30_000);
    expect(r.phase).toBe('Succeeded');
    expect(runs()).toBe(4);
    expect(r.pod.restartCount('main')).toBe(1);
  });

  test('a bare pod (kubectl run): started, exec into it, deleted', async () => {
    const pod = cluster.createPod({
      metadata: { name: 'shell', namespace: 'jobs', labels: { app: 'x' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'sh', image: 'busybox:1.36', command: ['sh', '-c', 'echo "$(hostname) $A"; exec sleep 600'], env: [{ name: 'A', value: 'b' }] }] },
    });
    await pod.start();
    await cluster.waitReady('shell', 10_000);
    await waitFor('the container wrote its host name and env', 10_000, () => pod.logs('sh').includes('\nshell b\n'));
    // exec: the container's env and network (its file and host-name views are the host's under
    // gVisor, see docs/runtime-tier.md).
    const r = await pod.exec('sh', ['sh', '-c', 'echo "$A"']);
    expect(r.stdout.trim()).toBe('b');
    expect(pod.labels.app).toBe('x');
    expect(() => cluster.createPod({ metadata: { name: 'shell' }, spec: { containers: [] } })).toThrow('pod shell exists');
    await pod.delete(0);
    expect(pod.phase).toBe('Stopped');
  });

  test('Never: a failed init container fails the pod; the main container never runs', async () => {
    const r = await cluster.runJob('badinit', 20_000);
    expect(r.phase).toBe('Failed');
    expect(r.exitCodes).toEqual({ main: undefined });
    expect(runs()).toBe(4);
  });
});
