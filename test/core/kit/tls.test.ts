import { Chart, Duration, Size, Testing } from 'cdk8s';
import { StatefulWorkload, Tls, TlsIssuerKind } from '../../../src';
import { Errors } from '../../../src/core/errors';
import { find, ofKind, schemaErrors, synthValidated, unknownFieldErrors } from '../../util/validate';

function workload(namespace: string | null = 'shop', clusterDomain?: string): StatefulWorkload {
  const c = new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
  const w = new StatefulWorkload(c, 'cache', {
    image: 'docker.io/library/redis:7.4.1',
    replicas: 2,
    ports: [{ name: 'redis', port: 6379 }],
    dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1) } },
    security: { user: 999, group: 999 },
    clusterDomain,
  });
  w.services.add('rw', { ports: ['redis'] });
  return w;
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

test('workloadDnsNames: every pod and Service in four forms, namespace and clusterDomain honoured', () => {
  const names = Tls.workloadDnsNames(workload('shop', 'corp.internal'), ['cache-extra']);
  expect(names).toEqual([
    'cache-0.cache-headless', 'cache-0.cache-headless.shop', 'cache-0.cache-headless.shop.svc', 'cache-0.cache-headless.shop.svc.corp.internal',
    'cache-1.cache-headless', 'cache-1.cache-headless.shop', 'cache-1.cache-headless.shop.svc', 'cache-1.cache-headless.shop.svc.corp.internal',
    'cache-headless', 'cache-headless.shop', 'cache-headless.shop.svc', 'cache-headless.shop.svc.corp.internal',
    'cache-rw', 'cache-rw.shop', 'cache-rw.shop.svc', 'cache-rw.shop.svc.corp.internal',
    'cache-extra', 'cache-extra.shop', 'cache-extra.shop.svc', 'cache-extra.shop.svc.corp.internal',
  ]);
});

test('certManager with your ClusterIssuer: one Certificate, server and client auth, PKCS#8 key, durations; mounted 0440 read-only', () => {
  const w = workload();
  const tls = Tls.certManager({ issuer: { name: 'corp-ca', kind: TlsIssuerKind.CLUSTER_ISSUER }, duration: Duration.days(30), renewBefore: Duration.hours(240) });
  const cert = tls.issue(w, 'Tls', { name: 'cache-tls', dnsNames: Tls.workloadDnsNames(w), clientAuth: true });
  cert.mount(w, { mountPath: '/tls' });
  const objs = synthValidated(Chart.of(w));
  const c = find(objs, 'Certificate', 'cache-tls');
  expect(c.apiVersion).toBe('cert-manager.io/v1');
  expect(c.spec).toMatchObject({
    secretName: 'cache-tls',
    duration: '720h',
    renewBefore: '240h',
    usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
    privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS8', rotationPolicy: 'Always' },
    issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  });
  expect(c.spec.dnsNames).toContain('cache-1.cache-headless.shop.svc.cluster.local');
  expect(c.spec.commonName).toBeUndefined();
  expect(ofKind(objs, 'Issuer')).toEqual([]);
  const sts = find(objs, 'StatefulSet', 'cache');
  expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'cache-tls', defaultMode: 0o440 } });
  expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/tls', readOnly: true });
  expect(sts.spec.template.spec.securityContext.fsGroup).toBe(999);
});

test('selfSignedCa: SelfSigned Issuer -> CA Certificate -> CA Issuer, once per namespace; certificates signed by the CA Issuer', () => {
  const w = workload();
  const tls = Tls.certManager({ selfSignedCa: true });
  const server = tls.issue(w, 'Tls', { name: 'cache-tls', dnsNames: Tls.workloadDnsNames(w) });
  const client = tls.issue(w, 'ClientTls', { name: 'cache-client-tls', dnsNames: [], commonName: 'cache-admin', serverAuth: false, clientAuth: true });
  const objs = synthValidated(Chart.of(w));
  expect(find(objs, 'Issuer', 'cache-tls-ca-selfsigned').spec).toEqual({ selfSigned: {} });
  expect(find(objs, 'Certificate', 'cache-tls-ca').spec).toMatchObject({ isCA: true, secretName: 'cache-tls-ca', issuerRef: { name: 'cache-tls-ca-selfsigned', kind: 'Issuer' } });
  expect(find(objs, 'Issuer', 'cache-tls-ca').spec).toEqual({ ca: { secretName: 'cache-tls-ca' } });
  expect(ofKind(objs, 'Issuer')).toHaveLength(2);
  expect(find(objs, 'Certificate', 'cache-tls').spec.issuerRef).toEqual({ name: 'cache-tls-ca', kind: 'Issuer', group: 'cert-manager.io' });
  const cc = find(objs, 'Certificate', 'cache-client-tls').spec;
  expect(cc).toMatchObject({ commonName: 'cache-admin', usages: ['digital signature', 'key encipherment', 'client auth'] });
  expect(cc.dnsNames).toBeUndefined();
  expect(server.caObjects).toHaveLength(3);
  expect(client.caObjects).toEqual([]);
});

