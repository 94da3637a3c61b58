// Internal: the certificates of a KafkaCluster whose listeners use `KafkaTls.certManager()`, and
// the topic Jobs' own client keystore.
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problem } from './checks';
import { LISTENER_CLIENT, LISTENER_EXTERNAL, LISTENER_INTERNAL, TLS_DIR } from './node-env';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { TlsCertificate } from '../../core/kit/tls';
import { LabelKeys } from '../../core/labels';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
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
 *   Its common name is the nodes' identity (`listeners.nodeCommonName`, a super user when the
 *   listeners authenticate).
 * - `<name>-admin-tls`, the Jobs' (CN `<name>-admin`, client authentication only; a super user
 *   beside the nodes when the listeners authenticate, adminCommonName): a Job
 *   never holds a node's private key, and a leaked Job keystore cannot serve as a broker.
 */
export function issueKafkaCertificates(cluster: Construct, tls: KafkaTls, name: string, labels: { [key: string]: string },
  dnsNames: () => string[], nodeCommonName: string = name): TlsCertificate[] {
  const issuer = tls._issuer;
  if (!issuer) return [];
  const pkcs12 = { passwordSecretName: tls.passwordSecret.name, passwordKey: tls.passwordKey };
  return [
    issuer._issueWith(cluster, 'Tls', { name: `${name}-tls`, commonName: nodeCommonName, dnsNames: [], clientAuth: true, pkcs12, labels }, dnsNames),
    issuer.issue(cluster, 'AdminTls', { name: `${name}-admin-tls`, commonName: adminCommonName(name), dnsNames: [], serverAuth: false, clientAuth: true, pkcs12, labels }),
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

/** What the keystore-reload sidecar needs. */
export interface KeystoreReloadInput {
  readonly image: string;
  readonly internalPort: number;
  readonly password: { readonly secret: kplus.ISecret; readonly key: string };
  /** The broker has an EXTERNAL listener (listeners.external), reloaded too. @default false */
  readonly external?: boolean;
}

/**
 * Brokers pick up a renewed keystore without a restart: the `keystore-reload` sidecar
 * (assets/keystore-reload.sh) re-sets the CLIENT and INTERNAL listeners' keystore location when
 * the mounted keystore changes. Not for the CONTROLLER listener: the KRaft client connections
 * (RaftManager) ignored dynamic SSL updates (apache/kafka#21333), so controllers take a renewed
 * certificate at their next restart, well within `renewBefore` (docs/kafka.md).
 */
export function addKeystoreReload(w: StatefulWorkload, i: KeystoreReloadInput): void {
  w.addSidecar({
    name: 'keystore-reload',
    image: i.image,
    command: ['bash', '-c', loadAsset('kafka/assets/keystore-reload.sh')],
    env: {
      // Defined first: BOOTSTRAP refers to them.
      POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
      // The broker's own INTERNAL listener, by the name its certificate holds.
      BOOTSTRAP: kplus.EnvValue.fromValue(`${w.runtimeDnsName()}:${i.internalPort}`),
      KAFKA_NODE_ID: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: LabelKeys.POD_INDEX }),
      LISTENERS: kplus.EnvValue.fromValue([LISTENER_CLIENT, LISTENER_INTERNAL, ...(i.external ? [LISTENER_EXTERNAL] : [])].map((l) => l.toLowerCase()).join(' ')),
      TLS_DIR: kplus.EnvValue.fromValue(TLS_DIR),
      TLS_STORE_PASSWORD: kplus.EnvValue.fromSecretValue(i.password),
      INTERVAL: kplus.EnvValue.fromValue('60'),
    },
    mounts: [{ volume: 'tls', mountPath: TLS_DIR, readOnly: true }, { volume: 'scratch-tmp', mountPath: '/tmp' }],
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(256) } },
  });
}

/** The common name of the Jobs' own client certificate (`<name>-admin-tls`), a super user with authentication. */
export function adminCommonName(clusterName: string): string {
  return `${clusterName}-admin`;
}
