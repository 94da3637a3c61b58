import { spiloConfiguration } from '../../../src/postgres/private/patroni';

test('DCS-only settings go to bootstrap.dcs, the rest to postgresql.parameters', () => {
  const cfg: any = spiloConfiguration({ parameters: { max_connections: '100', work_mem: '4MB', wal_level: 'logical' }, synchronous: true });
  expect(cfg.bootstrap.dcs.postgresql.parameters).toEqual({ max_connections: '100', wal_level: 'logical' });
  expect(cfg.postgresql.parameters).toEqual({ work_mem: '4MB' });
  expect(cfg.bootstrap.dcs.synchronous_mode).toBe(true);
  expect(cfg.bootstrap.initdb).toBeUndefined();
  expect(cfg.postgresql.create_replica_method).toBeUndefined();
});

test('a WAL directory: initdb --waldir and basebackup --waldir', () => {
  const cfg: any = spiloConfiguration({ parameters: {}, synchronous: false, walDir: '/w/pg_wal' });
  expect(cfg.bootstrap.initdb).toEqual([{ encoding: 'UTF8' }, { locale: 'en_US.UTF-8' }, 'data-checksums', { waldir: '/w/pg_wal' }]);
  expect(cfg.postgresql.basebackup).toEqual([{ waldir: '/w/pg_wal' }, { checkpoint: 'fast' }]);
});
