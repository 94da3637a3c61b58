import { App, Testing } from 'cdk8s';
import { buildExampleApp } from '../examples/app';
import { EtcdVersion } from '../src/etcd';
import { EXAMPLE_RUNTIME_SECRETS } from './util/examples';
import { container, find, synthValidatedApp } from './util/validate';


function synthExamples(): any[] {
  const app = Testing.app();
  buildExampleApp(app);
  return synthValidatedApp(app, { externalSecrets: EXAMPLE_RUNTIME_SECRETS });
}

test('the example app synthesizes and passes the validators', () => {
  expect(synthExamples().length).toBeGreaterThan(0);
});

test('the example app is deterministic', () => {
  const yaml = () => {
    const app = new App({ outdir: '/tmp/unused' });
    buildExampleApp(app);
    return app.synthYaml();
  };
  expect(yaml()).toEqual(yaml());
});

describe('etcd example (EtcdCluster)', () => {
  const objs = synthExamples();
  const sts = find(objs, 'StatefulSet', 'etcd');

  test('three members start in parallel and find each other through the headless Service', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(find(objs, 'Service', 'etcd-headless').spec.publishNotReadyAddresses).toBe(true);
    const args: string[] = container(sts, 'etcd').args;
    expect(args).toContain(
      '--initial-cluster=' + [0, 1, 2].map((i) => `etcd-${i}=http://etcd-${i}.etcd-headless.$(POD_NAMESPACE).svc.cluster.local:2380`).join(','),
    );
    expect(args).toContain('--initial-advertise-peer-urls=http://$(POD_NAME).etcd-headless.$(POD_NAMESPACE).svc.cluster.local:2380');
    expect(container(sts, 'etcd').image).toBe(EtcdVersion.V3_5_21.image);
  });

  test('probes, data on the claim, PDB allows one disruption, hard anti-affinity', () => {
    const c = container(sts, 'etcd');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 2381 });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 2381 });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/etcd' });
    expect(find(objs, 'PodDisruptionBudget', 'etcd').spec.maxUnavailable).toBe(1);
    expect(sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });
});

describe('MongoDB example (MongoReplicaSet)', () => {
  const objs = synthExamples().filter((o) => o.metadata?.namespace === 'catalog');
  const sts = find(objs, 'StatefulSet', 'mongo');

  test('three voting members of replica set mongo, the cache from the 4Gi limit, a bootstrap sidecar', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    const args: string[] = container(sts, 'mongod').args;
    expect(args.slice(0, 4)).toEqual(['mongod', '--replSet', 'mongo', '--bind_ip_all']);
    expect(args.slice(-2)).toEqual(['--wiredTigerCacheSizeGB', '1.5']);
    expect(container(sts, 'bootstrap').command).toEqual(['bash', '/opt/cdk8s-stateful/mongodb/bootstrap.sh']);
    expect(find(objs, 'ConfigMap', 'mongo-members').data.users).toBe('orders orders readWrite /etc/mongodb/credentials/orders-password\n');
  });

  test('the API gets a replica-set URI; the NetworkPolicy admits it and the backup', () => {
    const api = objs.find((o) => o.kind === 'Deployment');
    const env = Object.fromEntries(api.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.MONGODB_URI).toBe('mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@mongo-0.mongo-headless:27017,mongo-1.mongo-headless:27017,' +
      'mongo-2.mongo-headless:27017/orders?replicaSet=mongo&authSource=admin');
    expect(find(objs, 'NetworkPolicy', 'mongo').spec.ingress).toHaveLength(3);
    expect(find(objs, 'CronJob', 'mongo-backup').spec.schedule).toBe('0 2 * * *');
  });
});

describe('mariadb example (MariaDBCluster)', () => {
  const objs = synthExamples();
  const sts = find(objs, 'StatefulSet', 'db');

  test('a primary and two replicas of the pinned image, rw Service on pod 0, generated credentials', () => {
    expect(sts.metadata.namespace).toBe('shop');
    expect(sts.spec.replicas).toBe(3);
    expect(container(sts, 'mariadb').image).toBe('docker.io/library/mariadb:11.4.12');
    expect(find(objs, 'Service', 'db').spec.selector['statefulset.kubernetes.io/pod-name']).toBe('db-0');
    expect(find(objs, 'Service', 'db-ro').spec.ports[0].port).toBe(3306);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(objs.some((o) => o.kind === 'Job' && o.metadata.name.startsWith('db-credentials-'))).toBe(true);
  });
});
