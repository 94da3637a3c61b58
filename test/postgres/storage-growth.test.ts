// Growth (issue 11 part 7): `storage.expandable` writes the per-instance claims of the data and
// WAL volumes (the spine's expandable claims), with the keep annotations, so raising a size grows
// the disks in place; the backup claim is standalone and grows with `backup.size`.
import { App, Chart, Size } from 'cdk8s';
import { ValidationError } from '../../src/core/errors';
import { PostgresCluster, PostgresClusterProps } from '../../src/postgres';
import { StorageClass, StorageProfile } from '../../src/storage';
import { find, ofKind, synthValidated } from '../util/validate';

const KEEP = {
  'helm.sh/resource-policy': 'keep',
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

function synth(props: (c: Chart) => PostgresClusterProps = () => ({})) {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders-db', props(c));
  return synthValidated(c, { externalSecrets: [cluster.secretName] });
}

const storage = (o: any) => o.spec.resources.requests.storage;

test('expandable: the data and WAL claims of every instance, kept, carrying the sizes; the templates keep a fixed request', () => {
  const objs = synth((c) => ({
    storage: {
      expandable: true,
      size: Size.gibibytes(50),
      walSize: Size.gibibytes(8),
      storageClass: new StorageClass(c, 'gp3', { profile: StorageProfile.awsEbs(), allowVolumeExpansion: true }),
    },
  }));
  const claims = ofKind(objs, 'PersistentVolumeClaim');
  expect(claims.map((x) => x.metadata.name).sort()).toEqual([
    'data-orders-db-0', 'data-orders-db-1', 'data-orders-db-2', 'wal-orders-db-0', 'wal-orders-db-1', 'wal-orders-db-2',
  ]);
  for (const x of claims) {
    expect(x.metadata.annotations).toEqual(KEEP);
    expect(x.spec.storageClassName).toBe('gp3');
    expect(storage(x)).toBe(x.metadata.name.startsWith('data') ? '50Gi' : '8Gi');
  }
  const templates = find(objs, 'StatefulSet', 'orders-db').spec.volumeClaimTemplates;
  expect(templates.map((t: any) => [t.metadata.name, storage(t)])).toEqual([['data', '1Gi'], ['wal', '1Gi']]);
});

test('claimTemplateSize and walClaimTemplateSize keep a running cluster\'s templates as they were created', () => {
  const objs = synth(() => ({
    storage: {
      expandable: true,
      size: Size.gibibytes(20),
      walSize: Size.gibibytes(4),
      claimTemplateSize: Size.gibibytes(10),
      walClaimTemplateSize: Size.gibibytes(2),
    },
  }));
  const templates = find(objs, 'StatefulSet', 'orders-db').spec.volumeClaimTemplates;
  expect(templates.map((t: any) => [t.metadata.name, storage(t)])).toEqual([['data', '10Gi'], ['wal', '2Gi']]);
  expect(storage(find(objs, 'PersistentVolumeClaim', 'data-orders-db-2'))).toBe('20Gi');
});

test('more instances write the claims of the new ordinals; without expandable there are none', () => {
  const five = synth(() => ({ instances: 5, storage: { expandable: true } }));
  expect(ofKind(five, 'PersistentVolumeClaim').map((x) => x.metadata.name)).toContain('data-orders-db-4');
  expect(ofKind(synth(), 'PersistentVolumeClaim')).toEqual([]);
  expect(find(synth(), 'StatefulSet', 'orders-db').spec.volumeClaimTemplates.map((t: any) => storage(t))).toEqual(['10Gi']);
});

test('the backup claim is a standalone kept claim: its size follows backup.size', () => {
  const objs = synth(() => ({ backup: { size: Size.gibibytes(200) } }));
  const claim = find(objs, 'PersistentVolumeClaim', 'orders-db-backup');
  expect(storage(claim)).toBe('200Gi');
  expect(claim.metadata.annotations).toEqual(KEEP);
});

describe('invalid props', () => {
  test.each<[string, (c: Chart) => PostgresClusterProps, string, string]>([
    ['data class without expansion', (c) => ({ storage: { expandable: true, storageClass: StorageClass.fromName(c, 'Std', 'standard', { allowVolumeExpansion: false }) } }),
      'WorkloadVolumeNotExpandable', "data volume 'data' is expandable but StorageClass 'standard' does not allow volume expansion"],
    ['WAL class without expansion', (c) => ({
      storage: { expandable: true, walSize: Size.gibibytes(4), walStorageClass: StorageClass.fromName(c, 'Std', 'standard', { allowVolumeExpansion: false }) },
    }), 'WorkloadVolumeNotExpandable', "data volume 'wal' is expandable but StorageClass 'standard' does not allow volume expansion"],
    ['a zero claim template', () => ({ storage: { expandable: true, claimTemplateSize: Size.kibibytes(0) } }),
      'WorkloadClaimTemplateSizeInvalid', "data volume 'data' has claimTemplateSize 0; give at least 1Mi"],
  ])('%s', (_, props, code, message) => {
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    let err: unknown;
    try {
      new PostgresCluster(c, 'orders-db', props(c));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(code);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).toContain('orders-db');
  });
});
