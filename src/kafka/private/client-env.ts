import * as kplus from 'cdk8s-plus-28';

/** Where a bound client finds the cluster CA and truststore. */
export const CLIENT_TLS_DIR = '/etc/kafka-client';

/** What a bound client is told about the cluster. */
export interface ClientEnvInput {
  readonly bootstrapServers: string;
  readonly securityProtocol: string;
  /** The SASL/PLAIN user the client logs in as. */
  readonly user?: { readonly username: string; readonly passwordSecret: kplus.ISecret; readonly passwordKey: string };
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
    env.KAFKA_SASL_MECHANISM = kplus.EnvValue.fromValue('PLAIN');
    env.KAFKA_SASL_USERNAME = kplus.EnvValue.fromValue(i.user.username);
    env.KAFKA_SASL_PASSWORD = kplus.EnvValue.fromSecretValue({ secret: i.user.passwordSecret, key: i.user.passwordKey });
  }
  if (i.truststorePassword) {
    env.KAFKA_SSL_CA_LOCATION = kplus.EnvValue.fromValue(`${CLIENT_TLS_DIR}/ca.crt`);
    env.KAFKA_SSL_TRUSTSTORE_LOCATION = kplus.EnvValue.fromValue(`${CLIENT_TLS_DIR}/truststore.p12`);
    env.KAFKA_SSL_TRUSTSTORE_PASSWORD = kplus.EnvValue.fromSecretValue(i.truststorePassword);
  }
  return env;
}

