import { App } from 'cdk8s';
import { CassandraExampleChart } from './cassandra';
import { CockroachExampleChart } from './cockroachdb';
import { EtcdExampleChart } from './etcd';
import { KafkaExampleChart } from './kafka';
import { MariaDBExampleChart } from './mariadb';
import { MongoExampleChart } from './mongodb';
import { PostgresExampleChart } from './postgres';
import { RedisExampleChart } from './redis';
import { StorageExampleChart } from './storage';
import { ZooKeeperExampleChart } from './zookeeper';

/** Every example chart, as one cdk8s app. main.ts synthesizes it; tests validate it. */
export function buildExampleApp(app: App): void {
  new EtcdExampleChart(app, 'etcd');
  new StorageExampleChart(app, 'storage');
  new PostgresExampleChart(app, 'postgres');
  new KafkaExampleChart(app, 'kafka');
  new RedisExampleChart(app, 'redis');
  new ZooKeeperExampleChart(app, 'zookeeper');
  new CockroachExampleChart(app, 'cockroachdb');
  new CassandraExampleChart(app, 'cassandra');
  new MongoExampleChart(app, 'mongodb');
  new MariaDBExampleChart(app, 'mariadb');
}
