import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Errors } from '../../../src/core/errors';
import { clusterParameters, derivedParameters, parseCpu, parseSizeKiB, ParametersInput, PATRONI_MANAGED, STREAMING_MANAGED } from '../../../src/postgres/private/tuning';

const scope = () => new Chart(Testing.app(), 'test');
const input = (p: Partial<ParametersInput> = {}): ParametersInput => ({
  resources: { memory: { limit: Size.gibibytes(2) } },
  walDisk: Size.gibibytes(2),
  instances: 3,
  modeParameters: {},
  managed: PATRONI_MANAGED,
  user: {},
  ...p,
});

describe('derivedParameters', () => {
  test('2 GiB, 1 CPU, 2.5 GiB WAL budget', () => {
    expect(derivedParameters({ memoryMiB: 2048, cpus: 1, walDiskMiB: 2560 })).toEqual({
      shared_buffers: '512MB',
      effective_cache_size: '1536MB',
      maintenance_work_mem: '128MB',
      max_connections: '100',
      work_mem: '5242kB',
      wal_buffers: '16384kB',
      max_worker_processes: '8',
      max_parallel_workers: '1',
      max_parallel_workers_per_gather: '1',
      max_parallel_maintenance_workers: '1',
      max_wal_size: '640MB',
      min_wal_size: '160MB',
      random_page_cost: '1.1',
      effective_io_concurrency: '200',
    });
  });

  test('clamps: max_connections 100..500, maintenance_work_mem ≤ 2 GiB, max_wal_size ≤ 4 GiB', () => {
    const big = derivedParameters({ memoryMiB: 256 * 1024, cpus: 64, walDiskMiB: 1024 * 1024 });
    expect(big.max_connections).toBe('500');
    expect(big.maintenance_work_mem).toBe('2048MB');
    expect(big.max_wal_size).toBe('4096MB');
    expect(big.max_parallel_workers_per_gather).toBe('4');
    expect(big.max_worker_processes).toBe('64');
  });
});

describe('clusterParameters', () => {
  test('derived, then replication settings, then the mode\'s, then the user\'s', () => {
    const p = clusterParameters(scope(), input({ instances: 9, modeParameters: { synchronous_standby_names: 'ANY 1 (*)' }, user: { work_mem: '16MB', log_min_duration_statement: '250ms' } }));
    expect(p).toMatchObject({ max_wal_senders: '11', max_replication_slots: '11', max_slot_wal_keep_size: '1024MB', synchronous_standby_names: 'ANY 1 (*)', work_mem: '16MB' });
    const keys = Object.keys(p);
    // An override keeps the derived setting's place; new settings come last.
    expect(keys.slice(-5)).toEqual(['max_wal_senders', 'max_replication_slots', 'max_slot_wal_keep_size', 'synchronous_standby_names', 'log_min_duration_statement']);
  });

  test('CPU limit, else request, else 1', () => {
    const cpus = (r: kplus.ContainerResources) =>
      clusterParameters(scope(), input({ resources: { memory: { limit: Size.gibibytes(2) }, ...r } })).max_parallel_workers;
    expect(cpus({ cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(4) } })).toBe('4');
    expect(cpus({ cpu: { request: kplus.Cpu.millis(1500) } })).toBe('2');
    expect(cpus({})).toBe('1');
  });

  test.each<[string, Partial<ParametersInput>, string, string]>([
    ['no memory', { resources: {} }, 'resources.memory sets neither a limit nor a request', 'PostgresMemoryMissing'],
    ['memory too small', { resources: { memory: { request: Size.mebibytes(500) } } }, 'memory 500Mi is too small', 'PostgresMemoryTooSmall'],
    ['bad name', { user: { 'a-b': '1' } }, "parameter name 'a-b' is not a PostgreSQL setting name", 'PostgresParameterNameInvalid'],
    ['managed (Patroni)', { user: { port: '1' } }, "parameter 'port' cannot be set in 'parameters': Patroni sets it from postgresql.listen", 'PostgresParameterManaged'],
    ['managed (streaming)', { managed: STREAMING_MANAGED, user: { synchronous_standby_names: '*' } },
      "parameter 'synchronous_standby_names' cannot be set in 'parameters': use the 'synchronous' prop", 'PostgresParameterManaged'],
    ['wal_level', { user: { wal_level: 'minimal' } }, "parameter wal_level 'minimal' breaks replication", 'PostgresWalLevelInvalid'],
    ['shared_buffers', { user: { shared_buffers: '262144' } }, 'parameter shared_buffers 262144 is not below the memory limit 2Gi', 'PostgresSharedBuffersTooLarge'],
  ])('%s', (_n, p, message, code) => {
    let err: unknown;
    try {
      clusterParameters(scope(), input(p));
    } catch (e) {
      err = e;
    }
    expect(String(err)).toContain(message);
    expect(Errors.codeOf(err)).toBe(code);
  });
});

test('parseCpu and parseSizeKiB', () => {
  expect(parseCpu('500m')).toBe(0.5);
  expect(parseCpu('1.5')).toBe(1.5);
  expect(parseCpu('weird')).toBe(1);
  expect(parseSizeKiB('64kB', 8)).toBe(64);
  expect(parseSizeKiB('2GB', 8)).toBe(2 * 1024 * 1024);
  expect(parseSizeKiB('100', 8)).toBe(800);
  expect(parseSizeKiB('1 PB', 8)).toBeUndefined();
});
