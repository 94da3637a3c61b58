import { Chart, Testing } from 'cdk8s';
import { Errors } from '../../../src/core/errors';
import { databaseList, databaseSpecs } from '../../../src/postgres/private/databases';

const scope = () => new Chart(Testing.app(), 'test');

test('owners default to the database name; keys are <owner>-password', () => {
  expect(databaseSpecs(scope(), [{ name: 'orders' }, { name: 'billing', owner: 'finance' }])).toEqual([
    { name: 'orders', owner: 'orders', passwordKey: 'orders-password' },
    { name: 'billing', owner: 'finance', passwordKey: 'finance-password' },
  ]);
});

test.each<[string, Array<{ name: string; owner?: string }>, string]>([
  ['empty', [], 'PostgresDatabasesEmpty'],
  ['template1', [{ name: 'template1' }], 'PostgresDatabaseNameInvalid'],
  ['upper case', [{ name: 'Orders' }], 'PostgresDatabaseNameInvalid'],
  ['64 characters', [{ name: 'a'.repeat(64) }], 'PostgresDatabaseNameInvalid'],
  ['bad owner', [{ name: 'orders', owner: 'o-wner' }], 'PostgresOwnerInvalid'],
  ['reserved owner', [{ name: 'orders', owner: 'replicator' }], 'PostgresOwnerReserved'],
  ['duplicate', [{ name: 'a' }, { name: 'a' }], 'PostgresDatabaseDuplicate'],
])('%s', (_n, dbs, code) => {
  let err: unknown;
  try {
    databaseSpecs(scope(), dbs);
  } catch (e) {
    err = e;
  }
  expect(Errors.codeOf(err)).toBe(code);
});

test('list: extra roles first, each owner once with its password file, then the databases in order', () => {
  const dbs = databaseSpecs(scope(), [{ name: 'a', owner: 'x' }, { name: 'b' }, { name: 'c', owner: 'x' }]);
  expect(databaseList(dbs, (k) => `/creds/${k}`, [{ name: 'replicator', passwordFile: '/creds/r', attributes: 'REPLICATION' }])).toBe(
    'role replicator /creds/r REPLICATION\n' +
    'role x /creds/x-password\n' +
    'role b /creds/b-password\n' +
    'database a x\n' +
    'database b b\n' +
    'database c x\n',
  );
});
