// Safety issue (9) items of PostgresCluster that synthesize: cross-namespace bind() (A4), the
// plaintext-secret warning on parameters (F), the smallest WAL volume the derived settings fit (C).
import { App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, Errors, PostgresCluster, Warnings } from '../../src';
import { envOf, find, ofKind, synthValidatedApp } from '../util/validate';

function thrown(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

function twoCharts(dbNamespace: string | undefined, clientNamespace: string | undefined) {
  const app = Testing.app();
  const data = new Chart(app, 'data', { namespace: dbNamespace });
  const db = new PostgresCluster(data, 'orders-db', { databases: [{ name: 'orders' }] });
  const web = new Chart(app, 'web', { namespace: clientNamespace });
  const api = new kplus.Deployment(web, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2', portNumber: 8080 }] });
  return { app, data, db, web, api };
}

describe('bind across namespaces (A4)', () => {
  test('with credentials in the client namespace: qualified host, its Secret, a peer in its namespace only', () => {
    const { app, db, web, api } = twoCharts('data', 'web');
    db.bind(api, { credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(web, 'Pw', 'orders-db-app'), { 'orders-password': 'password' }) });
    const objs = synthValidatedApp(app, { externalSecrets: ['orders-db-credentials', 'orders-db-app'] });
    const dep = ofKind(objs, 'Deployment')[0];
    expect(envOf(dep.spec.template.spec.containers[0])).toEqual({
      PGHOST: 'orders-db.data.svc.cluster.local',
      PGPORT: '5432',
      PGDATABASE: 'orders',
      PGUSER: 'orders',
      PGPASSWORD: { secretKeyRef: { name: 'orders-db-app', key: 'password' } },
      PGSSLMODE: 'require',
    });
    // The bound workload's rule (the reconcile Job's pods have their own).
    const rule = find(objs, 'NetworkPolicy', 'orders-db').spec.ingress.find((r: any) => r.ports && r.from.some((p: any) => p.namespaceSelector));
    expect(rule.from).toEqual([{
      podSelector: { matchLabels: dep.spec.selector.matchLabels },
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['web'] }] },
    }]);
  });

  test('without credentials: an error that says how to get the password there', () => {
    const { db, api } = twoCharts('data', 'web');
    const e = thrown(() => db.bind(api));
    expect(Errors.codeOf(e)).toBe('PostgresBindCrossNamespace');
    expect((e as Error).message).toContain("bind: 'web/api' is in namespace 'web', but the Secret 'orders-db-credentials' is in 'data'");
    expect((e as Error).message).toContain("Credentials.fromSecret(kplus.Secret.fromSecretName(scope, 'DbPassword', '<secret>'), { 'orders-password': '<key>' })");
  });

  test.each([['data', undefined], [undefined, 'web']])('database namespace %s, client namespace %s: an error, not a peer of the wrong namespace', (dbNs, clientNs) => {
    const { db, api } = twoCharts(dbNs, clientNs);
    expect(Errors.codeOf(thrown(() => db.bind(api)))).toBe('PostgresBindNamespaceUnknown');
  });

  test('generated credentials cannot name a Secret in the client namespace', () => {
    const { db, api } = twoCharts('data', 'web');
    expect(Errors.codeOf(thrown(() => db.bind(api, { credentials: Credentials.generate() })))).toBe('PostgresBindCredentialsGenerated');
  });
});

describe('binding a workload twice (A4)', () => {
  test('to the same cluster, or to another: an error instead of replacing the first binding', () => {
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    const db = new PostgresCluster(c, 'orders-db', { databases: [{ name: 'orders' }, { name: 'reports' }] });
    const other = new PostgresCluster(c, 'audit-db');
    const api = new kplus.Deployment(c, 'api', { containers: [{ image: 'ghcr.io/acme/api:1.4.2' }] });
    db.bind(api);
    for (const again of [() => db.bind(api, { database: 'reports' }), () => other.bind(api)]) {
      const e = thrown(again);
      expect(Errors.codeOf(e)).toBe('PostgresBindTwice');
      expect((e as Error).message).toContain("container 'main' of 'test/api' already sets PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE");
    }
  });
});

describe('plaintext secrets in parameters (F)', () => {
  test.each([
    ['a conninfo with password=', { 'myext.conninfo': 'host=x user=u password=hunter2' }],
    ['a URL with a password', { 'myext.url': 'postgres://u:hunter2@x/db' }],
    ['a setting named like a secret', { 'myext.api_key': 'abc' }],
  ])('%s: a warning with an ack id pointing to a Secret', (_what, parameters) => {
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    const db = new PostgresCluster(c, 'orders-db', { parameters });
    const w = Warnings.of(db).list().filter((x) => x.id === '@cdk8s-stateful/postgres:plaintextSecretParameter');
    expect(w).toHaveLength(1);
    expect(w[0].message).toContain(`parameter '${Object.keys(parameters)[0]}' looks like it holds a secret in plain text`);
    expect(w[0].message).toContain('keep the secret in a Secret');
  });

  test('ordinary settings raise no warning, and the warning can be acknowledged', () => {
    const c = new Chart(new App(), 'test', { namespace: 'db' });
    const quiet = new PostgresCluster(c, 'orders-db', { parameters: { work_mem: '16MB', log_min_duration_statement: '250ms', password_encryption: 'scram-sha-256' } });
    expect(Warnings.of(quiet).ids()).not.toContain('@cdk8s-stateful/postgres:plaintextSecretParameter');
    const loud = new PostgresCluster(c, 'audit-db', { parameters: { 'myext.token': 'x' } });
    Warnings.acknowledge(loud, '@cdk8s-stateful/postgres:plaintextSecretParameter');
    expect(Warnings.of(loud).ids()).not.toContain('@cdk8s-stateful/postgres:plaintextSecretParameter');
  });
});

test('the smallest WAL volume the derived settings fit is 128Mi (C)', () => {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const db = new PostgresCluster(c, 'orders-db', { storage: { walSize: Size.mebibytes(128) } });
  expect(db.parameters).toMatchObject({ max_wal_size: '64MB', max_slot_wal_keep_size: '64MB' });
  expect(Errors.codeOf(thrown(() => new PostgresCluster(c, 'audit-db', { storage: { walSize: Size.mebibytes(127) } })))).toBe('PostgresWalSizeTooSmall');
});
