// The upgrade-scenario corpus: each row synthesizes the library's constructs twice, with the
// props before and after a change, and lists the findings UpgradeSafety must give (`<id>
// <Kind>/<name>`, ids without the `@cdk8s-stateful/policy:` prefix). Safe changes give none.
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  KafkaCluster, KafkaClusterProps, KafkaNodePoolOptions, KafkaTopicOptions, KafkaVersion, LocalVolumePool, ObjectStore, PostgresBootstrap,
  PostgresCluster, PostgresClusterProps, PostgresRollout, PostgresStandby, PostgresVersion, ReplicationMode, RetentionPolicy, StatefulWorkload,
  StatefulWorkloadProps, StorageClass, StorageClassProps, StorageProfile,
} from '../../src';
import { EtcdCluster } from '../../src/etcd';
import { MariaDBCluster, MariaDBVersion } from '../../src/mariadb';
import { MongoReplicaSet, MongoReplicaSetProps } from '../../src/mongodb';
import { RedisCluster, RedisClusterProps, RedisMode } from '../../src/redis';
import { UpgradeFinding, UpgradeRisk, UpgradeSafety } from '../../src/upgrade';
import { ZooKeeperEnsemble } from '../../src/zookeeper';
import { synthValidated } from '../util/validate';

type Build = () => any[];

/** A generic workload on its own gp3 class (namespace db). */
interface VolumeSpec { readonly size?: Size; readonly expandable?: boolean; readonly sc?: Partial<StorageClassProps>; readonly classId?: string }

function workload(props: Partial<StatefulWorkloadProps> = {}, opts: VolumeSpec = {}): Build {
  return () => {
    const chart = new Chart(new App(), 'app', { namespace: 'db' });
    const gp3 = new StorageClass(chart, 'gp3', { profile: StorageProfile.awsEbs(), allowVolumeExpansion: true, ...opts.sc });
    const fast = new StorageClass(chart, 'fast', { profile: StorageProfile.awsEbs({ iops: 6000 }), allowVolumeExpansion: true });
    new StatefulWorkload(chart, 'pg', {
      image: 'docker.io/library/postgres:16.4',
      replicas: 3,
      dataVolumes: { data: { mountPath: '/data', size: opts.size ?? Size.gibibytes(20), storageClass: opts.classId === 'fast' ? fast : gp3, expandable: opts.expandable } },
      ...props,
    });
    return synthValidated(chart);
  };
}

/** A ZooKeeper-style ensemble: no publishNotReadyAddresses, but a static peer list in its args. */
function peerList(members: number): Build {
  return () => {
    const chart = new Chart(new App(), 'app', { namespace: 'coord' });
    const w = new StatefulWorkload(chart, 'zk', {
      image: 'docker.io/library/zookeeper:3.9.3',
      replicas: members,
      ports: [{ name: 'client', port: 2181 }, { name: 'peer', port: 2888 }, { name: 'election', port: 3888 }],
      dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(5) } },
    });
    w.addArgs(...Array.from({ length: members }, (_, i) => `server.${i + 1}=${w.podDnsName(i)}:2888:3888`));
    return synthValidated(chart);
  };
}

function mariadb(replicas: number, version = MariaDBVersion.V11_4_12): Build {
  return () => {
    const chart = new Chart(new App(), 'shop', { namespace: 'shop' });
    new MariaDBCluster(chart, 'db', { replicas, version });
    return synthValidated(chart);
  };
}

function etcd(members: number): Build {
  return () => {
    const chart = new Chart(new App(), 'etcd', { namespace: 'coordination' });
    new EtcdCluster(chart, 'etcd', { replicas: members });
    return synthValidated(chart);
  };
}

function zookeeper(members: number): Build {
  return () => {
    const chart = new Chart(new App(), 'zk', { namespace: 'coordination' });
    new ZooKeeperEnsemble(chart, 'zk', { replicas: members });
    return synthValidated(chart);
  };
}

