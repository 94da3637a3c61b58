// A KafkaEndpoint turned into what a Connect worker or MirrorMaker 2 process needs: client
// properties (rendered into a ConfigMap, secrets as @@ENV@@ placeholders that
// assets/connect-config.sh fills at start), the env those placeholders read, and the volumes.
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problem } from './checks';
import { KafkaEndpoint, KafkaSaslMechanism, KafkaSecurityProtocol } from '../kafka-endpoint';
import { KafkaAuthentication } from '../listeners';
import { KafkaUser } from '../user';

/** Where the truststores and keystores of side `<side>` are mounted. */
export const CLIENT_STORES_DIR = '/etc/kafka-client-stores';

/** What one side (the cluster of a Connect worker, or source/target of MirrorMaker 2) needs. */
export interface ClientWiring {
  /** Client properties without prefix, in a stable order. */
  readonly props: Array<[string, string]>;
  readonly env: { [name: string]: kplus.EnvValue };
  readonly volumes: k8s.Volume[];
  readonly mounts: k8s.VolumeMount[];
  /** The bootstrap servers. */
  readonly bootstrapServers: string;
}

export interface ClientInput {
  readonly endpoint: KafkaEndpoint;
  /** The construct the client runs in (its chart's namespace). */
  readonly scope: Construct;
  /** Who asks, for messages: "KafkaConnect 'connect'". */
  readonly what: string;
  /** Prefix of env names and volume names: 'KAFKA', 'SOURCE', 'TARGET'. */
  readonly side: string;
  /** The user Connect created for itself (used when the endpoint names none). */
  readonly ownUser?: KafkaUser;
}

const JAAS: { [m: string]: string } = {
  'PLAIN': 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};
const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}$/;

/** The wiring of one side, or the problem. */
export function clientWiring(i: ClientInput): ClientWiring | Problem {
  return i.endpoint._cluster ? clusterWiring(i) : externalWiring(i);
}

/** A KafkaCluster endpoint in another namespace than the client (checked before anything is added to the cluster). */
export function namespaceProblem(i: ClientInput): Problem | undefined {
  const cluster = i.endpoint._cluster;
  if (!cluster) return undefined;
  const [own, theirs] = [Chart.of(i.scope).namespace, Chart.of(cluster).namespace];
  if (own !== theirs) {
    return {
      code: 'KafkaEndpointNamespaceMismatch',
      message: `${i.what} is in namespace '${own ?? '(none)'}' but Kafka '${cluster.name}' in '${theirs ?? '(none)'}'; ` +
        "put it in a chart of the cluster's namespace, or use KafkaEndpoint.external() with the cluster's qualified bootstrap address and copies of its Secrets",
    };
  }
  return undefined;
}

function clusterWiring(i: ClientInput): ClientWiring | Problem {
  const cluster = i.endpoint._cluster!;
  const misplaced = namespaceProblem(i);
  if (misplaced) return misplaced;
  const side = i.side;
  const lower = side.toLowerCase();
  const bootstrapServers = `${cluster.bootstrapService.name}:${cluster.clientPort}`;
  const w = new Builder(bootstrapServers, cluster.clientProtocol);
  const mode = cluster.authentication;
  const users = cluster.users;
  if (mode === KafkaAuthentication.SASL_PLAIN) {
    return {
      code: 'KafkaEndpointPlainUnsupported',
      message: `${i.what}: Kafka '${cluster.name}' uses SASL_PLAIN, whose users are fixed in the brokers' JAAS file; ` +
        'use KafkaAuthentication.SCRAM_SHA_512 (users and ACLs at run time), or KafkaEndpoint.external() with the PLAIN credentials',
    };
  }
  if (mode === KafkaAuthentication.NONE && i.endpoint._user) {
    return {
      code: 'KafkaEndpointUserUnexpected',
      message: `${i.what}: user '${i.endpoint._user}' given but Kafka '${cluster.name}' does not authenticate clients; leave user out or turn authentication on`,
    };
  }
  if (mode === KafkaAuthentication.SCRAM_SHA_512 || mode === KafkaAuthentication.MTLS) {
    const name = i.endpoint._user;
    const user = name === undefined ? i.ownUser : users.find((u) => u.username === name);
    if (!user) {
      return name === undefined
        ? { code: 'KafkaEndpointUserRequired', message: `${i.what}: Kafka '${cluster.name}' authenticates clients; name a user: KafkaEndpoint.fromCluster(cluster, { user: '...' }) with a user of addUser()` }
        : { code: 'KafkaEndpointUserUnknown', message: `${i.what}: Kafka '${cluster.name}' has no user '${name}'; users are: ${users.map((u) => u.username).join(', ') || '(none: add one with addUser)'}` };
    }
    if (mode === KafkaAuthentication.SCRAM_SHA_512) {
      w.sasl(side, 'SCRAM-SHA-512', user.username, user.passwordSecret!, user.passwordKey);
    } else if (!user.certificate) {
      return {
        code: 'KafkaEndpointUserCertificateMissing',
        message: `${i.what}: Kafka '${cluster.name}' authenticates clients by certificate (MTLS) and user '${user.username}' has none; set certificate on addUser('${user.username}', ...)`,
      };
    } else {
      const cert = user.certificate;
      w.store(side, `${lower}-keystore`, 'keystore', cert.secret, 'keystore.p12', 'PKCS12', { secret: cert.passwordSecret, key: cert.passwordKey });
    }
  }
  const tls = cluster.tls;
  // Only the truststore: the cluster's TLS Secret also holds the brokers' private key.
  if (tls) w.store(side, `${lower}-truststore`, 'truststore', tls.secret, 'truststore.p12', 'PKCS12', { secret: tls.passwordSecret, key: tls.passwordKey });
  return w.build();
}

