import { ApiObject, App, Chart, Size } from 'cdk8s';
import { caught, newChart, workload } from './helpers';
import {
  AccessMode, AntiAffinity, BlockCleaner, Errors, FsType, LinearApp, LocalVolumePool, LocalVolumePoolMode, ReclaimPolicy, TaintEffect,
  VolumeMode, Warnings,
} from '../../src';
import { container, find, ofKind, synthValidated, synthValidatedApp } from '../util/validate';

const NVME = { nodes: ['node-1', 'node-2', 'node-3'], paths: ['/mnt/disks/3f6c0a1e'], capacity: Size.gibibytes(370) };

function captureStderr(fn: () => void): string {
  const write = process.stderr.write;
  let out = '';
  process.stderr.write = ((s: string) => { out += s; return true; }) as any;
  try {
    fn();
  } finally {
    process.stderr.write = write;
  }
  return out;
}

describe('LocalVolumePool, static inventory', () => {
  test('a no-provisioner class and one PV per disk with hostname affinity; no namespace on either', () => {
    const chart = newChart('databases');
    const pool = new LocalVolumePool(chart, 'local-nvme', {
      diskSets: [NVME],
      disks: [{ node: 'node-4', path: '/mnt/disks/raw0', capacity: Size.tebibytes(1), volumeMode: VolumeMode.BLOCK, name: 'node-4-raw0' }],
    });
    workload(chart, 'db', pool.storageClass, { replicas: 3 });
    const objs = synthValidated(chart);

    const sc = find(objs, 'StorageClass', 'local-nvme');
    expect(sc.metadata.namespace).toBeUndefined();
    expect(sc.provisioner).toBe('kubernetes.io/no-provisioner');
    expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(sc.reclaimPolicy).toBe('Retain');
    expect(sc.allowVolumeExpansion).toBe(false);

    const pvs = ofKind(objs, 'PersistentVolume');
    expect(pvs.map((p) => p.metadata.name)).toEqual([
      'node-4-raw0', 'local-nvme-node-1-mnt-disks-3f6c0a1e', 'local-nvme-node-2-mnt-disks-3f6c0a1e', 'local-nvme-node-3-mnt-disks-3f6c0a1e',
    ]);
    for (const pv of pvs) expect(pv.metadata.namespace).toBeUndefined();
    const pv = find(objs, 'PersistentVolume', 'local-nvme-node-2-mnt-disks-3f6c0a1e');
    expect(pv.spec).toEqual({
      capacity: { storage: '370Gi' },
      volumeMode: 'Filesystem',
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'local-nvme',
      local: { path: '/mnt/disks/3f6c0a1e' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-2'] }] }] } },
    });
    expect(find(objs, 'PersistentVolume', 'node-4-raw0').spec.volumeMode).toBe('Block');
    expect(find(objs, 'StatefulSet', 'db').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('local-nvme');
    expect(pool.persistentVolumes).toHaveLength(4);
    expect(ApiObject.of(pool)).toBe(pool.storageClassObject);
    for (const o of [pool.serviceAccount, pool.configMap, pool.clusterRole, pool.clusterRoleBinding, pool.daemonSet, pool.nodeCleanupDeployment]) {
      expect(o).toBeUndefined();
    }
    expect(pool.storageClass.allowVolumeExpansion).toBe(false);
  });

  test('disk sets whose readable PV name would be invalid get a hashed, valid, stable name; valid names are unchanged', () => {
    const pvNames = () => {
      const chart = newChart();
      const pool = new LocalVolumePool(chart, 'pool', {
        diskSets: [{ nodes: ['n1', 'n2'], paths: ['/mnt/disks/.nvme0', '/', '/mnt/disks/' + 'x'.repeat(260), '/mnt/disks/ok'], capacity: Size.gibibytes(10) }],
      });
      synthValidated(chart);
      return pool.persistentVolumes.map((pv) => pv.name);
    };
    const names = pvNames();
    expect(names).toHaveLength(8);
    expect(new Set(names).size).toBe(8);
    for (const n of names) {
      expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
      expect(n.length).toBeLessThanOrEqual(253);
    }
    expect(names[0]).toMatch(/^pool-n1-mnt-disks-nvme0-[0-9a-f]{10}$/);
    expect(names[1]).toMatch(/^pool-n1-[0-9a-f]{10}$/);
    expect(names[3]).toBe('pool-n1-mnt-disks-ok');
    expect(pvNames()).toEqual(names);
  });

  test('names are deterministic: the same code gives the same output', () => {
    const render = () => {
      const chart = newChart();
      new LocalVolumePool(chart, 'local-nvme', { diskSets: [NVME] });
      return synthValidated(chart);
    };
    expect(render()).toEqual(render());
  });

  test.each([
    ['Delete reclaim', { diskSets: [NVME], reclaimPolicy: ReclaimPolicy.DELETE }, 'reclaimPolicy Delete needs the static provisioner to wipe the disk and re-create the PersistentVolume', 'LocalVolumePoolReclaimDeleteUnsupported'],
    ['no disks', {}, "a static pool needs disks: list them in 'disks' or 'diskSets'", 'LocalVolumePoolDisksMissing'],
    ['relative path', { disks: [{ node: 'n1', path: 'mnt/disk', capacity: Size.gibibytes(1) }] }, "disk path 'mnt/disk' on node 'n1' must be an absolute path", 'LocalVolumePoolDiskPathInvalid'],
    ['bad node', { disks: [{ node: 'node 1', path: '/mnt/a', capacity: Size.gibibytes(1) }] }, "disk node 'node 1' is not a kubernetes.io/hostname label value", 'LocalVolumePoolDiskNodeInvalid'],
    ['tiny disk', { disks: [{ node: 'n1', path: '/mnt/a', capacity: Size.kibibytes(4) }] }, 'disk n1:/mnt/a has capacity 4Ki; give at least 1Mi', 'LocalVolumePoolDiskCapacityInvalid'],
    ['duplicate disk', { disks: [{ node: 'n1', path: '/mnt/a', capacity: Size.gibibytes(1) }, { node: 'n1', path: '/mnt/a', capacity: Size.gibibytes(1) }] }, 'disk n1:/mnt/a is listed twice', 'LocalVolumePoolDiskDuplicate'],
    ['colliding names', { disks: [{ node: 'n1', path: '/mnt/a_b', capacity: Size.gibibytes(1) }, { node: 'n1', path: '/mnt/a-b', capacity: Size.gibibytes(1) }] }, "two disks map to PersistentVolume name 'pool-n1-mnt-a-b'; give one of them a 'name'", 'LocalVolumePoolVolumeNameDuplicate'],
    ['discovery options in static mode', { diskSets: [NVME], discovery: {} }, 'discovery options are set but mode is static', 'LocalVolumePoolDiscoveryOptionsUnused'],
    ['bad class name', { storageClassName: 'Local_NVMe', diskSets: [NVME] }, "storageClassName 'Local_NVMe' must be a DNS-1123 subdomain", 'NameNotDns1123Subdomain'],
    ['empty disk set', { diskSets: [{ nodes: [], paths: ['/mnt/a'], capacity: Size.gibibytes(1) }] }, 'a disk set needs at least one node and one path', 'LocalVolumePoolDiskSetEmpty'],
    ['PV name not a subdomain', { disks: [{ node: 'n1', path: '/mnt/a', capacity: Size.gibibytes(1), name: 'Bad_Name' }] },
      "PersistentVolume name 'Bad_Name' for n1:/mnt/a is not a DNS-1123 subdomain; give the disk a 'name'", 'LocalVolumePoolVolumeNameInvalid'],
  ])('%s is a ValidationError', (_n, props, message, code) => {
    const e = caught(() => new LocalVolumePool(newChart(), 'pool', props));
    expect(e.message).toContain(message);
    expect(Errors.codeOf(e)).toBe(code);
  });
});

describe('LocalVolumePool, discovery', () => {
  test('deploys local-static-provisioner v2.9.0 as upstream, in kube-system', () => {
    const chart = newChart('databases');
    const pool = new LocalVolumePool(chart, 'local-nvme', {
      mode: LocalVolumePoolMode.DISCOVERY,
      reclaimPolicy: ReclaimPolicy.DELETE,
      discovery: {
        hostDir: '/mnt/fast-disks',
        fsType: FsType.XFS,
        blockCleaner: BlockCleaner.shred(2),
        nodeSelector: { 'node.example.com/nvme': 'true' },
        tolerations: [{ key: 'dedicated', value: 'db', effect: TaintEffect.NO_SCHEDULE }],
      },
    });
    workload(chart, 'db', pool.storageClass);
    const objs = synthValidated(chart);

    expect(ofKind(objs, 'PersistentVolume')).toHaveLength(0);
    const sc = find(objs, 'StorageClass', 'local-nvme');
    expect(sc.reclaimPolicy).toBe('Delete');
    expect(sc.provisioner).toBe('kubernetes.io/no-provisioner');

    const cm = find(objs, 'ConfigMap', 'local-nvme-provisioner-config');
    expect(cm.metadata.namespace).toBe('kube-system');
    expect(cm.data.storageClassMap).toBe([
      'local-nvme:',
      '  hostDir: "/mnt/fast-disks"',
      '  mountDir: "/mnt/fast-disks"',
      '  volumeMode: Filesystem',
      '  fsType: xfs',
      '  namePattern: "*"',
      '  blockCleanerCommand:',
      '    - "/scripts/shred.sh"',
      '    - "2"',
      '',
    ].join('\n'));

    const ds = find(objs, 'DaemonSet', 'local-nvme-provisioner');
    expect(ds.metadata.namespace).toBe('kube-system');
    const pod = ds.spec.template.spec;
    expect(pod.serviceAccountName).toBe('local-nvme-provisioner');
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'node.example.com/nvme': 'true' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }]);
    const c = container(ds, 'provisioner');
    expect(c.image).toBe('registry.k8s.io/sig-storage/local-volume-provisioner:v2.9.0');
    expect(c.securityContext).toEqual({ privileged: true });
    expect(c.volumeMounts).toEqual([
      { name: 'provisioner-config', mountPath: '/etc/provisioner/config', readOnly: true },
      { name: 'provisioner-dev', mountPath: '/dev' },
      { name: 'disks', mountPath: '/mnt/fast-disks', mountPropagation: 'HostToContainer' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'provisioner-config', configMap: { name: 'local-nvme-provisioner-config' } },
      { name: 'provisioner-dev', hostPath: { path: '/dev' } },
      { name: 'disks', hostPath: { path: '/mnt/fast-disks' } },
    ]);
    expect(c.env.map((e: any) => e.name)).toEqual(['MY_NODE_NAME', 'MY_NAMESPACE', 'JOB_CONTAINER_IMAGE']);

    const role = find(objs, 'ClusterRole', 'local-nvme-provisioner');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] });
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'update'] });
    const binding = find(objs, 'ClusterRoleBinding', 'local-nvme-provisioner');
    expect(binding.metadata.namespace).toBeUndefined();
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'local-nvme-provisioner', namespace: 'kube-system' }]);
    expect(ofKind(objs, 'Deployment')).toHaveLength(0);
    expect(pool.daemonSet).toBeDefined();
  });

  test('node-cleanup controller on request, in a chosen namespace', () => {
    const chart = newChart();
    new LocalVolumePool(chart, 'local-nvme', { mode: LocalVolumePoolMode.DISCOVERY, discovery: { nodeCleanup: true, namespace: 'local-storage' } });
    const objs = synthValidated(chart);
    const d = find(objs, 'Deployment', 'local-nvme-provisioner-node-cleanup');
    expect(d.metadata.namespace).toBe('local-storage');
    expect(container(d, 'node-cleanup-controller').args).toEqual(['--storageclass-names=local-nvme', '--pvc-deletion-delay=60s', '--stale-pv-discovery-interval=10s']);
    expect(find(objs, 'ClusterRole', 'local-nvme-provisioner-node-cleanup').rules).toContainEqual(
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'delete'] });
    expect(find(objs, 'ClusterRoleBinding', 'local-nvme-provisioner-node-cleanup').subjects[0].namespace).toBe('local-storage');
    const storageClassMap = find(objs, 'ConfigMap', 'local-nvme-provisioner-config').data.storageClassMap;
    expect(storageClassMap).toContain('"/scripts/quick_reset.sh"');
  });

  test.each([
    ['fsType with Block', { volumeMode: VolumeMode.BLOCK, discovery: { fsType: FsType.EXT4 } }, 'discovery.fsType formats block devices consumed as Filesystem volumes', 'LocalVolumePoolFsTypeWithBlock'],
    ['relative hostDir', { discovery: { hostDir: 'disks' } }, "discovery.hostDir 'disks' must be an absolute directory", 'LocalVolumePoolDiscoveryDirInvalid'],
    ['root hostDir', { discovery: { hostDir: '/' } }, "discovery.hostDir '/' must be an absolute directory other than '/'", 'LocalVolumePoolDiscoveryDirInvalid'],
    ['cleaner passes', { discovery: { blockCleaner: BlockCleaner.ddZero(0) } }, 'blockCleaner passes must be a whole number from 1 to 10, got 0', 'LocalVolumePoolBlockCleanerPassesInvalid'],
    ['namespace', { discovery: { namespace: 'Kube_System' } }, "discovery.namespace 'Kube_System' must be a DNS-1123 label", 'NameNotDns1123Label'],
    ['class name too long for the provisioner objects', { storageClassName: 'a'.repeat(40) },
      `storageClassName '${'a'.repeat(40)}' is too long to name the provisioner objects; use at most 38 characters`, 'LocalVolumePoolNameTooLong'],
  ])('%s is a ValidationError', (_n, props, message, code) => {
    const e = caught(() => new LocalVolumePool(newChart(), 'pool', { mode: LocalVolumePoolMode.DISCOVERY, ...props }));
    expect(e.message).toContain(message);
    expect(Errors.codeOf(e)).toBe(code);
  });

  test('every object is a public property; ApiObject.of(pool) is the StorageClass object', () => {
    const chart = newChart();
    const pool = new LocalVolumePool(chart, 'local-nvme', { mode: LocalVolumePoolMode.DISCOVERY, discovery: { nodeCleanup: true } });
    const objs = synthValidated(chart);
    expect(ApiObject.of(pool)).toBe(pool.storageClassObject);
    expect(pool.node.defaultChild).toBe(pool.storageClassObject);
    const exposed: Array<[ApiObject | undefined, string, string]> = [
      [pool.storageClassObject, 'StorageClass', 'local-nvme'],
      [pool.serviceAccount, 'ServiceAccount', 'local-nvme-provisioner'],
      [pool.configMap, 'ConfigMap', 'local-nvme-provisioner-config'],
      [pool.clusterRole, 'ClusterRole', 'local-nvme-provisioner'],
      [pool.clusterRoleBinding, 'ClusterRoleBinding', 'local-nvme-provisioner'],
      [pool.daemonSet, 'DaemonSet', 'local-nvme-provisioner'],
      [pool.nodeCleanupServiceAccount, 'ServiceAccount', 'local-nvme-provisioner-node-cleanup'],
      [pool.nodeCleanupClusterRole, 'ClusterRole', 'local-nvme-provisioner-node-cleanup'],
      [pool.nodeCleanupClusterRoleBinding, 'ClusterRoleBinding', 'local-nvme-provisioner-node-cleanup'],
      [pool.nodeCleanupDeployment, 'Deployment', 'local-nvme-provisioner-node-cleanup'],
    ];
    for (const [o, kind, name] of exposed) {
      expect([o?.kind, o?.name]).toEqual([kind, name]);
      find(objs, kind, name);
    }
    // Every object the pool writes is one of them.
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(exposed.map(([, k, n]) => `${k}/${n}`).sort());
    expect(pool.persistentVolumes).toEqual([]);
  });

  test('without nodeCleanup the node-cleanup properties are undefined', () => {
    const pool = new LocalVolumePool(newChart(), 'local-nvme', { mode: LocalVolumePoolMode.DISCOVERY });
    expect(pool.serviceAccount).toBeDefined();
    expect(pool.nodeCleanupServiceAccount).toBeUndefined();
    expect(pool.nodeCleanupClusterRole).toBeUndefined();
    expect(pool.nodeCleanupClusterRoleBinding).toBeUndefined();
    expect(pool.nodeCleanupDeployment).toBeUndefined();
  });
});

