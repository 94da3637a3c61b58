// Users and ACLs (SCRAM-SHA-512 or mTLS): the nodes' properties, the users Job, bind() as a user,
// and the props addUser refuses. Property names cite the Kafka docs:
// https://kafka.apache.org/documentation/#security_sasl_scram, #security_authz, #security_authz_ssl
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Errors, KafkaAcl, KafkaAclOperation, KafkaAclPatternType, KafkaAuthentication, KafkaCluster, KafkaClusterProps, KafkaTls, KafkaUserOptions,
} from '../../src';
import { container, envOf, find, synthValidated } from '../util/validate';

const EXTERNAL = ['kafka-tls', 'kafka-tls-pw', 'orders-pw', 'orders-cert', 'orders-cert-pw'];

function setup(authentication: KafkaAuthentication, props: KafkaClusterProps = {}) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const s = (n: string) => kplus.Secret.fromSecretName(c, n, n);
  const tls = KafkaTls.fromPkcs12Secret(s('kafka-tls'), { passwordSecret: s('kafka-tls-pw') });
  const kafka = new KafkaCluster(c, 'kafka', { ...props, listeners: { ...props.listeners, tls, authentication } });
  return { c, s, kafka };
}
const nodeEnv = (objs: any[], sts: string) => envOf(container(find(objs, 'StatefulSet', sts), 'kafka'));

describe('SCRAM-SHA-512', () => {
  const { c, s, kafka } = setup(KafkaAuthentication.SCRAM_SHA_512, { controllers: {} });
  const orders = kafka.addUser('orders', {
    passwordSecret: s('orders-pw'),
    acls: [KafkaAcl.topic('orders').allow(KafkaAclOperation.WRITE), KafkaAcl.group('orders-', KafkaAclPatternType.PREFIXED).allow(KafkaAclOperation.READ)],
  });
  const audit = kafka.addUser('audit', { acls: [KafkaAcl.topic('orders').allow(KafkaAclOperation.READ, KafkaAclOperation.DESCRIBE)] });
  const app = new kplus.Deployment(c, 'app', { containers: [{ image: 'docker.io/library/busybox:1.37', securityContext: { user: 1000 } }] });
  kafka.bind(app, { user: 'orders' });
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });

  test('the client listener is SASL_SSL with SCRAM-SHA-512; INTERNAL and CONTROLLER are mTLS (SSL, client auth required)', () => {
    const env = nodeEnv(objs, 'kafka-broker');
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL');
    expect(env.KAFKA_LISTENER_NAME_INTERNAL_SSL_CLIENT_AUTH).toBe('required');
    expect(env.KAFKA_LISTENER_NAME_CONTROLLER_SSL_CLIENT_AUTH).toBe('required');
    expect(env.KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512');
    expect(env.KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required;');
    // No user or password is in the nodes' env: users change without a restart.
    expect(Object.keys(env).filter((k) => k.startsWith('SASL_PASSWORD'))).toEqual([]);
  });

  test('every node, controllers too, runs StandardAuthorizer with the node certificate CN and the Jobs client certificate CN as the super users', () => {
    for (const sts of ['kafka-broker', 'kafka-controller']) {
      const env = nodeEnv(objs, sts);
      expect(env.KAFKA_AUTHORIZER_CLASS_NAME).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
      expect(env.KAFKA_SUPER_USERS).toBe('User:kafka-node;User:kafka-admin');
      expect(env.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND).toBe('false');
      expect(env.KAFKA_SSL_PRINCIPAL_MAPPING_RULES).toBe('RULE:^CN=([^,]+).*$/$1/,DEFAULT');
    }
    expect(kafka.nodeCommonName).toBe('kafka-node');
  });

  test('the users Job carries users and ACLs, mounts each password file, and never a password value', () => {
    const job = find(objs, 'Job', kafka.usersJob!.name);
    const ctr = job.spec.template.spec.containers[0];
    expect(envOf(ctr)).toMatchObject({
      USERS: 'audit\norders',
      SCRAM: '1',
      ACLS: [
        'User:audit|TOPIC|LITERAL|orders|DESCRIBE|ALLOW|Describe',
        'User:audit|TOPIC|LITERAL|orders|READ|ALLOW|Read',
        'User:orders|GROUP|PREFIXED|orders-|READ|ALLOW|Read',
        'User:orders|TOPIC|LITERAL|orders|WRITE|ALLOW|Write',
      ].join('\n'),
    });
    expect(ctr.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'password-0', mountPath: '/etc/kafka-users/audit/password', subPath: 'password', readOnly: true },
      { name: 'password-1', mountPath: '/etc/kafka-users/orders/password', subPath: 'password', readOnly: true },
    ]));
    expect(job.spec.template.spec.volumes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'password-1', secret: expect.objectContaining({ secretName: 'orders-pw' }) })]));
    // The brokers admit it on INTERNAL: it carries the admin Jobs' selector labels.
    expect(job.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('topic');
    const cron = find(objs, 'CronJob', 'kafka-users');
    expect(cron.spec.schedule).toBe('*/15 * * * *');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].env).toEqual(ctr.env);
  });

  test('a user without passwordSecret gets a password generated in the cluster', () => {
    expect(audit.generatedPassword?.secretName).toBe('kafka-user-audit');
    expect(orders.generatedPassword).toBeUndefined();
    expect(find(objs, 'Role', 'kafka-user-audit-gen').rules[0].resourceNames).toEqual(['kafka-user-audit']);
  });

  test('bind() as a SCRAM user: mechanism, username, password from its Secret and a JAAS line that expands it', () => {
    const env = envOf(find(objs, 'Deployment', ofName(objs, 'Deployment')).spec.template.spec.containers[0]);
    expect(env).toMatchObject({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'orders',
      KAFKA_SASL_PASSWORD: { secretKeyRef: { name: 'orders-pw', key: 'password' } },
      KAFKA_SASL_JAAS_CONFIG: 'org.apache.kafka.common.security.scram.ScramLoginModule required username="orders" password="$(KAFKA_SASL_PASSWORD)";',
    });
    const names = Object.keys(env);
    expect(names.indexOf('KAFKA_SASL_PASSWORD')).toBeLessThan(names.indexOf('KAFKA_SASL_JAAS_CONFIG'));
  });

  test('the Job is named by a hash of its spec: another ACL, another Job; the same spec, the same name', () => {
    const again = setup(KafkaAuthentication.SCRAM_SHA_512, { controllers: {} });
    again.kafka.addUser('orders', { passwordSecret: again.s('orders-pw'), acls: orders.acls });
    const first = again.kafka.usersJob!.name;
    again.kafka.addUser('audit', { acls: audit.acls });
    expect(again.kafka.usersJob!.name).toBe(kafka.usersJob!.name);
    expect(first).not.toBe(kafka.usersJob!.name);
    expect(kafka.usersJob!.name).toMatch(/^kafka-users-[0-9a-f]{8}$/);
  });
});