function externalWiring(i: ClientInput): ClientWiring | Problem {
  const x = i.endpoint._external!;
  const side = i.side;
  const servers = x.bootstrapServers.split(',').map((s) => s.trim());
  if (!servers.every((s) => HOST_PORT.test(s))) {
    return { code: 'KafkaEndpointBootstrapInvalid', message: `${i.what}: bootstrapServers must be comma-separated host:port, got '${x.bootstrapServers}'` };
  }
  const protocol = x.securityProtocol ?? KafkaSecurityProtocol.PLAINTEXT;
  const sasl = protocol.startsWith('SASL_');
  const ssl = protocol.endsWith('SSL');
  if (sasl && (!x.username || !x.passwordSecret)) {
    return { code: 'KafkaEndpointCredentialsMissing', message: `${i.what}: securityProtocol ${protocol} needs username and passwordSecret` };
  }
  if (!sasl && (x.username || x.passwordSecret || x.saslMechanism)) {
    return { code: 'KafkaEndpointCredentialsUnused', message: `${i.what}: username, passwordSecret or saslMechanism given with securityProtocol ${protocol}; use SASL_SSL (or SASL_PLAINTEXT), or leave them out` };
  }
  if (!ssl && x.caSecret) {
    return { code: 'KafkaEndpointCredentialsUnused', message: `${i.what}: caSecret given with securityProtocol ${protocol}, which does not use TLS; use SSL or SASL_SSL, or leave it out` };
  }
  if (x.username && /["\\\s]/.test(x.username)) {
    return { code: 'KafkaEndpointCredentialsInvalid', message: `${i.what}: username '${x.username}' contains a quote, a backslash or a space, which sasl.jaas.config cannot hold` };
  }
  const w = new Builder(servers.join(','), protocol);
  if (sasl) w.sasl(side, x.saslMechanism ?? KafkaSaslMechanism.SCRAM_SHA_512, x.username!, x.passwordSecret!, x.passwordKey ?? 'password');
  if (x.caSecret) w.store(side, `${side.toLowerCase()}-ca`, 'truststore', x.caSecret, x.caKey ?? 'ca.crt', 'PEM');
  return w.build();
}

class Builder {
  private readonly props: Array<[string, string]> = [];
  private readonly env: { [name: string]: kplus.EnvValue } = {};
  private readonly volumes: k8s.Volume[] = [];
  private readonly mounts: k8s.VolumeMount[] = [];

  constructor(private readonly bootstrapServers: string, protocol: string) {
    this.props.push(['bootstrap.servers', bootstrapServers], ['security.protocol', protocol]);
  }

  public sasl(side: string, mechanism: string, username: string, secret: kplus.ISecret, key: string): void {
    const envName = `${side}_SASL_PASSWORD`;
    this.env[envName] = kplus.EnvValue.fromSecretValue({ secret, key });
    this.props.push(['sasl.mechanism', mechanism],
      ['sasl.jaas.config', `${JAAS[mechanism]} required username="${username}" password="@@${envName}@@";`]);
  }

  /** A truststore or keystore file from a Secret (only that key is mounted), and its password. */
  public store(side: string, volume: string, kind: 'truststore' | 'keystore', secret: kplus.ISecret, key: string, type: string,
    password?: { secret: kplus.ISecret; key: string }): void {
    const dir = `${CLIENT_STORES_DIR}/${volume}`;
    const file = type === 'PEM' ? 'ca.crt' : `${kind}.p12`;
    this.volumes.push({ name: volume, secret: { secretName: secret.name, items: [{ key, path: file }] } });
    this.mounts.push({ name: volume, mountPath: dir, readOnly: true });
    this.props.push([`ssl.${kind}.type`, type], [`ssl.${kind}.location`, `${dir}/${file}`]);
    if (password) {
      const envName = `${side}_${kind.toUpperCase()}_PASSWORD`;
      this.env[envName] = kplus.EnvValue.fromSecretValue(password);
      this.props.push([`ssl.${kind}.password`, `@@${envName}@@`]);
    }
  }

  public build(): ClientWiring {
    return { props: this.props, env: this.env, volumes: this.volumes, mounts: this.mounts, bootstrapServers: this.bootstrapServers };
  }
}

/** Admits the pods on the cluster's client port when the endpoint is a KafkaCluster of this app. */
export function admitOnCluster(endpoint: KafkaEndpoint, scope: Construct, id: string, labels: { [k: string]: string }): void {
  const cluster = endpoint._cluster;
  if (!cluster) return;
  cluster.connections.allowFrom(kplus.Pods.select(scope, id, { labels }), ['client']);
}

/** `key=value` lines. */
export function propertiesFile(header: string[], props: Array<[string, string]>): string {
  return [...header.map((h) => `# ${h}`), ...props.map(([k, v]) => `${k}=${v}`), ''].join('\n');
}
