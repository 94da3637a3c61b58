import { App } from 'cdk8s';
import { PostgresExampleChart } from '../../examples/postgres';
import { container, envOf, find, ofKind, synthValidated } from '../util/validate';

test('the Postgres example synthesizes and passes the validators', () => {
  const chart = new PostgresExampleChart(new App(), 'postgres');
  const objs = synthValidated(chart, { externalSecrets: [chart.cluster.secretName] });
  expect(chart.cluster.secretName).toBe('orders-db-credentials');
  const sts = find(objs, 'StatefulSet', 'orders-db');
  expect(sts.metadata.namespace).toBe('shop');
  expect(sts.spec.replicas).toBe(3);
  const api = ofKind(objs, 'Deployment')[0];
  expect(envOf(api.spec.template.spec.containers[0])).toMatchObject({
    PGHOST: 'orders-db',
    PGDATABASE: 'orders',
    PGUSER: 'orders',
    PGPASSWORD: { secretKeyRef: { name: 'orders-db-credentials', key: 'orders-password' } },
    PGSSLMODE: 'verify-full',
    PGSSLROOTCERT: '/etc/postgres-ca/ca.crt',
  });
  expect(find(objs, 'Certificate', 'orders-db-tls').spec.issuerRef.name).toBe('orders-db-tls-ca');
  expect(find(objs, 'CronJob', 'orders-db-backup').spec.concurrencyPolicy).toBe('Forbid');
  expect(container(sts, 'postgres').resources.limits.memory).toBe('4Gi');
});
