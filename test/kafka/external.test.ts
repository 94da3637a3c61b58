// listeners.external: the EXTERNAL listener (Kafka docs #listener_configuration: listeners,
// advertised.listeners, listener.security.protocol.map, listener.name.<l>.*), the per-broker
// Services, the address finder's RBAC, the NetworkPolicy rule, and the props it refuses.
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Errors, ExternalListener, KafkaAuthentication, KafkaCluster, KafkaClusterProps, KafkaTls, Tls,
} from '../../src';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

const EXTERNAL = ['kafka-tls', 'kafka-tls-pw'];

function setup(external: ExternalListener, props: KafkaClusterProps = {}, authentication = KafkaAuthentication.SCRAM_SHA_512) {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const s = (n: string) => kplus.Secret.fromSecretName(c, n, n);
  const tls = KafkaTls.fromPkcs12Secret(s('kafka-tls'), { passwordSecret: s('kafka-tls-pw') });
  const kafka = new KafkaCluster(c, 'kafka', { ...props, listeners: { tls, authentication, external, ...props.listeners } });
  return { c, kafka };
}
const sts = (objs: any[], name: string) => find(objs, 'StatefulSet', name);
const nodeEnv = (objs: any[], name: string) => envOf(container(sts(objs, name), 'kafka'));

describe('load balancer', () => {
  const { c, kafka } = setup(ExternalListener.loadBalancer({ annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' } }), { controllers: {} });
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });

  test('brokers get an EXTERNAL listener on 9095 with the client protocol and SCRAM; controllers do not', () => {
    const env = nodeEnv(objs, 'kafka-broker');
    expect(env.KAFKA_LISTENERS).toBe('CLIENT://:9092,INTERNAL://:9094,EXTERNAL://:9095');
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL,EXTERNAL:SASL_SSL');
    expect(env.KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512');
    expect(env.KAFKA_LISTENER_NAME_EXTERNAL_SCRAM___SHA___512_SASL_JAAS_CONFIG).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required;');
    // The address is appended at start (assets/external-start.sh), not known at synth.
    expect(env.KAFKA_ADVERTISED_LISTENERS).not.toContain('EXTERNAL');
    expect(env.ADDRESS_FILE).toBe('/mnt/external/address');
    const ctl = nodeEnv(objs, 'kafka-controller');
    expect(ctl.KAFKA_LISTENERS).toBe('CONTROLLER://:9093');
    expect(ctl.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).not.toContain('EXTERNAL');
  });

  test('one LoadBalancer Service per broker selects its pod by statefulset.kubernetes.io/pod-name', () => {
    expect(kafka.externalServices.map((x) => x.name)).toEqual(['kafka-broker-100-external', 'kafka-broker-101-external', 'kafka-broker-102-external']);
    const svc = find(objs, 'Service', 'kafka-broker-101-external');
    expect(svc.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' });
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.selector).toEqual({ 'kafka.cdk8s-stateful.io/cluster': 'kafka', 'statefulset.kubernetes.io/pod-name': 'kafka-broker-101' });
    expect(svc.spec.ports).toEqual([{ name: 'external', port: 9095, targetPort: 'external', protocol: 'TCP' }]);
  });

  test('the init container reads its own Service with a namespaced Role limited to those Services, and the main container runs the wrapper', () => {
    const pod = sts(objs, 'kafka-broker').spec.template.spec;
    const init = pod.initContainers.find((x: any) => x.name === 'external-address');
    expect(init.image).toBe('docker.io/curlimages/curl:8.16.0');
    expect(envOf(init)).toMatchObject({ MODE: 'loadbalancer', SERVICE_SUFFIX: '-external', SERVICE_PORT: '9095', OUT_FILE: '/out/address' });
    const main = container(sts(objs, 'kafka-broker'), 'kafka');
    expect(main.command).toBeUndefined();
    expect(main.args.slice(0, 2)).toEqual(['bash', '-c']);
    expect(main.args[2]).toContain('exec "${RUN:-/etc/kafka/docker/run}"');
    expect(pod.automountServiceAccountToken).toBe(true);
    const role = find(objs, 'Role', 'kafka-broker');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['services'], verbs: ['get'], resourceNames: kafka.externalServices.map((x) => x.name) }]);
    expect(ofKind(objs, 'ClusterRole')).toEqual([]);
    expect(ofKind(objs, 'StatefulSet').find((x) => x.metadata.name === 'kafka-controller').spec.template.spec.initContainers ?? []).toEqual([]);
  });

  test('the NetworkPolicy opens the external port only, from anywhere; the keystore reload covers EXTERNAL', () => {
    const np = find(objs, 'NetworkPolicy', 'kafka-broker');
    const rules = np.spec.ingress.filter((r: any) => r.ports?.some((p: any) => p.port === 9095));
    expect(rules).toEqual([
      { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 9095, protocol: 'TCP' }] },
      { from: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 9095, protocol: 'TCP' }] },
    ]);
    expect(np.spec.ingress.filter((r: any) => r.from.some((f: any) => f.ipBlock)).every((r: any) => r.ports.length === 1)).toBe(true);
    expect(envOf(container(sts(objs, 'kafka-broker'), 'keystore-reload')).LISTENERS).toBe('client internal external');
  });
});

