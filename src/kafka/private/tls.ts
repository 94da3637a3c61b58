// Internal: the certificates of a KafkaCluster whose listeners use `KafkaTls.certManager()`, and
// the topic Jobs' own client keystore.
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problem } from './checks';
import { ValidationError } from '../../core/errors';
import { TlsCertificate } from '../../core/kit/tls';
import { KafkaTls } from '../listeners';

/**
 * Names the Secrets cert-manager writes for this cluster: `<name>-tls` (every node) and
 * `<name>-admin-tls` (the topic Jobs). Called before anything reads `tls.secret`.
 */
export function bindKafkaTls(cluster: Construct, tls: KafkaTls, name: string): void {
  if (!tls._issuer) return;
  const node = kplus.Secret.fromSecretName(cluster, 'TlsSecret', `${name}-tls`);
  const admin = kplus.Secret.fromSecretName(cluster, 'TlsAdminSecret', `${name}-admin-tls`);
  if (!tls._bind(node, admin)) {
    throw new ValidationError('KafkaTlsShared',
      `listeners.tls (KafkaTls.certManager) is used by another KafkaCluster already (its Secret is '${tls.secret.name}'); ` +
        'call KafkaTls.certManager() once per cluster (the Tls inside may be shared)', cluster);
  }
}

/**
 * The Certificates of `KafkaTls.certManager()`:
 * - `<name>-tls`, every node's: server and client authentication (INTERNAL and CONTROLLER require
 *   client certificates between nodes), the names of `tlsDnsNames` (computed when the app
 *   synthesizes, so pools added later are covered), PKCS#12 keystores;
 * - `<name>-admin-tls`, the topic Jobs' (CN `<name>-admin`, client authentication only): a Job
 *   never holds a node's private key, and a leaked Job keystore cannot serve as a broker.
 */
export function issueKafkaCertificates(cluster: Construct, tls: KafkaTls, name: string, labels: { [key: string]: string },
  dnsNames: () => string[]): TlsCertificate[] {
  const issuer = tls._issuer;
  if (!issuer) return [];
  const pkcs12 = { passwordSecretName: tls.passwordSecret.name, passwordKey: tls.passwordKey };
  return [
    issuer._issueWith(cluster, 'Tls', { name: `${name}-tls`, commonName: name, dnsNames: [], clientAuth: true, pkcs12, labels }, dnsNames),
    issuer.issue(cluster, 'AdminTls', { name: `${name}-admin-tls`, commonName: `${name}-admin`, dnsNames: [], serverAuth: false, clientAuth: true, pkcs12, labels }),
  ];
}

/** Topics need a client keystore of their own when the listeners use TLS. */
export function topicClientCertProblem(tls: KafkaTls | undefined): Problem | undefined {
  if (!tls || tls.clientSecret) return undefined;
  return {
    code: 'KafkaTopicClientCertMissing',
    message: "topics connect over TLS with a client certificate, and a topic Job must not get the brokers' private key: " +
      "pass KafkaTls.fromPkcs12Secret(secret, { passwordSecret, clientSecret: <a Secret with the Jobs' own keystore.p12 and truststore.p12> }), " +
      'or use KafkaTls.certManager(), which issues it',
  };
}
