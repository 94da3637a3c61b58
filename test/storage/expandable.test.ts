import { Size } from 'cdk8s';
import { newChart, workload } from './helpers';
import { LocalVolumePool, StatefulWorkload, StorageClass, StorageProfile } from '../../src';
// src/index.ts does not export policy yet (the integrator adds it).
import { UpgradeSafety } from '../../src/upgrade';
import { find, ofKind, synthValidated } from '../util/validate';

function render(size: Size, replicas: number = 3, ordinalsStart?: number): any[] {
  const chart = newChart('db');
  const sc = new StorageClass(chart, 'gp3', { profile: StorageProfile.awsEbs() });
  workload(chart, 'pg', undefined, { replicas, ordinalsStart, dataVolumes: { data: { mountPath: '/data', size, storageClass: sc, expandable: true } } });
  return synthValidated(chart);
}

describe('expandable data volumes', () => {
  test('emits one claim per ordinal, kept by pruning tools, before the StatefulSet', () => {
    const objs = render(Size.gibibytes(20));
    const claims = ofKind(objs, 'PersistentVolumeClaim');
    expect(claims.map((c) => c.metadata.name)).toEqual(['data-pg-0', 'data-pg-1', 'data-pg-2']);
    const c = find(objs, 'PersistentVolumeClaim', 'data-pg-1');
    expect(c.metadata.namespace).toBe('db');
    // Scale-in drops a claim from the output: no pruning tool may delete it (and its data).
    expect(c.metadata.annotations).toEqual({
      'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
    expect(c.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'pg', 'app.kubernetes.io/instance': 'pg', 'app.kubernetes.io/managed-by': 'cdk8s-stateful' });
    expect(c.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '20Gi' } } });
    // The StatefulSet adopts existing claims only: they must be applied first.
    const stsIndex = objs.findIndex((o) => o.kind === 'StatefulSet');
    for (const claim of claims) expect(objs.indexOf(claim)).toBeLessThan(stsIndex);
    // The template never follows `size`.
    expect(find(objs, 'StatefulSet', 'pg').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
  });

  test('growth changes the claims and nothing in the StatefulSet; the upgrade check passes', () => {
    const before = render(Size.gibibytes(20));
    const after = render(Size.gibibytes(50));
    expect(find(after, 'PersistentVolumeClaim', 'data-pg-2').spec.resources.requests.storage).toBe('50Gi');
    expect(find(after, 'StatefulSet', 'pg')).toEqual(find(before, 'StatefulSet', 'pg'));
    expect(UpgradeSafety.check(before, after)).toEqual([]);
  });

  test('shrinking is caught by the upgrade check', () => {
    const findings = UpgradeSafety.check(render(Size.gibibytes(50)), render(Size.gibibytes(20)));
    expect(findings.map((f) => `${f.id} ${f.name}`)).toEqual([
      '@cdk8s-stateful/policy:claimShrink data-pg-0', '@cdk8s-stateful/policy:claimShrink data-pg-1', '@cdk8s-stateful/policy:claimShrink data-pg-2',
    ]);
  });

  test('scaling out adds the claims of the new ordinals, from ordinalsStart', () => {
    const objs = render(Size.gibibytes(20), 2, 5);
    expect(ofKind(objs, 'PersistentVolumeClaim').map((c) => c.metadata.name)).toEqual(['data-pg-5', 'data-pg-6']);
    expect(UpgradeSafety.check(render(Size.gibibytes(20), 2, 5), render(Size.gibibytes(20), 4, 5))).toEqual([]);
  });

  test('claimTemplateSize keeps the template of a workload made expandable later', () => {
    const chart = newChart();
    const w = workload(chart, 'pg', undefined, {
      dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(40), storageClass: StorageClass.fromName(chart, 'standard', 'standard'), expandable: true, claimTemplateSize: Size.gibibytes(10) } },
    });
    const objs = synthValidated(chart);
    expect(find(objs, 'StatefulSet', 'pg').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(find(objs, 'PersistentVolumeClaim', 'data-pg-0').spec.resources.requests.storage).toBe('40Gi');
    expect(w.volumes.claims.map((c) => c.name)).toEqual(['data-pg-0']);
  });

  test('a volume added after construction also gets its claims before the StatefulSet', () => {
    const chart = newChart();
    const w = new StatefulWorkload(chart, 'pg', { image: 'docker.io/library/postgres:16.4', replicas: 2 });
    w.volumes.addData('wal', { mountPath: '/wal', size: Size.gibibytes(5), expandable: true });
    const objs = synthValidated(chart);
    const stsIndex = objs.findIndex((o) => o.kind === 'StatefulSet');
    expect(objs.findIndex((o) => o.metadata.name === 'wal-pg-1')).toBeLessThan(stsIndex);
    expect(find(objs, 'PersistentVolumeClaim', 'wal-pg-0').spec.storageClassName).toBeUndefined();
  });

  test('non-expandable volumes emit no claims', () => {
    const chart = newChart();
    workload(chart, 'pg', undefined, { replicas: 3 });
    expect(ofKind(synthValidated(chart), 'PersistentVolumeClaim')).toHaveLength(0);
  });

  test.each([
    ['a class without expansion', () => {
      const chart = newChart();
      const sc = new StorageClass(chart, 'gp3', { profile: StorageProfile.awsEbs(), allowVolumeExpansion: false });
      return { chart, sc };
    }, "data volume 'data' is expandable but StorageClass 'gp3' does not allow volume expansion"],
    ['a local volume pool', () => {
      const chart = newChart();
      const sc = new LocalVolumePool(chart, 'local', { disks: [{ node: 'n1', path: '/mnt/a', capacity: Size.gibibytes(100) }] }).storageClass;
      return { chart, sc };
    }, "data volume 'data' is expandable but StorageClass 'local' does not allow volume expansion"],
    ['an existing class known not to expand', () => {
      const chart = newChart();
      return { chart, sc: StorageClass.fromName(chart, 'old', 'old', { allowVolumeExpansion: false }) };
    },
    "data volume 'data' is expandable but StorageClass 'old' does not allow volume expansion"],
  ])('expandable on %s is a ValidationError', (_n, setup, message) => {
    const { chart, sc } = setup();
    expect(() => workload(chart, 'pg', undefined, { dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1), storageClass: sc, expandable: true } } }))
      .toThrow(message);
  });

  // A claim template's storage request must be positive (PVC spec validation), else the
  // StatefulSet itself is rejected.
  test.each([
    ['zero', Size.kibibytes(0), "data volume 'data' has claimTemplateSize 0; give at least 1Mi"],
    ['below 1Mi', Size.kibibytes(512), "data volume 'data' has claimTemplateSize 512Ki; give at least 1Mi"],
  ])('a claimTemplateSize of %s is a ValidationError', (_n, claimTemplateSize, message) => {
    const chart = newChart();
    expect(() => workload(chart, 'pg', undefined, {
      dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(10), storageClass: StorageClass.fromName(chart, 'standard', 'standard'), expandable: true, claimTemplateSize } },
    })).toThrow(message);
  });
});