test('pkcs12 keystores with a password Secret; includeKey false mounts only ca.crt', () => {
  const w = workload();
  const cert = Tls.certManager({ selfSignedCa: true }).issue(w, 'Tls', { name: 'cache-tls', dnsNames: ['a.example'], pkcs12: { passwordSecretName: 'store-pass' } });
  cert.mount(w, { mountPath: '/ca', volumeName: 'ca', includeKey: false });
  const objs = synthValidated(Chart.of(w));
  expect(find(objs, 'Certificate', 'cache-tls').spec.keystores).toEqual({ pkcs12: { create: true, passwordSecretRef: { name: 'store-pass', key: 'password' }, profile: 'Modern2023' } });
  expect(find(objs, 'StatefulSet', 'cache').spec.template.spec.volumes).toContainEqual({ name: 'ca', secret: { secretName: 'cache-tls', defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
});

test('fromSecret: nothing issued, the Secret and keys as given', () => {
  const w = workload();
  const cert = Tls.fromSecret({ secretName: 'my-cert', caKey: 'root.pem' }).issue(w, 'Tls', { name: 'ignored', dnsNames: [] });
  cert.mount(w, { mountPath: '/tls' });
  const objs = synthValidated(Chart.of(w), { externalSecrets: ['my-cert'] });
  expect(ofKind(objs, 'Certificate')).toEqual([]);
  expect([cert.secretName, cert.certKey, cert.keyKey, cert.caKey, cert.certificate]).toEqual(['my-cert', 'tls.crt', 'tls.key', 'root.pem', undefined]);
});

test('the validator rejects a Certificate its CRD rejects', () => {
  const bad = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x' }, spec: { issuerRef: { name: 'i' }, usages: ['server'], bogus: 1 } };
  expect(schemaErrors(bad).join('\n')).toMatch(/required property 'secretName'/);
  expect(schemaErrors(bad).join('\n')).toMatch(/must be equal to one of the allowed values/);
  expect(unknownFieldErrors(bad)).toEqual(['Certificate/x: unknown field .spec.bogus']);
});

const cm = (o: object) => () => { const w = workload(); Tls.certManager(o).issue(w, 'T', { name: 'c', dnsNames: [] }); };
test.each([
  ['no issuer', cm({}), 'TlsIssuerMissing', /no issuer; set issuer/],
  ['issuer and selfSignedCa', cm({ issuer: { name: 'x' }, selfSignedCa: true }), 'TlsIssuerConflict', /both 'issuer' \(x\) and 'selfSignedCa'/],
  ['issuer name', cm({ issuer: { name: 'Bad_Name' } }), 'TlsIssuerNameInvalid', /issuer name 'Bad_Name'/],
  ['duration too short', cm({ selfSignedCa: true, duration: Duration.minutes(30) }), 'TlsDurationInvalid', /duration 1800s is shorter than cert-manager's minimum of 1 hour/],
  ['renewBefore ≥ duration', cm({ selfSignedCa: true, duration: Duration.days(10), renewBefore: Duration.days(10) }), 'TlsRenewBeforeInvalid', /renewBefore 864000s must be .* less than duration \(864000s\)/],
  ['renewBefore too short', cm({ selfSignedCa: true, renewBefore: Duration.minutes(1) }), 'TlsRenewBeforeInvalid', /renewBefore 60s/],
  ['secret name', () => Tls.fromSecret({ secretName: 'Bad' }).issue(workload(), 'T', { name: 'c', dnsNames: [] }), 'TlsSecretNameInvalid', /secretName 'Bad'/],
  ['secret key', () => Tls.fromSecret({ secretName: 's', keyKey: 'a/b' }).issue(workload(), 'T', { name: 'c', dnsNames: [] }), 'TlsSecretKeyInvalid', /keyKey 'a\/b' is not a Secret key/],
  ['certificate name', () => Tls.certManager({ selfSignedCa: true }).issue(workload(), 'T', { name: 'C!', dnsNames: [] }), 'TlsCertificateNameInvalid', /certificate name 'C!'/],
  ['no namespace', () => Tls.workloadDnsNames(workload(null)), 'TlsNamespaceMissing', /the chart sets none; set `namespace` on the Chart/],
  ['volume name', () => {
    const w = workload();
    Tls.certManager({ selfSignedCa: true }).issue(w, 'T', { name: 'c', dnsNames: [] }).mount(w, { mountPath: '/t', volumeName: 'TLS' });
  }, 'TlsVolumeNameInvalid', /volume name 'TLS'/],
])('bad props: %s', (_n, f, code, message) => {
  const e = thrown(f);
  expect(Errors.codeOf(e)).toBe(code);
  expect(e.message).toMatch(message);
});
