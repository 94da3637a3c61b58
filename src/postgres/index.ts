export * from './postgres-version';
export * from './postgres-cluster-props';
export * from './postgres-cluster';
export * from './postgres-backup';
export * from './postgres-pooler';
export * from './postgres-user';
