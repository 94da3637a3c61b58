// Internal: zoo.cfg and the checks of an ensemble's props, as pure functions. Not re-exported.
import { Size } from 'cdk8s';
import { kibibytes } from '../../core/units';

/** The 4lw commands the probes use (and `mntr` for monitoring); everything else stays off. */
export const FOUR_LETTER_WORDS = ['ruok', 'srvr', 'mntr'];

/** The highest myid ZooKeeper documents ("a value between 1 and 255"). */
export const MAX_MY_ID = 255;

export interface Problem {
  readonly code: string;
  readonly message: string;
}

/** The static settings of zoo.cfg (the `server.N` lines come from ZOO_SERVERS at run time). */
export interface ZooCfgInput {
  readonly dataDir: string;
  readonly clientPort: number;
  readonly tickTimeMs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly autopurgeIntervalHours: number;
  readonly snapRetainCount: number;
  readonly maxClientConnections: number;
}

/**
 * zoo.cfg without servers. `quorumListenOnAllIPs`: a pod's own DNS name may not resolve yet when
 * it starts (the headless Service is updated asynchronously), so it binds the quorum and election
 * ports on every address instead of its name's. `reconfigEnabled=false`: membership is the
 * static server list (ZooKeeper then never rewrites its config, so the conf dir may be read-only
 * once written). The AdminServer (an unauthenticated HTTP endpoint on 8080) is off: the probes use
 * the four-letter words on the client port.
 */
export function zooCfg(i: ZooCfgInput): string {
  return [
    `dataDir=${i.dataDir}`,
    `clientPort=${i.clientPort}`,
    `tickTime=${i.tickTimeMs}`,
    `initLimit=${i.initLimit}`,
    `syncLimit=${i.syncLimit}`,
    `autopurge.purgeInterval=${i.autopurgeIntervalHours}`,
    `autopurge.snapRetainCount=${i.snapRetainCount}`,
    `maxClientCnxns=${i.maxClientConnections}`,
    'standaloneEnabled=false',
    'reconfigEnabled=false',
    'quorumListenOnAllIPs=true',
    'admin.enableServer=false',
    `4lw.commands.whitelist=${FOUR_LETTER_WORDS.join(',')}`,
    '',
  ].join('\n');
}

/** `server.<ordinal+1>=<host>:<quorum>:<election>;<client>` for each ordinal, space-separated as the image's ZOO_SERVERS. */
export function zooServers(ordinals: number[], host: (ordinal: number) => string, quorum: number, election: number, client: number): string {
  return ordinals.map((o) => `server.${o + 1}=${host(o)}:${quorum}:${election};${client}`).join(' ');
}

/** An odd member count whose myids (ordinal + 1) stay within 1..255. */
export function membersProblem(replicas: number, ordinalsStart: number): Problem | undefined {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas % 2 === 0) {
    return {
      code: 'ZooKeeperReplicasInvalid',
      message: `replicas must be an odd number of 1 or more for a majority quorum, got ${replicas}: ` +
        `${Number.isInteger(replicas) && replicas > 1 ? `an even ensemble of ${replicas} tolerates no more failures than ${replicas - 1}` : 'use 3 or 5'}`,
    };
  }
  const last = ordinalsStart + replicas;
  if (last > MAX_MY_ID) {
    return {
      code: 'ZooKeeperMyIdOutOfRange',
      message: `myid is the ordinal + 1, so ordinalsStart ${ordinalsStart} with ${replicas} replicas gives myids up to ${last}; ` +
        `ZooKeeper's myid must be within 1..${MAX_MY_ID}: lower ordinalsStart`,
    };
  }
  return undefined;
}

/** Default JVM heap: half the memory limit (the rest is metaspace, threads, direct buffers and page cache for snapshots). */
export function defaultHeapMi(memoryLimit: Size | undefined): number {
  return memoryLimit ? Math.floor(kibibytes(memoryLimit) / 1024 / 2) : 512;
}

export function heapProblem(heapMi: number, memoryLimitMi: number | undefined): Problem | undefined {
  if (!Number.isInteger(heapMi) || heapMi < 64) {
    return { code: 'ZooKeeperHeapTooSmall', message: `heap ${heapMi}Mi is too small for a ZooKeeper server; give at least Size.mebibytes(64) (a whole number of MiB)` };
  }
  if (memoryLimitMi !== undefined && heapMi >= memoryLimitMi) {
    return {
      code: 'ZooKeeperHeapNotBelowLimit',
      message: `heap ${heapMi}Mi is not below the memory limit ${memoryLimitMi}Mi: the JVM also needs metaspace, threads and buffers, ` +
        'and the container is OOM-killed; give a heap of about half the limit',
    };
  }
  return undefined;
}

export function autopurgeProblem(intervalHours: number, retain: number): Problem | undefined {
  if (!Number.isInteger(intervalHours) || intervalHours < 1) {
    return { code: 'ZooKeeperAutopurgeInvalid', message: `autopurge interval must be a whole number of hours, 1 or more, got ${intervalHours}h` };
  }
  if (!Number.isInteger(retain) || retain < 3) {
    return { code: 'ZooKeeperAutopurgeInvalid', message: `snapshotRetainCount must be a whole number of 3 or more (ZooKeeper's minimum), got ${retain}` };
  }
  return undefined;
}

/** A release the official image publishes and this construct supports: 3.5 or later (4lw whitelist, `;client` server syntax). */
export function versionProblem(version: string): Problem | undefined {
  const m = /^3\.(\d+)\.(\d+)$/.exec(version);
  if (!m || Number(m[1]) < 5) {
    return { code: 'ZooKeeperVersionInvalid', message: `version '${version}' is not a ZooKeeper 3.x.y release of 3.5.0 or later (the image tag, e.g. '3.9.4')` };
  }
  return undefined;
}

/** A chroot suffix of a connect string: `/a/b`, no trailing slash, no empty or relative parts. */
export function chrootProblem(chroot: string): Problem | undefined {
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(chroot) || chroot.split('/').some((p) => p === '.' || p === '..')) {
    return { code: 'ZooKeeperBindChrootInvalid', message: `chroot '${chroot}' must be an absolute znode path such as '/app' (letters, digits, '_', '.', '-'; no trailing '/')` };
  }
  return undefined;
}