function redis(props: RedisClusterProps = {}): Build {
  return () => {
    const chart = new Chart(new App(), 'redis', { namespace: 'cache' });
    new RedisCluster(chart, 'cache', props);
    return synthValidated(chart);
  };
}
const shards = (n: number, replicasPerShard = 1) => ({ mode: RedisMode.cluster({ shards: n, replicasPerShard }) });

interface KafkaVersionSpec {
  readonly props?: KafkaClusterProps;
  readonly topics?: { [id: string]: KafkaTopicOptions };
  readonly pools?: Array<[string, KafkaNodePoolOptions]>;
  /** KafkaCluster.drainBrokers() ids. */
  readonly drain?: number[];
}

function kafka(v: KafkaVersionSpec = {}): Build {
  return () => {
    const chart = new Chart(new App(), 'kafka', { namespace: 'streaming' });
    const cluster = new KafkaCluster(chart, 'events', { storage: { size: Size.gibibytes(50) }, ...v.props });
    for (const [id, o] of v.pools ?? []) cluster.addNodePool(id, o);
    for (const [id, o] of Object.entries(v.topics ?? {})) cluster.addTopic(id, o);
    if (v.drain) cluster.drainBrokers(v.drain);
    return synthValidated(chart);
  };
}

function postgres(props: PostgresClusterProps = {}): Build {
  return () => {
    const chart = new Chart(new App(), 'postgres', { namespace: 'shop' });
    const c = new PostgresCluster(chart, 'orders-db', props);
    return synthValidated(chart, { externalSecrets: [c.secretName] });
  };
}

function mongo(props: MongoReplicaSetProps = {}): Build {
  return () => {
    const chart = new Chart(new App(), 'catalog', { namespace: 'catalog' });
    const rs = new MongoReplicaSet(chart, 'mongo', props);
    return synthValidated(chart, { externalSecrets: [rs.secretName] });
  };
}

function localPool(capacity: Size): Build {
  return () => {
    const chart = new Chart(new App(), 'storage');
    new LocalVolumePool(chart, 'local-nvme', { diskSets: [{ nodes: ['n1', 'n2'], paths: ['/mnt/disks/a'], capacity }] });
    return synthValidated(chart);
  };
}

const STORE = ObjectStore.s3({ bucket: 'acme-pg', region: 'eu-central-1' });
const restore = (targetTime?: string) => PostgresBootstrap.fromBackup({ objectStore: STORE, sourceCluster: 'orders-old', targetTime });

const controllers = (replicas: number, brokers = 3): KafkaVersionSpec => ({ props: { controllers: { replicas }, replicas: brokers } });
const big = (firstNodeId?: number): Array<[string, KafkaNodePoolOptions]> => [['big', { replicas: 3, firstNodeId }]];
const orders = (o: Partial<KafkaTopicOptions> = {}) => ({ orders: { partitions: 12, replicationFactor: 3, ...o } });

const brief = (f: UpgradeFinding) => `${f.id.replace('@cdk8s-stateful/policy:', '')} ${f.kind}/${f.name}`;
const findings = (before: Build, after: Build) => UpgradeSafety.check(before(), after());

/** The topic Job's name after the change (it carries a hash of the Job's spec). */
const topicJob = (build: Build, topic = 'orders') => build().find((o) => o.kind === 'Job'
  && (o.spec.template.spec.containers[0].args?.includes(topic) || o.spec.template.spec.containers[0].env?.some((e: any) => e.name === 'TOPIC' && e.value === topic)))?.metadata.name;