describe('node port', () => {
  const { c, kafka } = setup(ExternalListener.nodePort({ basePort: 32000 }), {}, KafkaAuthentication.MTLS);
  kafka.addNodePool('more', { replicas: 2 });
  const objs = synthValidated(c, { externalSecrets: EXTERNAL });

  test('fixed node port basePort + node id, externalTrafficPolicy Local, in every broker pool', () => {
    const ports = kafka.externalServices.map((x) => [x.name, (find(objs, 'Service', x.name).spec.ports[0].nodePort)]);
    expect(ports).toEqual([
      ['kafka-0-external', 32000], ['kafka-1-external', 32001], ['kafka-2-external', 32002], ['kafka-more-100-external', 32100], ['kafka-more-101-external', 32101],
    ]);
    const svc = find(objs, 'Service', 'kafka-more-101-external');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
  });

  test('mTLS on EXTERNAL; the nodes are read through a get-nodes ClusterRole bound per pool', () => {
    const env = nodeEnv(objs, 'kafka');
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SSL,INTERNAL:SSL,CONTROLLER:SSL,EXTERNAL:SSL');
    expect(env.KAFKA_LISTENER_NAME_EXTERNAL_SSL_CLIENT_AUTH).toBe('required');
    const cr = find(objs, 'ClusterRole', 'data-kafka-external-node-reader');
    expect(cr.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    expect(ofKind(objs, 'ClusterRoleBinding').map((b) => [b.metadata.name, b.subjects[0].name, b.roleRef.name])).toEqual([
      ['data-kafka-external-node-reader', 'kafka', 'data-kafka-external-node-reader'],
      ['data-kafka-more-external-node-reader', 'kafka-more', 'data-kafka-external-node-reader'],
    ]);
    const init = sts(objs, 'kafka-more').spec.template.spec.initContainers.find((x: any) => x.name === 'external-address');
    expect(envOf(init)).toMatchObject({ MODE: 'nodeport', BASE_PORT: '32000' });
  });
});

describe('ingress host names', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const pw = kplus.Secret.fromSecretName(c, 'pw', 'kafka-tls-pw');
  const tls = KafkaTls.certManager(Tls.certManager({ selfSignedCa: true }), { passwordSecret: pw });
  const kafka = new KafkaCluster(c, 'kafka', {
    listeners: { tls, authentication: KafkaAuthentication.SCRAM_SHA_512, external: ExternalListener.ingress({ hostTemplate: 'broker-{id}.kafka.example.com' }) },
  });
  const objs = synthValidated(c, { externalSecrets: ['kafka-tls-pw'] });

  test('each broker advertises its static name on the ingress port, no init container, ClusterIP Services', () => {
    const env = nodeEnv(objs, 'kafka');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe(
      'CLIENT://$(POD_NAME).kafka-headless.$(POD_NAMESPACE).svc.cluster.local:9092,INTERNAL://$(POD_NAME).kafka-headless.$(POD_NAMESPACE).svc.cluster.local:9094,' +
        'EXTERNAL://broker-$(KAFKA_NODE_ID).kafka.example.com:443');
    const pod = sts(objs, 'kafka').spec.template.spec;
    expect((pod.initContainers ?? []).map((x: any) => x.name)).not.toContain('external-address');
    expect(container(sts(objs, 'kafka'), 'kafka').args).toBeUndefined();
    expect(find(objs, 'Service', 'kafka-0-external').spec.type).toBe('ClusterIP');
  });

  test('the node certificate names every external host', () => {
    const cert = find(objs, 'Certificate', 'kafka-tls');
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['broker-0.kafka.example.com', 'broker-1.kafka.example.com', 'broker-2.kafka.example.com']));
    expect(kafka.tlsDnsNames).toContain('broker-2.kafka.example.com');
  });
});

