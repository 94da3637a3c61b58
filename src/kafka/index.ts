export * from './kafka-version';
export * from './listeners';
export * from './node-pool';
export * from './topic';
export * from './kafka-cluster';
