import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { KafkaCluster, KafkaTls, Tls } from '../../../src';
import { Errors } from '../../../src/core/errors';
import { find, ofKind, synthValidated } from '../../util/validate';

function chart(namespace: string | null = 'streaming'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

function certManagerTls(c: Chart): KafkaTls {
  return KafkaTls.certManager(Tls.certManager({ selfSignedCa: true }), { passwordSecret: kplus.Secret.fromSecretName(c, 'Pw', 'events-tls-password') });
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('KafkaTls.certManager', () => {
  const c = chart();
  const kafka = new KafkaCluster(c, 'events', { controllers: { replicas: 3 }, listeners: { tls: certManagerTls(c) } });
  kafka.addNodePool('big', { replicas: 2 });
  kafka.addTopic('orders', {});
  const objs = synthValidated(c, { externalSecrets: ['events-tls-password'] });

  test('the nodes\' Certificate: every pool (added later too) and the bootstrap Service, server and client auth, PKCS#12 with the password Secret', () => {
    const spec = find(objs, 'Certificate', 'events-tls').spec;
    expect(spec.dnsNames).toEqual([
      '*.events-controller-headless.streaming.svc.cluster.local',
      '*.events-broker-headless.streaming.svc.cluster.local',
      '*.events-big-headless.streaming.svc.cluster.local',
      'events-bootstrap.streaming.svc.cluster.local',
    ]);
    expect(spec).toMatchObject({
      commonName: 'events-node', // the nodes' identity (listeners.nodeCommonName)
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
      keystores: { pkcs12: { create: true, passwordSecretRef: { name: 'events-tls-password', key: 'password' } } },
      issuerRef: { name: 'events-tls-ca', kind: 'Issuer' },
    });
    expect(kafka.tlsCertificates.map((t) => t.secretName)).toEqual(['events-tls', 'events-admin-tls']);
    for (const sts of ofKind(objs, 'StatefulSet')) {
      expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'events-tls', defaultMode: 0o440 } });
    }
  });

  test('the Jobs\' own client certificate (client auth only), mounted instead of the nodes\' keystore: topics and the roller', () => {
    expect(find(objs, 'Certificate', 'events-admin-tls').spec).toMatchObject({
      commonName: 'events-admin', usages: ['digital signature', 'key encipherment', 'client auth'], issuerRef: { name: 'events-tls-ca' },
    });
    const jobs = ofKind(objs, 'Job');
    expect(jobs.map((j) => j.metadata.name)).toEqual(expect.arrayContaining([expect.stringMatching(/-topic-/), expect.stringMatching(/-roll/)]));
    for (const job of jobs) {
      expect(job.spec.template.spec.volumes.find((v: any) => v.name === 'tls').secret.secretName).toBe('events-admin-tls');
      expect(JSON.stringify(job)).not.toContain('"events-tls"');
    }
  });

  test('the private CA is bootstrapped once', () => {
    expect(ofKind(objs, 'Issuer').map((i) => i.metadata.name)).toEqual(['events-tls-ca-selfsigned', 'events-tls-ca']);
    expect(ofKind(objs, 'Certificate').map((i) => i.metadata.name).sort()).toEqual(['events-admin-tls', 'events-tls', 'events-tls-ca']);
  });
});

test.each([
  ['one KafkaTls for two clusters', () => {
    const c = chart();
    const tls = certManagerTls(c);
    new KafkaCluster(c, 'events', { listeners: { tls } });
    new KafkaCluster(c, 'audit', { listeners: { tls } });
  }, 'KafkaTlsShared', /used by another KafkaCluster already \(its Secret is 'events-tls'\)/],
  ['no namespace', () => {
    const c = chart(null);
    new KafkaCluster(c, 'events', { listeners: { tls: certManagerTls(c) } });
  }, 'KafkaTlsDnsNamesNeedNamespace', /tlsDnsNames needs the chart's namespace/],
  ['topics with a PKCS#12 Secret but no client keystore', () => {
    const c = chart();
    const kafka = new KafkaCluster(c, 'events', {
      listeners: { tls: KafkaTls.fromPkcs12Secret(kplus.Secret.fromSecretName(c, 'T', 'events-tls'), { passwordSecret: kplus.Secret.fromSecretName(c, 'P', 'pw') }) },
    });
    kafka.addTopic('orders', {});
  }, 'KafkaTopicClientCertMissing', /a topic Job must not get the brokers' private key: pass KafkaTls.fromPkcs12Secret\(secret, \{ passwordSecret, clientSecret/],
])('bad props: %s', (_n, f, code, message) => {
  const e = thrown(f);
  expect(Errors.codeOf(e)).toBe(code);
  expect(e.message).toMatch(message);
});