test('SASL/PLAIN: EXTERNAL gets the same JAAS users as CLIENT; allowFrom opens the port to the given peers only', () => {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const s = (n: string) => kplus.Secret.fromSecretName(c, n, n);
  const tls = KafkaTls.fromPkcs12Secret(s('kafka-tls'), { passwordSecret: s('kafka-tls-pw') });
  const office = kplus.NetworkPolicyIpBlock.ipv4(c, 'office', '203.0.113.0/24');
  new KafkaCluster(c, 'kafka', {
    listeners: {
      tls,
      authentication: KafkaAuthentication.SASL_PLAIN,
      users: [{ username: 'app', passwordSecret: s('app-pw') }],
      external: ExternalListener.ingress({ hostTemplate: 'k{id}.example.com', advertisedPort: 9443, allowFrom: [office] }),
    },
  });
  const objs = synthValidated(c, { externalSecrets: [...EXTERNAL, 'app-pw'] });
  const env = nodeEnv(objs, 'kafka');
  expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL,EXTERNAL:SASL_SSL');
  expect(env.KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS).toBe('PLAIN');
  expect(env.KAFKA_LISTENER_NAME_EXTERNAL_PLAIN_SASL_JAAS_CONFIG).toBe(env.KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG);
  expect(env.KAFKA_ADVERTISED_LISTENERS).toContain(',EXTERNAL://k$(KAFKA_NODE_ID).example.com:9443');
  const np = find(objs, 'NetworkPolicy', 'kafka');
  expect(np.spec.ingress.filter((r: any) => r.ports?.some((p: any) => p.port === 9095)))
    .toEqual([{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 9095, protocol: 'TCP' }] }]);
});

describe('refused props', () => {
  test.each<[string, () => void, string]>([
    ['no TLS', () => new KafkaCluster(new Chart(Testing.app(), 't', { namespace: 'd' }), 'k', { listeners: { external: ExternalListener.loadBalancer() } }), 'KafkaExternalNeedsTls'],
    ['no authentication', () => setup(ExternalListener.loadBalancer(), {}, KafkaAuthentication.NONE), 'KafkaExternalNeedsAuthentication'],
    ['port taken', () => setup(ExternalListener.loadBalancer({ port: 9094 })), 'KafkaExternalPortInvalid'],
    ['port out of range', () => setup(ExternalListener.nodePort({ port: 70000 })), 'KafkaExternalPortInvalid'],
    ['advertised port', () => setup(ExternalListener.ingress({ hostTemplate: 'b-{id}.example.com', advertisedPort: 0 })), 'KafkaExternalPortInvalid'],
    ['base port below the range', () => setup(ExternalListener.nodePort({ basePort: 9000 })), 'KafkaExternalNodePortInvalid'],
    ['base port + node id above the range', () => setup(ExternalListener.nodePort({ basePort: 32700 }), { controllers: {} }), 'KafkaExternalNodePortInvalid'],
    ['host template without {id}', () => setup(ExternalListener.ingress({ hostTemplate: 'kafka.example.com' })), 'KafkaExternalHostTemplateInvalid'],
    ['host template not a DNS name', () => setup(ExternalListener.ingress({ hostTemplate: 'Broker_{id}.example.com' })), 'KafkaExternalHostTemplateInvalid'],
    ['Service name too long', () => setup(ExternalListener.loadBalancer(), { name: 'a'.repeat(40) }).kafka.addNodePool('abcdefghijk'), 'KafkaExternalServiceNameTooLong'],
  ])('%s', (_, make, code) => {
    let err: unknown;
    try { make(); } catch (e) { err = e; }
    expect(Errors.isValidationError(err)).toBe(true);
    expect((err as any).code).toBe(code);
  });

  test('node port needs the chart namespace', () => {
    const c = new Chart(Testing.app(), 't');
    const s = (n: string) => kplus.Secret.fromSecretName(c, n, n);
    const tls = KafkaTls.fromPkcs12Secret(s('a'), { passwordSecret: s('b') });
    expect(() => new KafkaCluster(c, 'k', { listeners: { tls, authentication: KafkaAuthentication.MTLS, external: ExternalListener.nodePort() } }))
      .toThrow(expect.objectContaining({ code: 'KafkaExternalNeedsNamespace' }));
  });
});
