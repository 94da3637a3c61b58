/**
 * Image → local programs. There is no container image here: each image the manifests name is
 * mapped to the Debian programs installed on this machine, placed at the paths the image has
 * them (bind mounts inside the container's private root), with the image's PATH.
 */
import * as path from 'path';

export interface ImageMapping {
  /** Which image references this row covers. */
  readonly match: RegExp;
  /** Path inside the image → local file bind-mounted there. */
  readonly files: Record<string, string>;
  /** The image's PATH (used when the command names a program without a slash). */
  readonly path: string;
  /** httpGet probe paths the local version lacks, mapped to an equivalent it serves. */
  readonly probePaths?: Record<string, string>;
  /** The image's ENTRYPOINT/CMD when the container gives no command. */
  readonly entrypoint?: string[];
  /** Why the mapping is faithful enough, or where it is not (shown in docs/runtime-tier.md). */
  readonly note: string;
}

const STD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const IMAGES: ImageMapping[] = [
  {
    match: /^gcr\.io\/etcd-development\/etcd:/,
    files: { '/usr/local/bin/etcd': '/usr/bin/etcd', '/usr/local/bin/etcdctl': '/usr/bin/etcdctl' },
    path: STD_PATH,
    // Debian ships etcd 3.4: no /livez or /readyz (3.5.x+); /health is its closest check.
    probePaths: { '/livez': '/health', '/readyz': '/health' },
    note: 'Debian etcd 3.4 for the 3.6 image: every flag of the example is accepted; /livez and /readyz probed as /health',
  },
  {
    match: /^(docker\.io\/(library\/)?)?busybox:/,
    files: { '/bin/busybox': '/bin/busybox' },
    path: STD_PATH,
    entrypoint: ['sh'],
    note: 'Debian busybox (static) for the busybox image',
  },
  {
    match: /^(docker\.io\/(library\/)?)?postgres:/,
    files: { '/usr/local/bin/docker-entrypoint.sh': path.join(__dirname, '..', 'images', 'postgres-entrypoint.sh') },
    path: `/usr/lib/postgresql/15/bin:${STD_PATH}`,
    entrypoint: ['docker-entrypoint.sh'],
    note: 'Debian PostgreSQL 15 binaries on the image PATH; docker-entrypoint.sh emulated by test/runtime/images/postgres-entrypoint.sh (only what our manifests depend on)',
  },
  {
    match: /^ghcr\.io\/zalando\/spilo-\d+:/,
    files: { '/scripts/post_init.sh': path.join(__dirname, '..', 'images', 'spilo-post-init.sh') },
    path: `/usr/lib/postgresql/15/bin:${STD_PATH}`,
    note: 'Debian PostgreSQL 15 client programs for the Spilo image (PostgreSQL 17); only the bootstrap post_init is run (no Patroni, no Spilo scripts): Spilo\'s own /scripts/post_init.sh is a stub that checks its arguments and connects',
  },
  {
    match: /^ghcr\.io\/cloudnative-pg\/pgbouncer:/,
    files: {},
    path: STD_PATH,
    note: 'Debian PgBouncer 1.18 (/usr/sbin/pgbouncer) for the CloudNativePG 1.25 image: every setting the generated pgbouncer.ini uses exists since 1.14 (SCRAM with auth_query)',
  },
  {
    match: /^(docker\.io\/(library\/)?)?python:/,
    files: {},
    path: STD_PATH,
    note: 'the local python3',
  },
  {
    match: /^(docker\.io\/(library\/)?)?redis:/,
    files: { '/usr/local/bin/redis-server': '/usr/bin/redis-server', '/usr/local/bin/redis-cli': '/usr/bin/redis-cli' },
    path: STD_PATH,
    note: 'Debian redis-server, redis-sentinel and redis-tools 7.0 for the 7.4 image: every setting our start script writes (hostname announcing, sentinel-pass) exists since 6.2',
  },
  {
    match: /^(docker\.io\/(library\/)?)?mariadb:/,
    files: { '/usr/local/bin/docker-entrypoint.sh': path.join(__dirname, '..', 'images', 'mariadb-entrypoint.sh') },
    path: STD_PATH,
    entrypoint: ['docker-entrypoint.sh'],
    note: 'Debian MariaDB 10.11 (mariadb-server, mariadb-backup, socat) for the 11.4 image: every flag and statement our scripts use exists since 10.6; docker-entrypoint.sh emulated by test/runtime/images/mariadb-entrypoint.sh (only what our manifests depend on)',
  },
  {
    match: /^(docker\.io\/(library\/)?)?zookeeper:/,
    files: { '/usr/local/bin/zkServer.sh': path.join(__dirname, '..', 'images', 'zookeeper-zkServer.sh') },
    path: STD_PATH,
    note: 'Debian ZooKeeper 3.8 jars with the local OpenJDK 17 for the 3.9 image; zkServer.sh start-foreground emulated by test/runtime/images/zookeeper-zkServer.sh (config from $ZOOCFGDIR, $JVMFLAGS; log4j to the console instead of logback)',
  },
];

export function imageFor(image: string): ImageMapping {
  const m = IMAGES.find((x) => x.match.test(image));
  if (!m) throw new Error(`no local program mapped for image ${image}: add a row to test/runtime/emulator/images.ts`);
  return m;
}
