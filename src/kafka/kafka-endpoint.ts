import * as kplus from 'cdk8s-plus-28';
import { KafkaCluster } from './kafka-cluster';

/** `security.protocol` of a Kafka client. */
export enum KafkaSecurityProtocol {
  PLAINTEXT = 'PLAINTEXT',
  SSL = 'SSL',
  SASL_PLAINTEXT = 'SASL_PLAINTEXT',
  SASL_SSL = 'SASL_SSL',
}

/** `sasl.mechanism` of a Kafka client. */
export enum KafkaSaslMechanism {
  PLAIN = 'PLAIN',
  SCRAM_SHA_256 = 'SCRAM-SHA-256',
  SCRAM_SHA_512 = 'SCRAM-SHA-512',
}

/** A Kafka cluster this library does not run (another team's, a managed service). */
export interface KafkaExternalClusterOptions {
  /** `bootstrap.servers`: comma-separated `host:port`. */
  readonly bootstrapServers: string;
  /** @default KafkaSecurityProtocol.PLAINTEXT */
  readonly securityProtocol?: KafkaSecurityProtocol;
  /** With `SASL_*` protocols. @default KafkaSaslMechanism.SCRAM_SHA_512 */
  readonly saslMechanism?: KafkaSaslMechanism;
  /** SASL user name (required with `SASL_*` protocols). @default - none */
  readonly username?: string;
  /** Secret with the SASL password (required with `SASL_*` protocols). @default - none */
  readonly passwordSecret?: kplus.ISecret;
  /** Key of the password in `passwordSecret`. @default 'password' */
  readonly passwordKey?: string;
  /**
   * With `SSL`/`SASL_SSL`: a Secret holding the CA certificate(s) in PEM that signed the
   * brokers' certificates, read as a PEM truststore (`ssl.truststore.type=PEM`, KIP-651).
   * @default - the JVM's default truststore (public CAs)
   */
  readonly caSecret?: kplus.ISecret;
  /** Key of the PEM CA in `caSecret`. @default 'ca.crt' */
  readonly caKey?: string;
}

/** How a Connect worker or MirrorMaker 2 logs in to a `KafkaCluster`. */
export interface KafkaClusterEndpointOptions {
  /**
   * The user (`addUser`) to log in as, with SCRAM or mTLS. `KafkaConnect` creates its own user
   * with the ACLs it needs when this is left out; `KafkaMirrorMaker2` needs one.
   * @default - no user (a cluster without authentication), or the Connect worker's own
   */
  readonly user?: string;
}

/**
 * The Kafka cluster a `KafkaConnect` or `KafkaMirrorMaker2` talks to: one this library runs
 * (`fromCluster`, same namespace: bootstrap Service, TLS truststore, SCRAM password or client
 * certificate, and a NetworkPolicy rule on the brokers) or any other (`external`).
 */
export class KafkaEndpoint {
  /** A `KafkaCluster` of this app, in the same namespace. */
  public static fromCluster(cluster: KafkaCluster, options: KafkaClusterEndpointOptions = {}): KafkaEndpoint {
    return new KafkaEndpoint(cluster, options.user, undefined);
  }

  /** A cluster outside this app, by its bootstrap servers and security settings. */
  public static external(options: KafkaExternalClusterOptions): KafkaEndpoint {
    return new KafkaEndpoint(undefined, undefined, options);
  }

  /** @internal */
  public readonly _cluster?: KafkaCluster;
  /** @internal */
  public readonly _user?: string;
  /** @internal */
  public readonly _external?: KafkaExternalClusterOptions;

  private constructor(cluster: KafkaCluster | undefined, user: string | undefined, external: KafkaExternalClusterOptions | undefined) {
    this._cluster = cluster;
    this._user = user;
    this._external = external;
  }

  /** The bootstrap servers (the cluster's bootstrap Service, or the external list). */
  public get bootstrapServers(): string {
    return this._cluster ? this._cluster.bootstrapServers : this._external!.bootstrapServers;
  }
}
