import { endpointsOf, generateHosts, HostsPod, HostsService } from './hosts';
import { labelSelectorMatches, serviceSelects } from './selectors';

const sel = { 'app.kubernetes.io/name': 'etcd' };
const pod = (name: string, ip: string | undefined, ready: boolean, extra: Record<string, string> = {}): HostsPod =>
  ({ name, namespace: 'ns', ip, ready, labels: { ...sel, ...extra }, subdomain: 'etcd-headless' });

describe('selectors', () => {
  test('a Service selector needs every key equal; an empty one selects nothing', () => {
    expect(serviceSelects({ a: '1', b: '2' }, { a: '1', b: '2', c: '3' })).toBe(true);
    expect(serviceSelects({ a: '1', b: '2' }, { a: '1' })).toBe(false);
    expect(serviceSelects({}, { a: '1' })).toBe(false);
    expect(serviceSelects(undefined, { a: '1' })).toBe(false);
  });
  test.each([
    [{ matchLabels: { a: '1' } }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, false],
    [{ matchExpressions: [{ key: 'z', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'z', operator: 'Exists' }] }, false],
    [{}, true],
  ])('LabelSelector %j on {a:1} → %s', (s, expected) => expect(labelSelectorMatches(s as any, { a: '1' })).toBe(expected));
});

describe('generateHosts', () => {
  const headless = (publish: boolean): HostsService => ({ name: 'etcd-headless', namespace: 'ns', selector: sel, headless: true, publishNotReadyAddresses: publish });
  const client: HostsService = { name: 'etcd-client', namespace: 'ns', selector: sel, headless: false };
  const pods = [pod('etcd-0', '10.0.0.10', true), pod('etcd-1', '10.0.0.11', false), pod('etcd-2', undefined, false)];

  test('the kubelet line for the pod itself, with hostname and subdomain', () => {
    const text = generateHosts(pods[0], pods, [], 'cluster.local');
    expect(text).toContain('10.0.0.10\tetcd-0.etcd-headless.ns.svc.cluster.local\tetcd-0\n');
    expect(text).toContain('127.0.0.1\tlocalhost');
  });

  test('publishNotReadyAddresses lists running pods that are not Ready; a pod without a sandbox never', () => {
    const text = generateHosts(pods[0], pods, [headless(true)], 'cluster.local');
    expect(text).toContain('10.0.0.11\tetcd-1.etcd-headless.ns.svc.cluster.local etcd-1.etcd-headless.ns.svc etcd-1.etcd-headless.ns etcd-1.etcd-headless');
    expect(text).not.toContain('etcd-2.etcd-headless');
  });

  test('without publishNotReadyAddresses only Ready pods resolve', () => {
    const text = generateHosts(pods[0], pods, [headless(false)], 'cluster.local');
    expect(text).toContain('10.0.0.10\tetcd-0.etcd-headless.ns.svc.cluster.local');
    expect(text).not.toContain('etcd-1.etcd-headless');
  });

  test('a ClusterIP Service resolves to its Ready endpoints; short names only in the same namespace', () => {
    const primary: HostsService = { name: 'pg-primary', namespace: 'ns', selector: { ...sel, role: 'primary' }, headless: false };
    const ps = [pod('pg-0', '10.0.0.20', true, { role: 'primary' }), pod('pg-1', '10.0.0.21', true, { role: 'replica' })];
    expect(endpointsOf(primary, ps).map((p) => p.name)).toEqual(['pg-0']);
    const text = generateHosts(ps[1], ps, [primary, client], 'cluster.local');
    expect(text).toContain('10.0.0.20\tpg-primary.ns.svc.cluster.local pg-primary.ns.svc pg-primary.ns pg-primary\n');
    expect(text).not.toContain('10.0.0.21\tpg-primary');
    const other = generateHosts({ ...ps[1], namespace: 'other' }, ps, [primary], 'cluster.local');
    expect(other).toContain('10.0.0.20\tpg-primary.ns.svc.cluster.local pg-primary.ns.svc pg-primary.ns\n');
  });
});
