// The clusters benchmark's unit of work: cluster `i` is one of four kinds, in turn, shaped like the
// examples in examples/ (what users synthesize):
//   i % 4 = 0  PostgresCluster, 3 instances, nightly backup, and an API Deployment bound to it
//   i % 4 = 1  KafkaCluster, 3 KRaft nodes, two topics, and a consumer Deployment bound to it
//   i % 4 = 2  LocalVolumePool of three node-local disks (static PersistentVolumes)
//   i % 4 = 3  EtcdCluster, 3 members, snapshots
// Nothing but the names depends on i (clusters-floor.ts relies on that to build the floor).
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EtcdCluster } from '../src/etcd';
import { KafkaCluster, KafkaVersion } from '../src/kafka';
import { PostgresCluster } from '../src/postgres';
import { LocalVolumePool } from '../src/storage';

/** Namespace of every cluster. */
export const CLUSTERS_NAMESPACE = 'bench';

const ALL_KINDS = ['postgres', 'kafka', 'pool', 'etcd'] as const;
export type Kind = typeof ALL_KINDS[number];

/** The kinds, in the order clusters cycle through them (env BENCH_KINDS=postgres,etcd: only those). */
export const KINDS: readonly Kind[] = process.env.BENCH_KINDS
  ? process.env.BENCH_KINDS.split(',').map((k) => {
    if (!(ALL_KINDS as readonly string[]).includes(k)) throw new Error(`BENCH_KINDS: unknown kind '${k}' (${ALL_KINDS.join(', ')})`);
    return k as Kind;
  })
  : ALL_KINDS;

/** Kind of cluster `i`. */
export function kindOf(i: number): Kind {
  return KINDS[i % KINDS.length];
}

/** Construct id (and name) of cluster `i`. */
export function clusterName(i: number): string {
  return `${kindOf(i)}-${i}`;
}

/** Id of the chart that holds cluster `i` alone (the chart-per-cluster layout). */
export function chartIdOf(i: number): string {
  return `c${i}`;
}

const api = (scope: Chart, id: string, image: string, extra: Partial<kplus.ContainerProps> = {}) => new kplus.Deployment(scope, id, {
  replicas: 2,
  containers: [{
    name: 'app',
    image,
    portNumber: 8080,
    resources: {
      cpu: { request: kplus.Cpu.millis(200), limit: kplus.Cpu.millis(500) },
      memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
    },
    ...extra,
  }],
});

/** Adds cluster `i` to a chart. */
export function addCluster(chart: Chart, i: number): void {
  const name = clusterName(i);
  switch (kindOf(i)) {
    case 'postgres': {
      const pg = new PostgresCluster(chart, name, {
        instances: 3,
        storage: { size: Size.gibibytes(20) },
        resources: {
          cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) },
          memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
        },
        databases: [{ name: 'orders' }],
        parameters: { log_min_duration_statement: '500ms' },
        backup: { size: Size.gibibytes(50), schedule: '15 3 * * *', keep: 7 },
      });
      pg.bind(api(chart, `${name}-api`, 'ghcr.io/acme/orders-api:1.4.2'));
      break;
    }
    case 'kafka': {
      const kafka = new KafkaCluster(chart, name, {
        version: KafkaVersion.V4_1_2,
        replicas: 3,
        storage: { size: Size.gibibytes(50) },
        resources: {
          cpu: { request: kplus.Cpu.millis(500) },
          memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
        },
        config: { 'log.retention.hours': '168' },
      });
      kafka.addTopic('orders', { partitions: 12, config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' } });
      kafka.addTopic('payments', { partitions: 6 });
      kafka.bind(api(chart, `${name}-consumer`, 'ghcr.io/acme/orders-consumer:2.0.1', { securityContext: { user: 1000, group: 1000 } }));
      break;
    }
    case 'pool':
      new LocalVolumePool(chart, name, {
        disks: [1, 2, 3].map((d) => ({
          node: `node-${i}-${d}`,
          path: `/mnt/disks/disk-${i}-${d}`,
          capacity: Size.gibibytes(370),
        })),
      });
      break;
    case 'etcd':
      new EtcdCluster(chart, name, { backup: { size: Size.gibibytes(20), keep: 7 } });
      break;
  }
}
