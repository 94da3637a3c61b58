import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { KafkaAuthentication, KafkaTls } from '../../../src';
import { clientEnv } from '../../../src/kafka/private/client-env';
import { clusterLabels, topicJobLabels } from '../../../src/kafka/private/labels';
import { ListenerSecurity } from '../../../src/kafka/private/listener-security';
import { log4jConfig } from '../../../src/kafka/private/log-config';
import { poolSizing } from '../../../src/kafka/private/pool-sizing';

const secret = (name: string) => ({ name }) as unknown as kplus.ISecret;

test('log4j: console only, request logs at WARN; log4j 2 YAML for Kafka 4, log4j 1 properties for 3', () => {
  const v4 = log4jConfig(4);
  expect(v4.fileName).toBe('log4j2.yaml');
  const doc = parse(v4.content);
  expect(Object.keys(doc.Configuration.Appenders)).toEqual(['Console']);
  expect(doc.Configuration.Loggers.Root).toEqual({ level: 'INFO', AppenderRef: [{ ref: 'STDOUT' }] });
  expect(doc.Configuration.Loggers.Logger.map((l: any) => [l.name, l.level]))
    .toEqual([['kafka.request.logger', 'WARN'], ['kafka.network.RequestChannel$', 'WARN']]);
  const v3 = log4jConfig(3);
  expect(v3.opts).toBe('-Dlog4j.configuration=file:/etc/kafka/log-config/log4j.properties');
  const props = Object.fromEntries(v3.content.trim().split('\n').map((l) => l.split('=')));
  expect(props['log4j.rootLogger']).toBe('INFO, stdout');
  expect(props['log4j.appender.stdout']).toBe('org.apache.log4j.ConsoleAppender');
  expect(v3.content).not.toMatch(/FileAppender/);
});

test('labels: managed-by from the kit, topic Jobs selected by name, instance and component', () => {
  expect(clusterLabels('events', '4.1.2')).toEqual({
    'app.kubernetes.io/name': 'kafka',
    'app.kubernetes.io/instance': 'events',
    'app.kubernetes.io/part-of': 'events',
    'app.kubernetes.io/managed-by': 'cdk8s-stateful',
    'app.kubernetes.io/version': '4.1.2',
  });
  expect(topicJobLabels('events').selector).toEqual({
    'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'events', 'app.kubernetes.io/component': 'topic',
  });
});

test('listener security: protocols by mode; users only on brokers with SASL; bind user choice', () => {
  const tls = KafkaTls.fromPkcs12Secret(secret('tls'), { passwordSecret: secret('pw') });
  const users = [{ username: 'a', passwordSecret: secret('a') }];
  const modes = [
    [new ListenerSecurity({}), 'PLAINTEXT', 'PLAINTEXT'],
    [new ListenerSecurity({ tls }), 'SSL', 'SSL'],
    [new ListenerSecurity({ authentication: KafkaAuthentication.SASL_PLAIN, users }), 'SASL_PLAINTEXT', 'PLAINTEXT'],
    [new ListenerSecurity({ tls, authentication: KafkaAuthentication.SASL_PLAIN, users }), 'SASL_SSL', 'SSL'],
  ] as const;
  for (const [s, client, node] of modes) expect([s.clientProtocol, s.nodeProtocol]).toEqual([client, node]);
  const sasl = modes[2][0];
  expect(sasl.nodeUsers(true).map((u) => [u.username, u.passwordKey])).toEqual([['a', 'password']]);
  expect(sasl.nodeUsers(false)).toEqual([]);
  expect(sasl.clientUser(undefined)).toMatchObject({ username: 'a' });
  expect(modes[0][0].clientUser(undefined)).toBeUndefined();
  expect(modes[0][0].clientUser('a')).toMatchObject({ code: 'KafkaBindUserWithoutSasl' });
});

test('client env: bootstrap and protocol always; SASL and truststore only when on', () => {
  expect(Object.keys(clientEnv({ bootstrapServers: 'b:9092', securityProtocol: 'PLAINTEXT' }))).toEqual(['KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_SECURITY_PROTOCOL']);
  const all = clientEnv({
    bootstrapServers: 'b:9092',
    securityProtocol: 'SASL_SSL',
    user: { username: 'a', passwordSecret: secret('a'), passwordKey: 'password' },
    truststorePassword: { secret: secret('pw'), key: 'password' },
  });
  expect(Object.keys(all)).toEqual([
    'KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_SECURITY_PROTOCOL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD',
    'KAFKA_SSL_CA_LOCATION', 'KAFKA_SSL_TRUSTSTORE_LOCATION', 'KAFKA_SSL_TRUSTSTORE_PASSWORD',
  ]);
});

test('pool sizing: defaults by role, heap half the memory limit, 1 GiB without a limit', () => {
  const broker = poolSizing(false);
  expect([broker.memoryLimit?.toMebibytes(), broker.heap.toMebibytes()]).toEqual([2048, 1024]);
  const controller = poolSizing(true);
  expect([controller.memoryLimit?.toMebibytes(), controller.heap.toMebibytes()]).toEqual([1024, 512]);
  expect(poolSizing(false, { cpu: { request: kplus.Cpu.millis(100) } }).heap.toMebibytes()).toBe(1024);
  expect(poolSizing(false, undefined, Size.mebibytes(300)).heap.toMebibytes()).toBe(300);
});
