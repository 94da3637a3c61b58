import { App } from 'cdk8s';
import { StorageExampleChart } from '../../examples/storage';
import { find, ofKind, synthValidatedApp } from '../util/validate';

function synthExample(): any[] {
  const app = new App({ outdir: '/tmp/unused' });
  new StorageExampleChart(app, 'storage');
  return synthValidatedApp(app);
}

describe('examples/storage.ts', () => {
  const objs = synthExample();

  test('a static local NVMe pool backs the cache, one PV per disk, no namespace on cluster-scoped objects', () => {
    const pvs = ofKind(objs, 'PersistentVolume');
    expect(pvs).toHaveLength(3);
    for (const pv of pvs) {
      expect(pv.metadata.namespace).toBeUndefined();
      expect(pv.spec.storageClassName).toBe('local-nvme');
    }
    expect(find(objs, 'StorageClass', 'local-nvme').metadata.namespace).toBeUndefined();
    const cache = find(objs, 'StatefulSet', 'cache');
    expect(cache.metadata.namespace).toBe('storage-example');
    expect(cache.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'local-nvme', resources: { requests: { storage: '300Gi' } } });
  });

  test('the queue is on expandable gp3: its claims come before its StatefulSet', () => {
    expect(find(objs, 'StorageClass', 'gp3-encrypted').parameters).toEqual({
      'type': 'gp3', 'iops': '6000', 'throughput': '250', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'ext4',
    });
    const claims = ofKind(objs, 'PersistentVolumeClaim');
    expect(claims.map((c) => c.metadata.name)).toEqual(['data-queue-0', 'data-queue-1']);
    const sts = objs.indexOf(find(objs, 'StatefulSet', 'queue'));
    for (const c of claims) expect(objs.indexOf(c)).toBeLessThan(sts);
    expect(find(objs, 'PersistentVolumeClaim', 'data-queue-1').spec.resources.requests.storage).toBe('50Gi');
  });

  test('deterministic', () => {
    expect(synthExample()).toEqual(objs);
  });
});
