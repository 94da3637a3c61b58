import { Size } from 'cdk8s';
import { commonEnv, defaultQuorum, maxMemoryBytes, sentinelEnv, serverEnv } from '../../../src/redis/private/config';

test('maxmemory: a share of the limit in bytes, 0 without a limit', () => {
  expect(maxMemoryBytes(Size.mebibytes(512), 75)).toBe(402653184);
  expect(maxMemoryBytes(Size.gibibytes(1), 100)).toBe(1073741824);
  expect(maxMemoryBytes(Size.mebibytes(3), 33)).toBe(Math.floor(3 * 1024 * 1024 * 0.33));
  expect(maxMemoryBytes(undefined, 75)).toBe(0);
});

test('quorum: a majority', () => {
  expect([1, 2, 3, 4, 5].map(defaultQuorum)).toEqual([1, 2, 2, 3, 3]);
});

test('env tables: names in the order the start script documents', () => {
  expect(commonEnv({ name: 'r', headless: 'r-headless', clusterDomain: 'cluster.local', replicas: 3, masterName: 'm', passwordFile: '/s/p' })
    .map(([k]) => k)).toEqual(['POD_NAME', 'POD_NAMESPACE', 'NAME', 'HEADLESS', 'CLUSTER_DOMAIN', 'REPLICAS', 'MASTER_NAME',
    'PASSWORD_FILE', 'CONF_DIR', 'REDIS_PORT', 'SENTINEL_PORT']);
  expect(serverEnv('aof', 10, 'noeviction').map(([k, v]) => [k, v.value])).toEqual([
    ['DATA_DIR', '/data'], ['PERSISTENCE', 'aof'], ['MAXMEMORY', '10'], ['MAXMEMORY_POLICY', 'noeviction'],
  ]);
  expect(sentinelEnv(2, 5000, 60000).map(([k, v]) => [k, v.value])).toEqual([['QUORUM', '2'], ['DOWN_AFTER_MS', '5000'], ['FAILOVER_TIMEOUT_MS', '60000']]);
});
