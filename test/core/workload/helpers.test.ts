import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Connections, Errors, IConnectable, StatefulWorkload, WorkloadVolume } from '../../../src';
import { find, synthValidated } from '../../util/validate';

const IMAGE = 'docker.io/library/redis:7.4.1';

function workload(chart: Chart, id: string = 'cache'): StatefulWorkload {
  return new StatefulWorkload(chart, id, { image: IMAGE, ports: [{ name: 'redis', port: 6379 }, { name: 'metrics', port: 9121 }] });
}

function codeOf(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return Errors.codeOf(e); }
  return undefined;
}

test('ApiObject.of(workload) and node.defaultChild are the StatefulSet', () => {
  const w = workload(new Chart(Testing.app(), 'c', { namespace: 'data' }));
  expect(ApiObject.of(w)).toBe(w.statefulSet);
  expect(w.node.defaultChild).toBe(w.statefulSet);
});

describe('connections', () => {
  test('allowFrom renders the peer (pods in named namespaces) on the named ports only', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'data' });
    const w = workload(chart);
    w.connections.allowFrom(kplus.Pods.select(chart, 'Apps', { labels: { app: 'shop' }, namespaces: kplus.Namespaces.select(chart, 'Ns', { names: ['shop'] }) }), ['redis']);
    w.connections.allowFromLabels({ role: 'monitoring' }, ['metrics']);
    const np = find(synthValidated(chart), 'NetworkPolicy', 'cache');
    expect(np.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: w.selectorLabels } }] },
      {
        from: [{
          podSelector: { matchLabels: { app: 'shop' } },
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] },
        }],
        ports: [{ port: 6379, protocol: 'TCP' }],
      },
      { from: [{ podSelector: { matchLabels: { role: 'monitoring' } } }], ports: [{ port: 9121, protocol: 'TCP' }] },
    ]);
  });

  test('Connections.of forwards to every target (a cluster of several workloads)', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'data' });
    const a = workload(chart, 'a');
    const b = workload(chart, 'b');
    const cluster: IConnectable = { connections: Connections.of(chart, [a, b]) };
    cluster.connections.allowFromLabels({ app: 'client' }, ['redis']);
    const objs = synthValidated(chart);
    for (const name of ['a', 'b']) {
      expect(find(objs, 'NetworkPolicy', name).spec.ingress[1]).toEqual({ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 6379, protocol: 'TCP' }] });
    }
  });

  test('an unknown port name is a ValidationError with a code', () => {
    const w = workload(new Chart(Testing.app(), 'c'));
    expect(codeOf(() => w.connections.allowFromLabels({ a: 'b' }, ['nope']))).toBe('WorkloadPortUnknown');
  });
});

describe('rbac', () => {
  test('no rule, no token; mountServiceAccountToken() mounts it without a Role', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'data' });
    const w = workload(chart);
    expect(w.rbac.mountsToken).toBe(false);
    w.rbac.mountServiceAccountToken();
    const objs = synthValidated(chart);
    expect(find(objs, 'StatefulSet', 'cache').spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(objs.filter((o) => o.kind === 'Role')).toHaveLength(0);
    expect(w.rbac.role).toBeUndefined();
  });

  test('the first rule creates the Role and RoleBinding named after the workload', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'data' });
    const w = workload(chart);
    w.rbac.addRule({ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] });
    w.rbac.addRule({ apiGroups: [''], resources: ['pods'], verbs: ['list'] });
    const objs = synthValidated(chart);
    expect(find(objs, 'Role', 'cache').rules).toHaveLength(2);
    expect(find(objs, 'RoleBinding', 'cache').subjects).toEqual([{ kind: 'ServiceAccount', name: 'cache', namespace: 'data' }]);
    expect(w.rbac.roleBinding).toBeDefined();
    expect(codeOf(() => w.rbac.addRule({ apiGroups: [''], resources: [], verbs: ['get'] }))).toBe('WorkloadRbacRuleEmpty');
  });
});

describe('services and volumes', () => {
  test('services.add / get; unknown ids and duplicates have codes', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'data' });
    const w = workload(chart);
    const ro = w.services.add('ro', { selector: { role: 'replica' }, ports: ['redis'] });
    expect(w.services.get('ro')).toBe(ro);
    expect(w.services.all).toEqual([ro]);
    expect(w.services.headless).toBe(w.headlessService);
    expect(codeOf(() => w.services.get('rw'))).toBe('WorkloadServiceUnknown');
    expect(codeOf(() => w.services.add('ro'))).toBe('WorkloadServiceDuplicate');
    const svc = find(synthValidated(chart, { runtimeLabelKeys: ['role'] }), 'Service', 'cache-ro');
    expect(svc.spec.ports).toEqual([{ name: 'redis', port: 6379, protocol: 'TCP', targetPort: 'redis' }]);
  });

  test('volumes.add of a claim by name, mounted by a sidecar; volume names are unique', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'data' });
    const w = workload(chart);
    w.volumes.add('backup', WorkloadVolume.fromClaimName('cache-backup'));
    w.addSidecar({ name: 'shipper', image: IMAGE, mounts: [{ volume: 'backup', mountPath: '/backup' }] });
    expect(w.volumes.names).toEqual(['backup']);
    expect(codeOf(() => w.volumes.add('backup', WorkloadVolume.emptyDir()))).toBe('WorkloadVolumeDuplicate');
    const sts = find(synthValidated(chart), 'StatefulSet', 'cache');
    expect(sts.spec.template.spec.volumes).toEqual([{ name: 'backup', persistentVolumeClaim: { claimName: 'cache-backup' } }]);
  });
});
