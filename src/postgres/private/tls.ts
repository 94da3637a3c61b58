// Internal: the server certificate of a PostgresCluster (`tls` prop) and what a bound client needs
// to verify it (sslmode=verify-full with the CA).
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PORT, SUPERUSER } from './replication';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { Tls, TlsCertificate } from '../../core/kit/tls';
import { LabelKeys } from '../../core/labels';
import { StatefulWorkload } from '../../core/workload/stateful-workload';

/**
 * Where the server certificate is mounted. Not under Spilo's RW_DIR/certs (/run/certs): launch.sh
 * runs `chown -R postgres: "$RW_DIR/certs"` and configure_spilo.py writes its self-signed pair there.
 */
export const SERVER_TLS_DIR = '/etc/postgres-tls';
/** Where a bound client finds the CA certificate (PGSSLROOTCERT). */
export const CLIENT_CA_DIR = '/etc/postgres-ca';
/** The sslmode of clients when the cluster has a certificate: encrypted, CA-verified, host name checked. */
export const VERIFY_FULL = 'verify-full';
/** How often the streaming mode's sidecar looks for a renewed certificate. */
const RELOAD_INTERVAL_SECONDS = 60;

/** What the server side needs from the cluster. */
export interface ServerTlsContext {
  readonly workload: StatefulWorkload;
  /** Patroni (Spilo) or the official image. */
  readonly patroni: boolean;
  /** The database image (the reload sidecar runs it too: psql, sha256sum). */
  readonly image: string;
  /** The superuser password, for the reload sidecar's pg_reload_conf(). */
  readonly superuserPassword: kplus.EnvValue;
}

/**
 * Issues the server certificate (every pod, the headless, read-write and read-only Services, in
 * all four name forms) and serves it:
 *
 * - Patroni: Spilo's SSL_CERTIFICATE_FILE / SSL_PRIVATE_KEY_FILE / SSL_CA_FILE (zalando/spilo
 *   postgres-appliance/scripts/configure_spilo.py: they become ssl_cert_file, ssl_key_file and
 *   ssl_ca_file of the Patroni configuration; with the files present, write_certificates() neither
 *   overwrites nor chmods them). Because SSL_PRIVATE_KEY_FILE is set, configure_spilo.py sets
 *   SSL_TEST_RELOAD and installs the cron job `*\/5 * * * * /scripts/test_reload_ssl.sh`, which runs
 *   `pg_ctl reload` when a file's sha256 changed: a renewed certificate is served within 5 minutes,
 *   without a restart (as a non-root user Spilo's runit/cron/run starts cron with
 *   LD_PRELOAD=/usr/local/lib/cron_unprivileged.so).
 * - Streaming (official image): `-c ssl=on -c ssl_cert_file=… -c ssl_key_file=… -c ssl_ca_file=…`
 *   and the `tls-reload` sidecar (assets/tls-reload.sh) doing what test_reload_ssl.sh does, every minute.
 *
 * The key file: PostgreSQL (be-secure-common.c, check_ssl_key_file_permissions) accepts a key
 * owned by the database user with mode 0600 or less, or owned by root with 0640 or less. Secret
 * volume files are owned by root, group the pod's fsGroup: mode 0440 passes, and the server (in
 * the fsGroup) can read it. No copy, no init container, nothing writable.
 */
export function serveTls(scope: Construct, tls: Tls, ctx: ServerTlsContext): TlsCertificate {
  const w = ctx.workload;
  const cert = tls.issue(scope, 'Tls', {
    name: `${w.name}-tls`,
    dnsNames: Tls.workloadDnsNames(w),
    labels: { [LabelKeys.NAME]: 'postgres', [LabelKeys.INSTANCE]: w.name, [LabelKeys.PART_OF]: w.name },
  });
  cert.mount(w, { mountPath: SERVER_TLS_DIR });
  const crt = `${SERVER_TLS_DIR}/${cert.certKey}`;
  const key = `${SERVER_TLS_DIR}/${cert.keyKey}`;
  const ca = `${SERVER_TLS_DIR}/${cert.caKey}`;
  if (ctx.patroni) {
    w.addEnv('SSL_CERTIFICATE_FILE', kplus.EnvValue.fromValue(crt));
    w.addEnv('SSL_PRIVATE_KEY_FILE', kplus.EnvValue.fromValue(key));
    w.addEnv('SSL_CA_FILE', kplus.EnvValue.fromValue(ca));
    return cert;
  }
  w.addArgs('-c', 'ssl=on', '-c', `ssl_cert_file=${crt}`, '-c', `ssl_key_file=${key}`, '-c', `ssl_ca_file=${ca}`);
  w.addSidecar({
    name: 'tls-reload',
    image: ctx.image,
    command: ['bash', '-c', loadAsset('postgres/assets/tls-reload.sh')],
    env: {
      TLS_FILES: kplus.EnvValue.fromValue([crt, key, ca].join(' ')),
      INTERVAL: kplus.EnvValue.fromValue(String(RELOAD_INTERVAL_SECONDS)),
      // The server's socket directory (the official image's, a scratch volume of the pod).
      PGHOST: kplus.EnvValue.fromValue('/var/run/postgresql'),
      PGPORT: kplus.EnvValue.fromValue(String(PORT)),
      PGUSER: kplus.EnvValue.fromValue(SUPERUSER),
      PGPASSWORD: ctx.superuserPassword,
    },
    mounts: [
      { volume: 'tls', mountPath: SERVER_TLS_DIR, readOnly: true },
      { volume: 'scratch-var-run-postgresql', mountPath: '/var/run/postgresql' },
      { volume: 'scratch-tmp', mountPath: '/tmp' },
    ],
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) } },
  });
  return cert;
}


/**
 * A bound client verifies the server: PGSSLROOTCERT names the CA certificate, mounted alone (never
 * the server's key) from the certificate's Secret, or in another namespace from `caSecret` there
 * (pods read Secrets of their own namespace only). PGSSLMODE is verify-full (the connection's).
 */
export function bindCa(
  cluster: Construct, workload: kplus.Workload, cert: TlsCertificate, caSecret: kplus.ISecret | undefined, remote: boolean, n: number,
): void {
  if (remote && !caSecret) {
    throw new ValidationError('PostgresBindCaSecretMissing',
      `bind: '${workload.node.path}' is in another namespace and the cluster serves TLS (sslmode=verify-full): the client needs the CA certificate, ` +
        `and the Secret '${cert.secretName}' is in the cluster's namespace; copy its '${cert.caKey}' (only that key, never the private key) ` +
        'into a Secret in the workload\'s namespace and pass { caSecret: kplus.Secret.fromSecretName(scope, \'DbCa\', \'<secret>\') }', cluster);
  }
  const secret = caSecret ?? kplus.Secret.fromSecretName(cluster, `BindCa${n}`, cert.secretName);
  const volume = kplus.Volume.fromSecret(workload, `postgres-ca-${n}`, secret, {
    name: `postgres-ca-${n}`,
    items: { [cert.caKey]: { path: 'ca.crt' } },
    defaultMode: 0o444,
  });
  for (const c of workload.containers) {
    c.env.addVariable('PGSSLROOTCERT', kplus.EnvValue.fromValue(`${CLIENT_CA_DIR}/ca.crt`));
    c.mount(CLIENT_CA_DIR, volume, { readOnly: true });
  }
}
