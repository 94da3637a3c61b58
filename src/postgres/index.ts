export * from './postgres-version';
export * from './postgres-cluster';
export * from './postgres-backup';