const ofName = (objs: any[], kind: string) => objs.find((o) => o.kind === kind).metadata.name;

test('mTLS: the client listener requires a certificate; bind() mounts the user keystore', () => {
  const { c, s, kafka } = setup(KafkaAuthentication.MTLS);
  kafka.addUser('orders', {
    certificate: KafkaTls.fromPkcs12Secret(s('orders-cert'), { passwordSecret: s('orders-cert-pw') }),
    acls: [KafkaAcl.topic('orders').allow(KafkaAclOperation.WRITE)],
  });
  const app = new kplus.Deployment(c, 'app', { containers: [{ image: 'docker.io/library/busybox:1.37', securityContext: { user: 1000 } }] });
  kafka.bind(app);
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });
  const env = nodeEnv(objs, 'kafka');
  expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SSL,INTERNAL:SSL,CONTROLLER:SSL');
  expect(env.KAFKA_LISTENER_NAME_CLIENT_SSL_CLIENT_AUTH).toBe('required');
  expect(env.KAFKA_SUPER_USERS).toBe('User:kafka-node;User:kafka-admin');
  expect(envOf(find(objs, 'Job', kafka.usersJob!.name).spec.template.spec.containers[0]).SCRAM).toBe('0');
  const pod = find(objs, 'Deployment', ofName(objs, 'Deployment')).spec.template.spec;
  expect(envOf(pod.containers[0])).toMatchObject({
    KAFKA_SECURITY_PROTOCOL: 'SSL',
    KAFKA_SSL_KEYSTORE_TYPE: 'PKCS12',
    KAFKA_SSL_KEYSTORE_LOCATION: '/etc/kafka-client-cert/keystore.p12',
    KAFKA_SSL_KEYSTORE_PASSWORD: { secretKeyRef: { name: 'orders-cert-pw', key: 'password' } },
  });
  expect(pod.volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'orders-cert', items: [{ key: 'keystore.p12', path: 'keystore.p12' }] }) }));
});

