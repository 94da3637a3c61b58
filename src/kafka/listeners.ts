import * as kplus from 'cdk8s-plus-28';
import { ExternalListener } from './external-listener';
import { Tls } from '../core/kit/tls';

/** How clients authenticate on the client listener. */
export enum KafkaAuthentication {
  /** No authentication: anyone the NetworkPolicy lets in can produce and consume. */
  NONE = 'none',
  /**
   * SASL/PLAIN with users whose passwords come from Secrets (`listeners.users`), fixed in the
   * brokers' JAAS configuration: adding or changing a user restarts every broker. Needs `tls`.
   * No authorizer: every user may do everything. Prefer `SCRAM_SHA_512`.
   */
  SASL_PLAIN = 'sasl-plain',
  /**
   * SASL/SCRAM-SHA-512 on the client listener (SASL_SSL), users and ACLs added with
   * `cluster.addUser()` and created, rotated and removed at run time by the users Job: no broker
   * restart. `StandardAuthorizer` denies whatever no ACL allows. Needs `tls`.
   *
   * No format-time credential (`kafka-storage format --add-scram`) is needed: brokers and
   * controllers authenticate each other by certificate (mTLS), never by SCRAM, so every SCRAM
   * credential can be written once the cluster runs (`kafka-configs.sh --bootstrap-server`).
   * @see https://kafka.apache.org/documentation/#security_sasl_scram_credentials
   */
  SCRAM_SHA_512 = 'scram-sha-512',
  /**
   * Mutual TLS on the client listener: clients present a certificate of the cluster's CA whose
   * subject CN is the user name (`ssl.principal.mapping.rules`). ACLs as with SCRAM. Needs `tls`.
   */
  MTLS = 'mtls',
}

/** Where the password of a PKCS#12 keystore is kept. */
export interface KafkaPkcs12Options {
  /** Secret holding the keystore and truststore password (cert-manager `keystores.pkcs12.passwordSecretRef`). */
  readonly passwordSecret: kplus.ISecret;
  /** Key of the password in `passwordSecret`. @default 'password' */
  readonly passwordKey?: string;
}

/** Options of `KafkaTls.fromPkcs12Secret()`. */
export interface KafkaPkcs12SecretOptions extends KafkaPkcs12Options {
  /**
   * A Secret with the topic Jobs' own client keystore (`keystore.p12`, `truststore.p12`, same
   * password), its certificate signed by a CA the brokers trust, usable for client
   * authentication. Required for topics: a Job never gets the brokers' private key.
   * @default - none: `addTopic` is refused
   */
  readonly clientSecret?: kplus.ISecret;
}

/**
 * TLS material for the listeners. cert-manager writes it when the Certificate sets
 * `keystores.pkcs12.create: true`: `keystore.p12`, `truststore.p12` (and `tls.crt`, `tls.key`,
 * `ca.crt`, of which clients get `ca.crt`). `KafkaTls.certManager()` emits those Certificates
 * itself (brokers, and the topic Jobs' own client certificate).
 *
 * PEM-only Secrets are not accepted: Kafka's file PEM keystore needs the PKCS#8 key and the
 * chain in one file, which a Secret volume cannot concatenate.
 */
export class KafkaTls {
  /**
   * A Secret with `keystore.p12` and `truststore.p12` (cert-manager's PKCS#12 keystores).
   * The certificate must cover every name in `KafkaCluster.tlsDnsNames` and be usable for
   * both server and client authentication (brokers and controllers authenticate each other).
   */
  public static fromPkcs12Secret(secret: kplus.ISecret, options: KafkaPkcs12SecretOptions): KafkaTls {
    return new KafkaTls(secret, options.passwordSecret, options.passwordKey ?? 'password', options.clientSecret, undefined);
  }

  /**
   * Certificates from cert-manager, PKCS#12 keystores protected by `passwordSecret` (which you
   * create, or a `GeneratedSecret`): `<cluster>-tls` for every node (server and client
   * authentication, the names of `tlsDnsNames`) and `<cluster>-admin-tls`, the topic Jobs' own
   * client certificate. Needs the chart's namespace. Brokers load a renewed keystore without a
   * restart (see docs/kafka.md, "Encrypt the listeners").
   */
  public static certManager(tls: Tls, options: KafkaPkcs12Options): KafkaTls {
    return new KafkaTls(undefined, options.passwordSecret, options.passwordKey ?? 'password', undefined, tls);
  }

  /** The Secret with the keystore password. */
  public readonly passwordSecret: kplus.ISecret;
  /** The key of the password in `passwordSecret`. */
  public readonly passwordKey: string;
  /** @internal The issuer of `certManager()`. */
  public readonly _issuer?: Tls;
  private brokerSecret?: kplus.ISecret;
  private adminSecret?: kplus.ISecret;