const CORPUS: Array<[string, Build, Build, string[]]> = [
  // ---- safe changes: no finding
  ['safe: workload image patch bump', workload(), workload({ image: 'docker.io/library/postgres:16.5' }), []],
  ['safe: workload resources', workload(), workload({ resources: { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } } }), []],
  ['safe: labels on the pod template', workload(), workload({ podLabels: { team: 'payments' } }), []],
  ['safe: growing an expandable volume', workload({}, { expandable: true }), workload({}, { expandable: true, size: Size.gibibytes(80) }), []],
  ['safe: workload scale up', workload(), workload({ replicas: 5 }), []],
  ['safe: non-quorum workload scale down (claims retained)', workload(), workload({ replicas: 2 }), []],
  ['safe: quorum scale up', etcd(3), etcd(5), []],
  ['safe: Redis Cluster 3 → 4 shards (the create Job adds and rebalances)', redis(shards(3)), redis(shards(4)), []],
  ['safe: Redis Sentinel quorum 2 → 3 (each Sentinel reads it at start; a failover still needs a majority)', redis({ quorum: 2 }), redis({ quorum: 3 }), []],
  ['safe: local pool grows', localPool(Size.gibibytes(100)), localPool(Size.gibibytes(200)), []],
  ['safe: Kafka patch release', kafka({ props: { version: KafkaVersion.of('4.1.1') } }), kafka({ props: { version: KafkaVersion.V4_1_2 } }), []],
  ['safe: adding a topic', kafka({ topics: orders() }), kafka({ topics: { ...orders(), payments: { partitions: 6 } } }), []],
  ['safe: more partitions', kafka({ topics: orders() }), kafka({ topics: orders({ partitions: 24 }) }), []],
  ['safe: scaling brokers up', kafka(controllers(3, 3)), kafka(controllers(3, 5)), []],
  ['safe: adding a broker pool', kafka(), kafka({ pools: big() }), []],
  ['safe: growing expandable Kafka storage', kafka({ props: { storage: { size: Size.gibibytes(50), expandable: true } } }),
    kafka({ props: { storage: { size: Size.gibibytes(100), expandable: true } } }), []],
  ['safe: Postgres more instances', postgres({ instances: 3 }), postgres({ instances: 5 }), []],
  ['safe: Postgres resources', postgres(), postgres({ resources: { memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) } } }), []],
  ['safe: Postgres patch release (streaming)', postgres({ mode: ReplicationMode.STREAMING, version: PostgresVersion.V17 }),
    postgres({ mode: ReplicationMode.STREAMING, version: PostgresVersion.of('17.7', '17') }), []],

  // ---- identity: ordinals, node ids, cluster id
  ['ordinals.start change', workload(), workload({ ordinalsStart: 1 }), ['ordinalsStartChanged StatefulSet/pg']],
  ['Kafka minor downgrade', kafka({ props: { version: KafkaVersion.V4_1_2 } }), kafka({ props: { version: KafkaVersion.V4_0_1 } }),
    ['kafkaVersionDowngrade StatefulSet/events']],
  ['safe: Kafka minor upgrade', kafka({ props: { version: KafkaVersion.V4_0_1 } }), kafka({ props: { version: KafkaVersion.V4_1_2 } }), []],
  ['node pool firstNodeId change', kafka({ pools: big(200) }), kafka({ pools: big(300) }), ['kafkaNodeIdsChanged StatefulSet/events-big']],
  ['node pools added in another order (default firstNodeId)',
    kafka({ pools: [['a', {}], ['b', {}]] }), kafka({ pools: [['b', {}], ['a', {}]] }),
    ['kafkaNodeIdsChanged StatefulSet/events-a', 'kafkaNodeIdsChanged StatefulSet/events-b']],
  ['Kafka CLUSTER_ID change', kafka({ props: { clusterId: 'kCRUjDGpkVimQG3gzh-Veg' } }), kafka({ props: { clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
    ['kafkaClusterIdChanged StatefulSet/events']],

  // ---- quorums
  ['Kafka combined voters 3 → 5', kafka(), kafka({ props: { replicas: 5 } }), ['kafkaQuorumChanged StatefulSet/events']],
  ['Kafka combined 3 → 1 (quorum and brokers)', kafka(), kafka({ props: { replicas: 1, defaultReplicationFactor: 1 } }),
    ['kafkaQuorumChanged StatefulSet/events', 'kafkaBrokerScaleIn StatefulSet/events']],
  ['Kafka controllers 3 → 5', kafka(controllers(3)), kafka(controllers(5)), ['kafkaQuorumChanged StatefulSet/events-controller']],
  ['Kafka controllers 5 → 3', kafka(controllers(5)), kafka(controllers(3)), ['kafkaQuorumChanged StatefulSet/events-controller']],
  // The combined pool's disks (metadata and partitions) stay with StatefulSet events.
  ['combined to dedicated controllers', kafka(), kafka(controllers(3)), ['statefulSetRenamed StatefulSet/events']],
  ['etcd 5 → 3', etcd(5), etcd(3), ['quorumShrink StatefulSet/etcd']],
  ['static peer list 5 → 3 (no publishNotReadyAddresses)', peerList(5), peerList(3), ['quorumShrink StatefulSet/zk']],
  // A primary with replicas is not a quorum, though it publishes not-ready addresses; upgrades roll the replicas first.
  ['MariaDB replicas 3 → 2', mariadb(3), mariadb(2), []],
  ['MariaDB 10.11 → 11.4', mariadb(3, MariaDBVersion.V10_11_18), mariadb(3), []],
  ['MariaDB 11.4 → 10.11', mariadb(3), mariadb(3, MariaDBVersion.V10_11_18), ['mariadbSeriesDowngrade StatefulSet/db']],
  ['quorum workload 3 → 1', workload({ publishNotReadyAddresses: true }), workload({ publishNotReadyAddresses: true, replicas: 1 }), ['quorumShrink StatefulSet/pg']],
  ['ZooKeeper ensemble 3 → 5 (static server list)', zookeeper(3), zookeeper(5), ['zookeeperEnsembleGrown StatefulSet/zk']],
  ['ZooKeeper ensemble 5 → 3', zookeeper(5), zookeeper(3), ['quorumShrink StatefulSet/zk']],
  ['Redis Sentinel 5 → 3 (removed Sentinels still count)', redis({ replicas: 5 }), redis({ replicas: 3 }), ['quorumShrink StatefulSet/cache']],
  ['Redis Cluster 4 shards → 3', redis(shards(4)), redis(shards(3)), ['redisClusterScaleIn StatefulSet/cache']],
  ['Redis Cluster replicasPerShard 2 → 1', redis(shards(3, 2)), redis(shards(3, 1)), ['redisClusterScaleIn StatefulSet/cache']],

  // ---- MongoDB replica sets
  ['safe: Mongo scale up 3 → 5 (the primary adds the members)', mongo(), mongo({ replicas: 5 }), []],
  ['safe: Mongo 5 → 3 with removeMembersOnScaleDown (3 of 5 is a majority)', mongo({ replicas: 5, removeMembersOnScaleDown: true }),
    mongo({ replicas: 3, removeMembersOnScaleDown: true }), []],
  ['Mongo 5 → 3, members stay in the config', mongo({ replicas: 5 }), mongo(), ['mongoScaleDown StatefulSet/mongo']],
  ['Mongo 3 → 1 with removeMembersOnScaleDown (no majority left)', mongo({ removeMembersOnScaleDown: true }),
    mongo({ replicas: 1, removeMembersOnScaleDown: true }), ['mongoScaleDown StatefulSet/mongo']],

  // ---- Kafka brokers and topics
  ['broker scale-in', kafka(controllers(3, 5)), kafka(controllers(3, 3)), ['kafkaBrokerScaleIn StatefulSet/events-broker']],
  ['broker pool scale-in', kafka({ pools: big() }), kafka({ pools: [['big', { replicas: 1 }]] }), ['kafkaBrokerScaleIn StatefulSet/events-big']],
  ['safe: broker scale-in of brokers drained in the deployed output (drainBrokers, then replicas)',
    kafka({ ...controllers(3, 5), drain: [103, 104] }), kafka(controllers(3, 3)), []],
  ['broker scale-in removing more than the drained brokers', kafka({ ...controllers(3, 5), drain: [104] }), kafka(controllers(3, 3)),
    ['kafkaBrokerScaleIn StatefulSet/events-broker']],
  ['broker scale-in drained only in the new output (the drain Job never ran)', kafka(controllers(3, 5)), kafka({ ...controllers(3, 4), drain: [103] }),
    ['kafkaBrokerScaleIn StatefulSet/events-broker']],
  ['topic partition decrease', kafka({ topics: orders() }), kafka({ topics: orders({ partitions: 6 }) }),
    [`kafkaTopicPartitionsDecreased Job/${topicJob(kafka({ topics: orders({ partitions: 6 }) }))}`]],
  ['topic replication factor change', kafka({ topics: orders() }), kafka({ topics: orders({ replicationFactor: 2 }) }),
    [`kafkaTopicReplicationFactorChanged Job/${topicJob(kafka({ topics: orders({ replicationFactor: 2 }) }))}`]],
  ['Kafka storage growth without expandable', kafka(), kafka({ props: { storage: { size: Size.gibibytes(80) } } }), ['claimTemplateGrowth StatefulSet/events']],

  // ---- Postgres
  ['Postgres major version (Patroni)', postgres({ version: PostgresVersion.V16 }), postgres({ version: PostgresVersion.V17 }), ['postgresMajorVersionChanged StatefulSet/orders-db']],
  ['Postgres major version (streaming)', postgres({ mode: ReplicationMode.STREAMING, version: PostgresVersion.V16 }),
    postgres({ mode: ReplicationMode.STREAMING, version: PostgresVersion.V17 }), ['postgresMajorVersionChanged StatefulSet/orders-db']],
  ['Postgres image major on a plain workload', workload(), workload({ image: 'docker.io/library/postgres:17.6' }), ['postgresMajorVersionChanged StatefulSet/pg']],
  ['Postgres storage growth', postgres(), postgres({ storage: { size: Size.gibibytes(50) } }), ['claimTemplateGrowth StatefulSet/orders-db']],
  // bootstrap (CLONE_*) and standby (STANDBY_*) act only when Patroni creates the cluster
  ['Postgres bootstrap added to an existing cluster', postgres(), postgres({ bootstrap: restore() }), ['postgresBootstrapChanged StatefulSet/orders-db']],
  ['Postgres bootstrap target time changed', postgres({ bootstrap: restore() }), postgres({ bootstrap: restore('2026-02-01T00:00:00+00:00') }),
    ['postgresBootstrapChanged StatefulSet/orders-db']],
  ['safe: Postgres bootstrap removed once the cluster exists', postgres({ bootstrap: restore() }), postgres(), []],
  ['safe: Postgres continuous backup added', postgres(), postgres({ continuousBackup: { objectStore: STORE } }), []],
  ['Postgres standby added to an existing cluster', postgres(), postgres({ standby: PostgresStandby.fromHost({ host: 'orders.eu.example.com' }) }),
    ['postgresStandbyChanged StatefulSet/orders-db']],
  ['Postgres standby removed (does not promote)', postgres({ standby: PostgresStandby.fromHost({ host: 'orders.eu.example.com' }) }), postgres(),
    ['postgresStandbyChanged StatefulSet/orders-db']],
  ['Postgres major upgrade with upgradeFrom (Patroni)', postgres({ version: PostgresVersion.V16 }),
    postgres({ version: PostgresVersion.V17, upgradeFrom: PostgresVersion.V16 }), ['postgresMajorUpgrade StatefulSet/orders-db']],
  ['Postgres major upgrade Job for another pair', postgres({ version: PostgresVersion.V15 }),
    postgres({ version: PostgresVersion.V17, upgradeFrom: PostgresVersion.V16 }), ['postgresMajorVersionChanged StatefulSet/orders-db']],
  ['Postgres major downgrade', postgres({ version: PostgresVersion.V17 }), postgres({ version: PostgresVersion.V16 }), ['postgresMajorDowngrade StatefulSet/orders-db']],
  ['Postgres after the upgrade, upgradeFrom kept', postgres({ version: PostgresVersion.V17, upgradeFrom: PostgresVersion.V16 }),
    postgres({ version: PostgresVersion.of('17.7', '17'), upgradeFrom: PostgresVersion.V16, parameters: { work_mem: '8MB' } }), []],
  ['Postgres RollingUpdate → primary-aware rollout', postgres({ rollout: PostgresRollout.rollingUpdate() }), postgres(), []],
  ['Postgres config change (a new rollout Job)', postgres(), postgres({ parameters: { work_mem: '8MB' } }), []],
  ['Postgres expandable growth (data and WAL)', postgres({ storage: { expandable: true, walSize: Size.gibibytes(4) } }),
    postgres({ storage: { expandable: true, size: Size.gibibytes(50), walSize: Size.gibibytes(8) } }), []],
  ['Postgres expandable turned on at the created size', postgres(), postgres({ storage: { expandable: true, claimTemplateSize: Size.gibibytes(10) } }), []],
  ['Postgres expandable shrink', postgres({ storage: { expandable: true, size: Size.gibibytes(50) } }), postgres({ storage: { expandable: true } }),
    ['claimShrink PersistentVolumeClaim/data-orders-db-0', 'claimShrink PersistentVolumeClaim/data-orders-db-1', 'claimShrink PersistentVolumeClaim/data-orders-db-2']],
  ['Postgres backup volume growth', postgres({ backup: { size: Size.gibibytes(10) } }), postgres({ backup: { size: Size.gibibytes(20) } }), []],
  ['Postgres backup volume shrink', postgres({ backup: { size: Size.gibibytes(20) } }), postgres({ backup: { size: Size.gibibytes(10) } }),
    ['claimShrink PersistentVolumeClaim/orders-db-backup']],

  // ---- claims and classes
  ['claim template class change', workload(), workload({}, { classId: 'fast' }), ['statefulSetImmutableField StatefulSet/pg']],
  ['claim template growth', workload(), workload({}, { size: Size.gibibytes(50) }), ['claimTemplateGrowth StatefulSet/pg']],
  ['claim template shrink', workload({}, { size: Size.gibibytes(50) }), workload(), ['statefulSetImmutableField StatefulSet/pg']],
  ['expandable claims shrink', workload({}, { expandable: true, size: Size.gibibytes(50) }), workload({}, { expandable: true }),
    ['claimShrink PersistentVolumeClaim/data-pg-0', 'claimShrink PersistentVolumeClaim/data-pg-1', 'claimShrink PersistentVolumeClaim/data-pg-2']],
  ['expandable claims removed on scale-in', workload({}, { expandable: true }), workload({ replicas: 2 }, { expandable: true }), ['claimRemoved PersistentVolumeClaim/data-pg-2']],
  ['scale-in deleting claims', workload(), workload({ replicas: 1, whenScaled: RetentionPolicy.DELETE }), ['scaleDownDeletesClaims StatefulSet/pg']],
  ['StorageClass expansion turned off', workload(), workload({}, { sc: { allowVolumeExpansion: false } }), ['storageClassExpansionDisabled StorageClass/gp3']],
];

describe('upgrade corpus', () => {
  test('has at least 30 pairs, safe and destructive', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
    expect(CORPUS.filter((c) => c[3].length === 0).length).toBeGreaterThanOrEqual(10);
    expect(CORPUS.filter((c) => c[3].length > 0).length).toBeGreaterThanOrEqual(20);
  });

  test.each(CORPUS)('%s', (_label, before, after, expected) => {
    expect(findings(before, after).map(brief)).toEqual(expected);
  });

  test('every finding id is documented in docs/upgrade-safety.md with its risk', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/upgrade-safety.md'), 'utf8');
    // | `<id>` | `<risk>` (or `<risk>` / `<risk>`) | what | fix |
    const rows = new Map([...doc.matchAll(/^\| `(@cdk8s-stateful\/policy:\w+)` \| ([^|]+) \|/gm)]
      .map((m) => [m[1], [...m[2].matchAll(/`(\w+)`/g)].map((r) => r[1])]));
    const seen = CORPUS.flatMap(([, before, after]) => findings(before, after));
    expect(seen.length).toBeGreaterThan(30);
    for (const f of seen) expect(`${f.id} ${rows.get(f.id)?.includes(f.risk) ? f.risk : rows.get(f.id)}`).toBe(`${f.id} ${f.risk}`);
    for (const id of ['kafkaQuorumChanged', 'kafkaClusterIdChanged', 'quorumShrink', 'postgresMajorVersionChanged', 'postgresMajorUpgrade', 'postgresMajorDowngrade', 'jobTemplateImmutable']) {
      expect(rows.has(`@cdk8s-stateful/policy:${id}`)).toBe(true);
    }
  });
});