const s0 = (c: Chart, n: string) => kplus.Secret.fromSecretName(c, n, n);
test.each<[string, KafkaAuthentication, (c: Chart) => KafkaUserOptions, string, string]>([
  ['users without SCRAM or mTLS', KafkaAuthentication.NONE, () => ({}), 'KafkaUserNeedsAuthentication', 'users and ACLs need listeners.authentication: KafkaAuthentication.SCRAM_SHA_512'],
  ['a bad user name', KafkaAuthentication.SCRAM_SHA_512, () => ({ name: 'a b' }), 'KafkaUserNameInvalid', "user name 'a b' may only hold letters, digits"],
  ['the node identity as a user', KafkaAuthentication.SCRAM_SHA_512, () => ({ name: 'kafka-node' }), 'KafkaUserNameReserved', "user name 'kafka-node' is the nodes' identity"],
  ['a password with mTLS', KafkaAuthentication.MTLS, (c) => ({ passwordSecret: s0(c, 'x') }), 'KafkaUserPasswordWithMtls', 'drop passwordSecret'],
  ['a bad password key', KafkaAuthentication.SCRAM_SHA_512, (c) => ({ passwordSecret: s0(c, 'x'), passwordKey: 'a/b' }), 'KafkaSecretRefInvalid', "key 'a/b' is not a Secret key"],
  ['an ACL without operations', KafkaAuthentication.SCRAM_SHA_512, () => ({ acls: [KafkaAcl.topic('t').allow()] }), 'KafkaAclInvalid', 'names no operation'],
  ['an ACL on a name with a comma', KafkaAuthentication.SCRAM_SHA_512, () => ({ acls: [KafkaAcl.topic('a,b').allow(KafkaAclOperation.READ)] }), 'KafkaAclInvalid', "ACL resource name 'a,b'"],
  ['a prefix ending in *', KafkaAuthentication.SCRAM_SHA_512, () => ({ acls: [KafkaAcl.group('orders-*', KafkaAclPatternType.PREFIXED).allow(KafkaAclOperation.READ)] }),
    'KafkaAclInvalid', "prefixed ACL name 'orders-*' ends with '*'"],
])('addUser: %s → ValidationError', (_what, mode, options, code, message) => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const listeners = mode === KafkaAuthentication.NONE ? {} : { tls: KafkaTls.fromPkcs12Secret(s0(c, 'kafka-tls'), { passwordSecret: s0(c, 'kafka-tls-pw') }), authentication: mode };
  const kafka = new KafkaCluster(c, 'kafka', { listeners });
  let err: any;
  try { kafka.addUser('u', options(c)); } catch (e) { err = e; }
  expect(Errors.codeOf(err)).toBe(code);
  expect(err.message).toContain(message);
});

test.each<[string, (c: Chart) => KafkaClusterProps, string]>([
  ['SCRAM without TLS', () => ({ listeners: { authentication: KafkaAuthentication.SCRAM_SHA_512 } }), 'KafkaAuthenticationNeedsTls'],
  ['mTLS without TLS', () => ({ listeners: { authentication: KafkaAuthentication.MTLS } }), 'KafkaAuthenticationNeedsTls'],
  ['a node CN with a comma', (c) => ({ listeners: { nodeCommonName: 'a,b', tls: KafkaTls.fromPkcs12Secret(s0(c, 't'), { passwordSecret: s0(c, 'p') }) } }), 'KafkaNodeCommonNameInvalid'],
])('%s → ValidationError', (_what, props, code) => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  let err: any;
  try { new KafkaCluster(c, 'kafka', props(c)); } catch (e) { err = e; }
  expect(Errors.codeOf(err)).toBe(code);
});

test('addUser twice, and bind() errors of user clusters', () => {
  const { c, s, kafka } = setup(KafkaAuthentication.MTLS);
  kafka.addUser('a');
  const codeOf = (f: () => void) => { try { f(); } catch (e) { return Errors.codeOf(e); } return undefined; };
  expect(codeOf(() => kafka.addUser('a'))).toBe('KafkaUserDuplicate');
  expect(codeOf(() => kafka.addUser('a', { name: 'b' }))).toBe('KafkaUserIdDuplicate');
  kafka.addUser('c', { certificate: KafkaTls.fromPkcs12Secret(s('orders-cert'), { passwordSecret: s('orders-cert-pw') }) });
  const app = new kplus.Deployment(c, 'app', { containers: [{ image: 'busybox:1.37' }] });
  expect(codeOf(() => kafka.bind(app))).toBe('KafkaBindUserRequired');
  expect(codeOf(() => kafka.bind(app, { user: 'zed' }))).toBe('KafkaBindUserUnknown');
  expect(codeOf(() => kafka.bind(app, { user: 'a' }))).toBe('KafkaBindUserCertificateMissing');
});
