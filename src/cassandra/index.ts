export * from './cassandra-version';
export * from './cassandra-cluster';
