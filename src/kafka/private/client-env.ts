import * as kplus from 'cdk8s-plus-28';
import { Problem } from './checks';
import { NodeUser } from './node-env';
import { KafkaClientSecrets, KafkaTls } from '../listeners';

/** Where a bound client finds the cluster CA and truststore. */
export const CLIENT_TLS_DIR = '/etc/kafka-client';
/** Where a client bound as an mTLS user finds its keystore. */
export const CLIENT_CERT_DIR = '/etc/kafka-client-cert';

/** What a bound client is told about the cluster. */
export interface ClientEnvInput {
  readonly bootstrapServers: string;
  readonly securityProtocol: string;
  /** The SASL user the client logs in as (PLAIN unless `mechanism` says otherwise). */
  readonly user?: { readonly username: string; readonly passwordSecret: kplus.ISecret; readonly passwordKey: string; readonly mechanism?: string };
  /** mTLS: the user's keystore (`keystore.p12`, mounted at CLIENT_CERT_DIR) and its password. */
  readonly keystorePassword?: { readonly secret: kplus.ISecret; readonly key: string };
  /** The truststore password, when TLS is on. */
  readonly truststorePassword?: { readonly secret: kplus.ISecret; readonly key: string };
}

/** The env vars `KafkaCluster.bind` gives every container of a client, in order. */
export function clientEnv(i: ClientEnvInput): { [name: string]: kplus.EnvValue } {
  const env: { [k: string]: kplus.EnvValue } = {
    KAFKA_BOOTSTRAP_SERVERS: kplus.EnvValue.fromValue(i.bootstrapServers),
    KAFKA_SECURITY_PROTOCOL: kplus.EnvValue.fromValue(i.securityProtocol),
  };
  if (i.user) {
    env.KAFKA_SASL_MECHANISM = kplus.EnvValue.fromValue(i.user.mechanism ?? 'PLAIN');
    env.KAFKA_SASL_USERNAME = kplus.EnvValue.fromValue(i.user.username);
    env.KAFKA_SASL_PASSWORD = kplus.EnvValue.fromSecretValue({ secret: i.user.passwordSecret, key: i.user.passwordKey });
    if (i.user.mechanism === 'SCRAM-SHA-512') {
      // Java clients take sasl.jaas.config; the kubelet expands $(KAFKA_SASL_PASSWORD), defined just above.
      env.KAFKA_SASL_JAAS_CONFIG = kplus.EnvValue.fromValue(
        `org.apache.kafka.common.security.scram.ScramLoginModule required username="${i.user.username}" password="$(KAFKA_SASL_PASSWORD)";`);
    }
  }
  if (i.keystorePassword) {
    env.KAFKA_SSL_KEYSTORE_TYPE = kplus.EnvValue.fromValue('PKCS12');
    env.KAFKA_SSL_KEYSTORE_LOCATION = kplus.EnvValue.fromValue(`${CLIENT_CERT_DIR}/keystore.p12`);
    env.KAFKA_SSL_KEYSTORE_PASSWORD = kplus.EnvValue.fromSecretValue(i.keystorePassword);
  }
  if (i.truststorePassword) {
    env.KAFKA_SSL_CA_LOCATION = kplus.EnvValue.fromValue(`${CLIENT_TLS_DIR}/ca.crt`);
    env.KAFKA_SSL_TRUSTSTORE_LOCATION = kplus.EnvValue.fromValue(`${CLIENT_TLS_DIR}/truststore.p12`);
    env.KAFKA_SSL_TRUSTSTORE_PASSWORD = kplus.EnvValue.fromSecretValue(i.truststorePassword);
  }
  return env;
}


/** What `bind` knows about the cluster and the client. */
export interface BindInput {
  readonly cluster: string;
  readonly clusterNamespace?: string;
  readonly clientNamespace?: string;
  /** The client's construct path (for messages). */
  readonly client: string;
  readonly user?: NodeUser & { readonly mechanism?: string };
  readonly tls?: KafkaTls;
  readonly secrets: KafkaClientSecrets;
}

/** Which Secrets a bound client reads, and whether it shares the cluster's namespace. */
export interface BindPlan {
  readonly sameNamespace: boolean;
  readonly clientNamespace?: string;
  readonly user?: ClientEnvInput['user'];
  readonly truststorePassword?: ClientEnvInput['truststorePassword'];
  readonly ca?: kplus.ISecret;
}

/**
 * A client in another namespace than the cluster: both namespaces must be known (the
 * NetworkPolicy names the client's, the client resolves the cluster's), and every Secret it
 * reads must exist in its own namespace (`clientSecrets`).
 */
export function bindPlan(i: BindInput): BindPlan | Problem {
  const same = i.clusterNamespace === i.clientNamespace;
  if (!same && (!i.clusterNamespace || !i.clientNamespace)) {
    const which = i.clientNamespace ? "the Kafka cluster's chart" : `the chart of '${i.client}'`;
    return {
      code: 'KafkaBindNamespaceUnknown',
      message: `bind('${i.client}'): ${which} has no namespace while the other has '${i.clusterNamespace ?? i.clientNamespace}': ` +
        "the NetworkPolicy must name the client's namespace and the client must resolve the cluster's; set `namespace` on both charts (or on neither, to share one)",
    };
  }
  const missing: string[] = [];
  if (!same && i.user && !i.secrets.password) missing.push(`clientSecrets.password (key '${i.user.passwordKey}', the password of SASL user '${i.user.username}')`);
  if (!same && i.tls && !i.secrets.tls) missing.push("clientSecrets.tls (keys 'ca.crt' and 'truststore.p12' of the cluster's TLS Secret, not its private key)");
  if (!same && i.tls && !i.secrets.tlsPassword) missing.push(`clientSecrets.tlsPassword (key '${i.tls.passwordKey}', the truststore password)`);
  if (missing.length) {
    return {
      code: 'KafkaBindSecretsMissing',
      message: `bind('${i.client}'): the client is in namespace '${i.clientNamespace}' and Kafka '${i.cluster}' in '${i.clusterNamespace}'; ` +
        `a pod reads Secrets of its own namespace only, so give copies there: ${missing.join('; ')}`,
    };
  }
  const s = i.secrets;
  return {
    sameNamespace: same,
    clientNamespace: i.clientNamespace,
    user: i.user && {
      username: i.user.username, passwordSecret: s.password ?? i.user.passwordSecret, passwordKey: i.user.passwordKey, mechanism: i.user.mechanism,
    },
    truststorePassword: i.tls && { secret: s.tlsPassword ?? i.tls.passwordSecret, key: i.tls.passwordKey },
    ca: i.tls && (s.tls ?? i.tls.secret),
  };
}
