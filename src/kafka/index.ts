export * from './kafka-version';
export * from './listeners';
export * from './kafka-cluster-ref';
export * from './node-pool';
export * from './topic';
export type { KafkaRackAwarenessOptions } from './rack-awareness';
export * from './kafka-cluster-props';
export * from './kafka-cluster';
