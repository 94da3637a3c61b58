export * from './postgres-version';
export * from './postgres-cluster';
