import { defaultQuotaBytes, initialCluster, memberFlags, quotaError } from '../../../src/etcd/private/flags';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

test.each([
  [1 * GIB, 409 * MIB],
  [8 * GIB, 3276 * MIB],
  [20 * GIB, 8192 * MIB],
  [100 * GIB, 8 * GIB],
])('the default quota of a %d-byte volume is %d bytes (40%, whole MiB, at most 8 GiB)', (volume, quota) => {
  expect(defaultQuotaBytes(volume)).toBe(quota);
});

test.each([
  [8 * MIB, 8 * GIB, 'quotaBackend must be at least 16 MiB, got 8388608 bytes'],
  [9 * GIB, 100 * GIB, "quotaBackend must be at most 8 GiB (etcd's supported maximum), got 9663676416 bytes"],
  [5 * GIB, 8 * GIB, 'quotaBackend (5368709120 bytes) is more than half of the data volume (8589934592 bytes): a defragmentation writes a second copy of the database next to the first; grow storageSize or lower quotaBackend'],
])('quota %d on a %d-byte volume: %s', (quota, volume, message) => {
  expect(quotaError(quota, volume)).toBe(message);
});

test('a quota of half the volume fits', () => {
  expect(quotaError(4 * GIB, 8 * GIB)).toBeUndefined();
});

test('initialCluster lists every member by name and peer URL, in order', () => {
  expect(initialCluster([{ name: 'e-0', peerHost: 'a' }, { name: 'e-1', peerHost: 'b' }], 2380)).toBe('e-0=http://a:2380,e-1=http://b:2380');
});

test('memberFlags: listeners, advertised URLs, bootstrap state, compaction and quota', () => {
  expect(memberFlags({
    dataDir: '/d', clientPort: 1, peerPort: 2, metricsPort: 3, selfHost: 'h', initialCluster: 'x=http://h:2', token: 't', quotaBytes: 99, compactionHours: 2,
  })).toEqual([
    '--name=$(POD_NAME)', '--data-dir=/d', '--listen-peer-urls=http://0.0.0.0:2', '--listen-client-urls=http://0.0.0.0:1',
    '--listen-metrics-urls=http://0.0.0.0:3', '--advertise-client-urls=http://h:1', '--initial-advertise-peer-urls=http://h:2',
    '--initial-cluster=x=http://h:2', '--initial-cluster-state=new', '--initial-cluster-token=t',
    '--auto-compaction-mode=periodic', '--auto-compaction-retention=2h', '--quota-backend-bytes=99',
  ]);
});