describe('capacity checks', () => {
  const small = { disks: [{ node: 'n1', path: '/mnt/a', capacity: Size.gibibytes(50) }, { node: 'n1', path: '/mnt/b', capacity: Size.gibibytes(50) }] };

  test.each([
    ['more claims than disks', 3, Size.gibibytes(10), AntiAffinity.SOFT,
      "workloads claim 3 Filesystem volume(s) of class 'pool' but the pool has 2 Filesystem disk(s)", 'claimsExceedInventory'],
    ['a claim larger than every disk', 1, Size.gibibytes(100), AntiAffinity.SOFT,
      "test/db: data volume 'data' asks for 100Gi but the largest Filesystem disk holds 50Gi", 'claimLargerThanDisks'],
    ['more replicas than nodes under hard anti-affinity', 2, Size.gibibytes(10), AntiAffinity.HARD,
      'test/db: 2 replicas with hard anti-affinity need 2 nodes, but only 1 node(s) have a Filesystem disk of 10Gi or more', 'replicasExceedNodes'],
  ])('%s: an error in static mode, a warning in discovery mode', (_n, replicas, size, antiAffinity, message, id) => {
    const staticChart = newChart();
    const pool = new LocalVolumePool(staticChart, 'pool', small);
    workload(staticChart, 'db', pool.storageClass, { replicas, placement: { antiAffinity } }, size);
    expect(() => synthValidated(staticChart)).toThrow(message);

    const chart = newChart();
    const discovered = new LocalVolumePool(chart, 'pool', { mode: LocalVolumePoolMode.DISCOVERY, ...small });
    workload(chart, 'db', discovered.storageClass, { replicas, placement: { antiAffinity } }, size);
    const app = chart.node.root as App;
    let objs: any[] = [];
    const stderr = captureStderr(() => { objs = synthValidated(chart); });
    expect(find(objs, 'StatefulSet', 'db').spec.replicas).toBe(replicas);
    const warnings = Warnings.of(app).list();
    expect(warnings.map((w) => w.id)).toEqual([`@cdk8s-stateful/storage:${id}`]);
    expect(warnings[0].message).toContain(message);
    expect(warnings[0].path).toBe('test/pool');
    // Raised during validation, and printed in the same pass.
    expect(stderr).toContain(`[ack: @cdk8s-stateful/storage:${id}]`);
  });

  test('the check runs under LinearApp as under App: static mode fails synthYaml with the message, discovery mode warns once', () => {
    const message = "workloads claim 3 Filesystem volume(s) of class 'pool' but the pool has 2 Filesystem disk(s)";
    const staticApp = new LinearApp();
    const staticChart = new Chart(staticApp, 'test');
    const pool = new LocalVolumePool(staticChart, 'pool', small);
    workload(staticChart, 'db', pool.storageClass, { replicas: 3 });
    expect(() => staticApp.synthYaml()).toThrow(`[test/pool] ${message}`);

    const app = new LinearApp();
    const chart = new Chart(app, 'test');
    const discovered = new LocalVolumePool(chart, 'pool', { mode: LocalVolumePoolMode.DISCOVERY, ...small });
    workload(chart, 'db', discovered.storageClass, { replicas: 3 });
    const stderr = captureStderr(() => synthValidatedApp(app));
    expect(Warnings.of(app).ids()).toEqual(['@cdk8s-stateful/storage:claimsExceedInventory']);
    expect(stderr.split('claimsExceedInventory]').length - 1).toBe(1);
  });

  test('a warning can be acknowledged', () => {
    const chart = newChart();
    const pool = new LocalVolumePool(chart, 'pool', { mode: LocalVolumePoolMode.DISCOVERY, ...small });
    workload(chart, 'db', pool.storageClass, { replicas: 3 });
    Warnings.acknowledge(pool, '@cdk8s-stateful/storage:claimsExceedInventory');
    const stderr = captureStderr(() => synthValidated(chart));
    expect(Warnings.of(chart).ids()).toEqual([]);
    expect(stderr).not.toContain('claimsExceedInventory');
  });

  test('claims fit: no error, no warning; other classes and other apps are not counted', () => {
    const chart = newChart();
    const pool = new LocalVolumePool(chart, 'pool', { diskSets: [{ nodes: ['n1', 'n2', 'n3'], paths: ['/mnt/a'], capacity: Size.gibibytes(100) }] });
    workload(chart, 'db', pool.storageClass, { replicas: 3, placement: { antiAffinity: AntiAffinity.HARD } });
    workload(chart, 'other', undefined, { replicas: 5 });
    const otherApp = new Chart(new App(), 'other');
    workload(otherApp, 'db', pool.storageClass, { replicas: 9 });
    const objs = synthValidated(chart);
    expect(ofKind(objs, 'PersistentVolume')).toHaveLength(3);
    expect(Warnings.of(chart).ids()).toEqual([]);
  });

  test('a claim asking for another access mode than ReadWriteOnce never binds to the pool: error (static), warning (discovery, even without disks)', () => {
    const message = "test/db: data volume 'logs' asks for access mode ReadWriteOncePod, but the pool's PersistentVolumes are ReadWriteOnce";
    const staticChart = newChart();
    const pool = new LocalVolumePool(staticChart, 'pool', small);
    workload(staticChart, 'db', pool.storageClass, { replicas: 1 })
      .volumes.addData('logs', { mountPath: '/logs', size: Size.gibibytes(1), storageClass: pool.storageClass, accessMode: AccessMode.READ_WRITE_ONCE_POD });
    expect(() => synthValidated(staticChart)).toThrow(message);

    const chart = newChart();
    const discovered = new LocalVolumePool(chart, 'pool', { mode: LocalVolumePoolMode.DISCOVERY });
    workload(chart, 'db', discovered.storageClass, { replicas: 1 })
      .volumes.addData('logs', { mountPath: '/logs', size: Size.gibibytes(1), storageClass: discovered.storageClass, accessMode: AccessMode.READ_WRITE_ONCE_POD });
    captureStderr(() => synthValidated(chart));
    expect(Warnings.of(chart.node.root).list().map((w) => [w.id, w.message])).toEqual([['@cdk8s-stateful/storage:accessModeUnsupported', expect.stringContaining(message)]]);
  });

  test('Block claims count only Block disks', () => {
    const chart = newChart();
    const pool = new LocalVolumePool(chart, 'pool', small);
    const w = workload(chart, 'db', undefined, { replicas: 1 });
    w.volumes.addData('raw', { mountPath: '/dev/xvdb', size: Size.gibibytes(10), storageClass: pool.storageClass, volumeMode: VolumeMode.BLOCK });
    expect(() => synthValidated(chart)).toThrow("data volume 'raw' asks for 10Gi but the pool has no Block disks");
  });

  test('discovery mode without declared disks skips the checks', () => {
    const chart = newChart();
    const pool = new LocalVolumePool(chart, 'pool', { mode: LocalVolumePoolMode.DISCOVERY });
    workload(chart, 'db', pool.storageClass, { replicas: 7 });
    synthValidated(chart);
    expect(Warnings.of(chart).ids()).toEqual([]);
  });
});
