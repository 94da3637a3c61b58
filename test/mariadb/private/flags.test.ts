import { defaultBufferPoolBytes, MANAGED, normalizeParameter, serverFlags } from '../../../src/mariadb/private/flags';

const MIB = 1024 * 1024;

test('the buffer pool is half the memory limit in whole MiB, at least 128 MiB', () => {
  expect(defaultBufferPoolBytes(undefined)).toBe(128 * MIB);
  expect(defaultBufferPoolBytes(1024 * MIB)).toBe(512 * MIB);
  expect(defaultBufferPoolBytes(1001 * MIB)).toBe(500 * MIB);
  expect(defaultBufferPoolBytes(100 * MIB)).toBe(128 * MIB);
});

test('server flags: ours first, the user\'s after them', () => {
  const flags = serverFlags({ port: 3306, bufferPoolBytes: 128 * MIB, binlogExpireSeconds: 3600, parameters: { 'max-connections': '50' } });
  expect(flags[0]).toBe('--port=3306');
  expect(flags).toContain('--sync-binlog=1');
  expect(flags).toContain('--binlog-expire-logs-seconds=3600');
  expect(flags[flags.length - 1]).toBe('--max-connections=50');
});

test('parameter names: underscores and dashes are the same; the replication settings are managed', () => {
  expect(normalizeParameter('server_id')).toBe('server-id');
  for (const k of ['server-id', 'read-only', 'log-bin', 'gtid-strict-mode', 'binlog-format']) expect(MANAGED.has(k)).toBe(true);
  expect(MANAGED.has('max-connections')).toBe(false);
});
