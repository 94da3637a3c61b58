export * from './zookeeper-version';
export * from './zookeeper-ensemble';
