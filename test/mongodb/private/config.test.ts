import { Size } from 'cdk8s';
import {
  cacheProblem, connectionString, defaultCacheGb, membersFile, membersProblem, mongoshConf, replicaSetNameProblem, userSpecs, usersFile,
  versionProblem,
} from '../../../src/mongodb/private/config';

test.each<[string, Size | undefined, number | undefined]>([
  ['no limit: mongod decides', undefined, undefined],
  ['512Mi: the 0.25 GB floor', Size.mebibytes(512), 0.25],
  ['2Gi', Size.gibibytes(2), 0.5],
  ['16Gi', Size.gibibytes(16), 7.5],
  ['3000Mi: rounded down to 0.01 GB', Size.mebibytes(3000), 0.96],
])('defaultCacheGb, %s', (_name, limit, gb) => {
  expect(defaultCacheGb(limit)).toBe(gb);
});

test('cacheProblem: the floor, and 80% of the limit', () => {
  expect(cacheProblem(undefined, 2)).toBeUndefined();
  expect(cacheProblem(0.25, undefined)).toBeUndefined();
  expect(cacheProblem(1.5, 2)).toBeUndefined();
  expect(cacheProblem(1.6, 2)?.code).toBe('MongoCacheSizeInvalid');
  expect(cacheProblem(0.2, undefined)?.code).toBe('MongoCacheSizeInvalid');
});

test('membersProblem: 1..7 voting members, an arbiter beside 2..6 data members', () => {
  expect([1, 3, 7].map((n) => membersProblem(n))).toEqual([undefined, undefined, undefined]);
  expect([0, 8, 2.5].map((n) => membersProblem(n)?.code)).toEqual(['MongoReplicasInvalid', 'MongoReplicasInvalid', 'MongoReplicasInvalid']);
  expect(membersProblem(6, true)).toBeUndefined();
  expect(membersProblem(7, true)?.code).toBe('MongoReplicasInvalid');
  expect(membersProblem(1, true)?.code).toBe('MongoArbiterNeedsMembers');
});

test('versionProblem and replicaSetNameProblem', () => {
  expect(['7.0.28', '8.0.17', '8.0.100'].map(versionProblem)).toEqual([undefined, undefined, undefined]);
  expect(['8.2.1', '6.0.20', '8.0', 'latest'].map((v) => versionProblem(v)?.code)).toEqual(Array(4).fill('MongoVersionInvalid'));
  expect(replicaSetNameProblem('rs0_a-b')).toBeUndefined();
  expect(['', 'a b', 'x'.repeat(65)].map((n) => replicaSetNameProblem(n)?.code)).toEqual(Array(3).fill('MongoReplicaSetNameInvalid'));
});

test('userSpecs: password keys and default roles; usersFile lines', () => {
  const users = userSpecs([{ name: 'orders', database: 'orders' }, { name: 'bi.reader', database: 'orders', roles: ['read', 'dbAdmin'] }]);
  expect(users).toEqual([
    { name: 'orders', database: 'orders', roles: ['readWrite'], passwordKey: 'orders-password' },
    { name: 'bi.reader', database: 'orders', roles: ['read', 'dbAdmin'], passwordKey: 'bi.reader-password' },
  ]);
  expect(usersFile(users as any, (k) => `/creds/${k}`)).toBe('orders orders readWrite /creds/orders-password\nbi.reader orders read,dbAdmin /creds/bi.reader-password\n');
  expect((userSpecs([{ name: 'a b', database: 'x' }]) as any).code).toBe('MongoUserInvalid');
  expect((userSpecs([{ name: 'a', database: 'local' }]) as any).code).toBe('MongoUserInvalid');
});

test('membersFile, connectionString, mongoshConf', () => {
  expect(membersFile([0, 1, 2])).toBe('0\n1\n2\n');
  expect(connectionString(['a:27017', 'b:27017'], 'rs0', 'app')).toBe('mongodb://a:27017,b:27017/app?replicaSet=rs0&authSource=admin');
  expect(connectionString(['a:27017'], 'rs0', 'app', 'u:p')).toBe('mongodb://u:p@a:27017/app?replicaSet=rs0&authSource=admin');
  expect(mongoshConf()).toContain('  disableLogging: true\n');
});