describe('upgrade messages', () => {
  const one = (before: Build, after: Build) => {
    const f = findings(before, after);
    expect(f).toHaveLength(1);
    return f[0];
  };

  test('a claim template change names the field, and says the orphan delete keeps the old class', () => {
    const f = one(workload(), workload({}, { classId: 'fast' }));
    expect(f.message).toContain("spec.volumeClaimTemplates changed (claim template 'data': spec.storageClassName gp3 → fast)");
    const steps = f.migration.join('\n');
    expect(steps).toContain('the adopted claims data-pg-<ordinal> keep their old spec.storageClassName');
    expect(steps).toContain("the real migration: deploy under a new StatefulSet name (the workload's 'name'), copy the data into it");
    expect(steps).toContain('kubectl delete pvc data-pg-<n> -n db --wait=false; kubectl delete pod pg-<n> -n db');
  });

  test('a new or removed claim template says what happens to the pods and the claims', () => {
    const withWal = workload({ dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(20) }, wal: { mountPath: '/wal', size: Size.gibibytes(5) } } });
    const plain = workload({ dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(20) } } });
    expect(one(plain, withWal).migration.join('\n')).toContain("claim template 'wal' is new: the controller creates wal-pg-<ordinal> for each pod");
    expect(one(withWal, plain).migration.join('\n')).toContain("claim template 'wal' is removed: its claims wal-pg-* stay behind, unused (orphaned)");
    // Turning expandable on moves the claims into the output: the apply adopts them.
    expect(one(workload(), workload({}, { expandable: true })).migration.join('\n')).toContain('the apply adopts the existing claims by name');
  });

  test('a Postgres major version change explains the in-place upgrade, or points to upgradeFrom', () => {
    const up = one(postgres({ version: PostgresVersion.V16 }), postgres({ version: PostgresVersion.V17, upgradeFrom: PostgresVersion.V16 }));
    expect(up.risk).toBe(UpgradeRisk.UNAVAILABLE);
    expect(up.message).toMatch(/^PostgreSQL major version 16 → 17 with the upgrade Job orders-db-upgrade-16-to-17-[0-9a-f]{8}: the pods first roll out with PGVERSION=17/);
    expect(up.message).toContain('pg_upgrade --link');
    expect(up.migration.join('\n')).toMatch(/kubectl logs -f job\/orders-db-upgrade-16-to-17-[0-9a-f]{8} -n shop/);
    const bare = one(postgres({ version: PostgresVersion.V16 }), postgres({ version: PostgresVersion.V17 }));
    expect(bare.migration[0]).toBe('PostgresCluster in Patroni mode: set upgradeFrom: PostgresVersion.V16 (the major the data has) next to version, which adds the in-place upgrade Job');
  });

  test('growing storage suggests expandable only where the construct has it', () => {
    const pg = one(postgres(), postgres({ storage: { size: Size.gibibytes(50) } }));
    expect(pg.migration.join('\n')).toContain("'expandable: true' in the cluster's storage (with claimTemplateSize and walClaimTemplateSize");
    expect(pg.migration[0]).toContain('kubectl patch pvc <data>-orders-db-<ordinal> -n shop');
    expect(one(kafka(), kafka({ props: { storage: { size: Size.gibibytes(80) } } })).migration.join('\n')).toContain("in the pool's storage options");
    expect(one(workload(), workload({}, { size: Size.gibibytes(50) })).migration.join('\n')).toContain("'expandable: true' on the data volume");
  });

  test("removing a claim that carries the keep annotations orphans it; one that doesn't is deleted", () => {
    const kept = one(workload({}, { expandable: true }), workload({ replicas: 2 }, { expandable: true }));
    expect(kept.risk).toBe(UpgradeRisk.ORPHANED);
    expect(kept.message).toContain('Helm (helm.sh/resource-policy: keep), Argo CD (sync-options Prune=false) and Flux (kustomize.toolkit.fluxcd.io/prune: disabled) leave it');
    expect(kept.message).toContain('only a pruning kubectl apply (--prune, which has no opt-out) deletes it');
    const bare = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', annotations: { 'helm.sh/resource-policy': 'keep' } }, spec: {} };
    const [gone] = UpgradeSafety.check([bare], []);
    expect(gone.risk).toBe(UpgradeRisk.DATA_LOSS);
    expect(gone.message).toBe('removed from the output: a pruning apply (kubectl --prune, Argo CD and Flux) deletes the claim, and with a Delete reclaim policy the disk ' +
      '(only Helm (helm.sh/resource-policy: keep) keeps it)');
  });

  test('turning volume expansion off is accepted by the API server: it only blocks later growth', () => {
    const f = one(workload(), workload({}, { sc: { allowVolumeExpansion: false } }));
    expect(f.risk).toBe(UpgradeRisk.BLOCKS_LATER_CHANGES);
    expect(f.message).toBe('allowVolumeExpansion turned off: the API server accepts this and existing volumes keep their size, ' +
      'but growing any claim of this class later is rejected');
    const sc = (allowVolumeExpansion: boolean) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', allowVolumeExpansion });
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-pg-0' }, spec: { storageClassName: 'gp3' } };
    expect(UpgradeSafety.check([sc(true), claim], [sc(false), claim])[0].message).toContain('(claims of this class in the output: data-pg-0)');
  });

  test('Kafka findings give the ids and the values to keep', () => {
    const id = one(kafka({ props: { clusterId: 'kCRUjDGpkVimQG3gzh-Veg' } }), kafka({ props: { clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' } }));
    expect(id.migration[0]).toBe("keep the id: set clusterId: 'kCRUjDGpkVimQG3gzh-Veg' on the KafkaCluster (it is what the disks carry)");
    const scaleIn = one(kafka(controllers(3, 5)), kafka(controllers(3, 3)));
    expect(scaleIn.message).toContain('replicas 5 → 3 removes brokers 103, 104');
    expect(scaleIn.migration.join('\n')).toContain('kafka-reassign-partitions.sh');
    const quorum = one(kafka(), kafka({ props: { replicas: 5 } }));
    expect(quorum.message).toContain('controller.quorum.voters changes from nodes 0, 1 and 2 to 0, 1, 2, 3 and 4');
    const ids = one(kafka({ pools: big(200) }), kafka({ pools: big(300) }));
    expect(ids.message).toContain('spec.ordinals.start 200 → 300 (the node pool\'s firstNodeId): node ids 200-202 become 300-302');
    expect(ids.migration[0]).toContain('set firstNodeId: 200 on the node pool');
  });

  test('Postgres major version change points to the docs', () => {
    const f = one(postgres({ version: PostgresVersion.V16 }), postgres({ version: PostgresVersion.V17 }));
    expect(f.risk).toBe(UpgradeRisk.REJECTED);
    expect(f.message).toContain('PostgreSQL major version 16 → 17');
    expect(f.message).toContain('docs/upgrade-safety.md#postgresql-major-versions');
  });

  test('scaling brokers up with a topic: the topic Job keeps its name and its (immutable) pod template', () => {
    // The topic Job bootstraps from the first broker of each pool, which scaling never changes;
    // before, it listed every broker, kept its name and was rejected at apply (jobTemplateImmutable).
    const before = kafka({ ...controllers(3, 3), topics: orders() });
    const after = kafka({ ...controllers(3, 5), topics: orders() });
    expect(topicJob(after)).toBe(topicJob(before));
    expect(findings(before, after).map(brief)).toEqual([]);
  });
});
