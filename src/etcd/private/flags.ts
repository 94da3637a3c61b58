// Pure tables of the etcd member flags and their size-derived defaults (unit-tested in
// test/etcd/private/flags.test.ts).

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** etcd's own ceiling for the backend quota: larger databases are not supported upstream. */
export const MAX_QUOTA_BYTES = 8 * GIB;
/** Below this the data volume cannot hold a useful database, its WAL and a defrag copy. */
export const MIN_VOLUME_BYTES = 1 * GIB;

/**
 * The default `--quota-backend-bytes` for a data volume: 40% of it, whole MiB, at most 8 GiB.
 * The volume also holds the WAL (5 segments of 64 MiB kept), the raft snapshots, and during a
 * defragmentation a second copy of the database: a quota of 40% leaves room for both copies.
 */
export function defaultQuotaBytes(volumeBytes: number): number {
  return Math.min(MAX_QUOTA_BYTES, Math.floor((volumeBytes * 0.4) / MIB) * MIB);
}

/** Why a user-given quota does not fit the volume (a defrag needs two copies), or undefined. */
export function quotaError(quotaBytes: number, volumeBytes: number): string | undefined {
  if (!Number.isInteger(quotaBytes) || quotaBytes < 16 * MIB) return `quotaBackend must be at least 16 MiB, got ${quotaBytes} bytes`;
  if (quotaBytes > MAX_QUOTA_BYTES) return `quotaBackend must be at most 8 GiB (etcd's supported maximum), got ${quotaBytes} bytes`;
  if (quotaBytes * 2 > volumeBytes) {
    return `quotaBackend (${quotaBytes} bytes) is more than half of the data volume (${volumeBytes} bytes): a defragmentation writes a second copy ` +
      'of the database next to the first; grow storageSize or lower quotaBackend';
  }
  return undefined;
}

/** `name=peer-url` for every member, in ordinal order: the static `--initial-cluster`. */
export function initialCluster(members: { name: string; peerHost: string }[], peerPort: number, scheme: string = 'http'): string {
  return members.map((m) => `${m.name}=${scheme}://${m.peerHost}:${peerPort}`).join(',');
}

/** The certificate files of a member with TLS (a mounted Secret). */
export interface MemberTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** Inputs of the member flags. */
export interface MemberFlagsInput {
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly metricsPort: number;
  /** This member's DNS name, built from its env at run time. */
  readonly selfHost: string;
  readonly initialCluster: string;
  readonly token: string;
  readonly quotaBytes: number;
  /** Auto-compaction retention in whole hours (periodic mode). */
  readonly compactionHours: number;
  /** TLS on the client and peer URLs (peers authenticate each other by certificate). @default - plain HTTP */
  readonly tls?: MemberTlsFiles;
}

/** The etcd flags of every member (its name comes from `$(POD_NAME)`). */
export function memberFlags(i: MemberFlagsInput): string[] {
  const s = i.tls ? 'https' : 'http';
  // etcd reads the files again for every new TLS connection (etcd v3.2+, Documentation/op-guide/
  // security.md "Notes for TLS authentication"): a renewed certificate needs no restart.
  const tls = i.tls ? [
    // No --trusted-ca-file: etcd then demands a client certificate on the client port too (etcd 3.4
    // rejects "client didn't provide a certificate"); clients verify the server, the NetworkPolicy admits them.
    `--cert-file=${i.tls.certFile}`, `--key-file=${i.tls.keyFile}`,
    `--peer-cert-file=${i.tls.certFile}`, `--peer-key-file=${i.tls.keyFile}`, `--peer-trusted-ca-file=${i.tls.caFile}`,
    '--peer-client-cert-auth',
  ] : [];
  return [
    '--name=$(POD_NAME)',
    `--data-dir=${i.dataDir}`,
    `--listen-peer-urls=${s}://0.0.0.0:${i.peerPort}`,
    `--listen-client-urls=${s}://0.0.0.0:${i.clientPort}`,
    // Plain HTTP: the kubelet's probes (/readyz, /livez) and the scraper.
    `--listen-metrics-urls=http://0.0.0.0:${i.metricsPort}`,
    `--advertise-client-urls=${s}://${i.selfHost}:${i.clientPort}`,
    `--initial-advertise-peer-urls=${s}://${i.selfHost}:${i.peerPort}`,
    `--initial-cluster=${i.initialCluster}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=${i.token}`,
    '--auto-compaction-mode=periodic',
    `--auto-compaction-retention=${i.compactionHours}h`,
    `--quota-backend-bytes=${i.quotaBytes}`,
    ...tls,
  ];
}
