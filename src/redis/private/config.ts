// Pure tables of the Sentinel mode: the env the start script (assets/redis-start.sh) reads.
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { kibibytes } from '../../core/units';

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
/** The Redis Cluster bus (REDIS_PORT + 10000, the default). */
export const BUS_PORT = 16379;
export const DATA_DIR = '/data';
export const CONF_DIR = '/conf';
export const SCRIPTS_DIR = '/scripts';
export const SECRETS_DIR = '/secrets';
export const PASSWORD_KEY = 'password';
/** The official image's `redis` user and group. */
export const REDIS_UID = 999;

/** `maxmemory` in bytes: `percent` of the memory limit, 0 (no limit) without one. */
export function maxMemoryBytes(limit: Size | undefined, percent: number): number {
  if (!limit) return 0;
  return Math.floor((kibibytes(limit) * 1024 * percent) / 100);
}

/** A majority of the Sentinels. */
export function defaultQuorum(sentinels: number): number {
  return Math.floor(sentinels / 2) + 1;
}

export interface SentinelEnvParams {
  readonly name: string;
  readonly headless: string;
  readonly clusterDomain: string;
  readonly replicas: number;
  readonly masterName: string;
  readonly passwordFile: string;
}

/** Env shared by the server and the Sentinel containers, in order. */
export function commonEnv(p: SentinelEnvParams): Array<[string, kplus.EnvValue]> {
  const v = kplus.EnvValue.fromValue;
  return [
    ['POD_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME)],
    ['POD_NAMESPACE', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE)],
    ['NAME', v(p.name)],
    ['HEADLESS', v(p.headless)],
    ['CLUSTER_DOMAIN', v(p.clusterDomain)],
    ['REPLICAS', v(`${p.replicas}`)],
    ['MASTER_NAME', v(p.masterName)],
    ['PASSWORD_FILE', v(p.passwordFile)],
    ['CONF_DIR', v(CONF_DIR)],
    ['REDIS_PORT', v(`${REDIS_PORT}`)],
    ['SENTINEL_PORT', v(`${SENTINEL_PORT}`)],
  ];
}

/** Env only the server reads. */
export function serverEnv(persistence: string, maxMemory: number, policy: string): Array<[string, kplus.EnvValue]> {
  const v = kplus.EnvValue.fromValue;
  return [
    ['DATA_DIR', v(DATA_DIR)],
    ['PERSISTENCE', v(persistence)],
    ['MAXMEMORY', v(`${maxMemory}`)],
    ['MAXMEMORY_POLICY', v(policy)],
  ];
}

/** Env only Sentinel reads. */
export function sentinelEnv(quorum: number, downAfterMs: number, failoverTimeoutMs: number): Array<[string, kplus.EnvValue]> {
  const v = kplus.EnvValue.fromValue;
  return [
    ['QUORUM', v(`${quorum}`)],
    ['DOWN_AFTER_MS', v(`${downAfterMs}`)],
    ['FAILOVER_TIMEOUT_MS', v(`${failoverTimeoutMs}`)],
  ];
}