  private constructor(
    secret: kplus.ISecret | undefined, passwordSecret: kplus.ISecret, passwordKey: string,
    clientSecret: kplus.ISecret | undefined, issuer: Tls | undefined,
  ) {
    this.brokerSecret = secret;
    this.adminSecret = clientSecret;
    this.passwordSecret = passwordSecret;
    this.passwordKey = passwordKey;
    this._issuer = issuer;
  }

  /** The Secret with keystore.p12, truststore.p12 and ca.crt (of `certManager()`: once a cluster uses it). */
  public get secret(): kplus.ISecret {
    if (!this.brokerSecret) throw new Error('KafkaTls.certManager(): the Secret is named by the KafkaCluster that uses it; pass it to one first');
    return this.brokerSecret;
  }

  /** The topic Jobs' client keystore Secret, when there is one. */
  public get clientSecret(): kplus.ISecret | undefined {
    return this.adminSecret;
  }

  /** @internal `certManager()`: the Secrets cert-manager writes for this cluster; false when used by another cluster already. */
  public _bind(secret: kplus.ISecret, clientSecret: kplus.ISecret): boolean {
    if (this.brokerSecret) return false;
    this.brokerSecret = secret;
    this.adminSecret = clientSecret;
    return true;
  }
}

/** A SASL/PLAIN user of the client listener. */
export interface KafkaSaslUser {
  /** User name: letters, digits, '.', '_' and '-'. */
  readonly username: string;
  /** Secret holding the password (it must not contain `"` or `\`, which JAAS would misread). */
  readonly passwordSecret: kplus.ISecret;
  /** @default 'password' */
  readonly passwordKey?: string;
}

/**
 * Listeners. Every node has up to three: CLIENT (applications), INTERNAL (broker to broker)
 * and CONTROLLER (the KRaft quorum). INTERNAL and CONTROLLER are reachable only from the
 * cluster's own pods (and topic Jobs), through the NetworkPolicy.
 */
export interface KafkaListenersOptions {
  /** @default 9092 */
  readonly clientPort?: number;
  /** @default 9093 */
  readonly controllerPort?: number;
  /** @default 9094 */
  readonly internalPort?: number;
  /**
   * TLS on every listener: the client listener encrypts, INTERNAL and CONTROLLER also require
   * a client certificate (mutual TLS between nodes).
   * @default - no TLS (PLAINTEXT)
   */
  readonly tls?: KafkaTls;
  /** @default KafkaAuthentication.NONE */
  readonly authentication?: KafkaAuthentication;
  /** Users for `KafkaAuthentication.SASL_PLAIN`. @default - none */
  readonly users?: KafkaSaslUser[];
  /**
   * With SCRAM or mTLS authentication: the subject CN of the nodes' certificate (the `tls` keystore).
   * Nodes authenticate to each other with it and it is the only super user (`super.users`), so
   * the Certificate behind `tls` must set `commonName` to it (`cluster.nodeCommonName`).
   * @default - `<cluster name>-node`
   */
  readonly nodeCommonName?: string;
  /**
   * Access from outside Kubernetes (issue 13 part 2): an EXTERNAL listener on every broker with a
   * Service per broker. Needs `tls` and an authentication.
   * @default - none: clients inside the cluster only
   */
  readonly external?: ExternalListener;
}

/**
 * Secrets in a bound client's own namespace. A pod can only read Secrets of its namespace, so a
 * client in another namespace than the cluster needs copies of what it uses (made by you, or by
 * a tool such as external-secrets or reflector). Each holds the same keys as the cluster's
 * Secret it stands for.
 */
export interface KafkaClientSecrets {
  /**
   * The SASL user's password, under the user's `passwordKey`.
   * @default - the user's `passwordSecret` (the cluster's namespace only)
   */
  readonly password?: kplus.ISecret;
  /**
   * TLS: `ca.crt` and `truststore.p12` (copy only these keys of the cluster's TLS Secret, never
   * its private key).
   * @default - the cluster's TLS Secret (the cluster's namespace only)
   */
  readonly tls?: kplus.ISecret;
  /**
   * TLS: the truststore password, under the `passwordKey` of the cluster's `KafkaTls`.
   * @default - the cluster's TLS password Secret (the cluster's namespace only)
   */
  readonly tlsPassword?: kplus.ISecret;
}

/** Options of `bind`. */
export interface KafkaBindOptions {
  /**
   * SASL user whose credentials the workload gets. Required with SASL when there is more than
   * one user.
   * @default - the only user, when there is exactly one
   */
  readonly user?: string;
  /**
   * Secrets in the client's namespace. Required for a client in another namespace when the
   * cluster uses SASL or TLS (the error says which).
   * @default - the cluster's own Secrets (clients in the cluster's namespace)
   */
  readonly clientSecrets?: KafkaClientSecrets;
}
