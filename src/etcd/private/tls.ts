// Internal: client and peer TLS of an EtcdCluster (`tls` prop) from the kit's Tls.
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MemberTlsFiles } from './flags';
import { ValidationError } from '../../core/errors';
import { Tls, TlsCertificate } from '../../core/kit/tls';
import { LabelKeys } from '../../core/labels';
import { StatefulWorkload } from '../../core/workload/stateful-workload';

/** Where the members' certificate is mounted. */
const MEMBER_TLS_DIR = '/etc/etcd/tls';
/** Where a bound client finds the CA certificate. */
export const CLIENT_CA_DIR = '/etc/etcd-ca';

/**
 * The members' certificate (every pod and Service name, server and client authentication: members
 * are each other's clients on the peer port, which requires a certificate), mounted read-only, and
 * ETCDCTL_CACERT for the join script's etcdctl (etcdctl reads its flags from ETCDCTL_* env).
 */
export function serveEtcdTls(scope: Construct, tls: Tls, w: StatefulWorkload): { cert: TlsCertificate; files: MemberTlsFiles } {
  Tls.workloadDnsNames(w); // needs the namespace: thrown here, not at synthesis
  const cert = tls._issueWith(scope, 'Tls', {
    name: `${w.name}-tls`,
    dnsNames: [],
    clientAuth: true,
    labels: { [LabelKeys.NAME]: 'etcd', [LabelKeys.INSTANCE]: w.name },
  }, () => Tls.workloadDnsNames(w));
  cert.mount(w, { mountPath: MEMBER_TLS_DIR });
  const files = { certFile: `${MEMBER_TLS_DIR}/${cert.certKey}`, keyFile: `${MEMBER_TLS_DIR}/${cert.keyKey}`, caFile: `${MEMBER_TLS_DIR}/${cert.caKey}` };
  w.addEnv('ETCDCTL_CACERT', kplus.EnvValue.fromValue(files.caFile));
  return { cert, files };
}

/**
 * A bound client verifies the members: the CA certificate alone (never the key) at
 * /etc/etcd-ca/ca.crt and ETCDCTL_CACERT; from another namespace out of `caSecret` there.
 */
export function bindEtcdCa(
  cluster: Construct, workload: kplus.Workload, cert: TlsCertificate, caSecret: kplus.ISecret | undefined, remote: boolean, id: string,
): void {
  if (remote && !caSecret) {
    throw new ValidationError('EtcdBindCaSecretMissing',
      `bind: '${workload.node.path}' is in another namespace and the cluster serves TLS: the client needs the CA certificate, and the Secret ` +
        `'${cert.secretName}' is in the cluster's namespace; copy its '${cert.caKey}' (only that key) into a Secret in the workload's namespace ` +
        'and pass { caSecret }', cluster);
  }
  const secret = caSecret ?? kplus.Secret.fromSecretName(cluster, `${id}CaSecret`, cert.secretName);
  const volume = kplus.Volume.fromSecret(workload, `${id}-etcd-ca`, secret, {
    name: `${id.toLowerCase()}-etcd-ca`, items: { [cert.caKey]: { path: 'ca.crt' } }, defaultMode: 0o444,
  });
  for (const c of workload.containers) {
    c.env.addVariable('ETCDCTL_CACERT', kplus.EnvValue.fromValue(`${CLIENT_CA_DIR}/ca.crt`));
    c.mount(CLIENT_CA_DIR, volume, { readOnly: true });
  }
}
