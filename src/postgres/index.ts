export * from './postgres-version';
export * from './postgres-cluster-props';
export * from './postgres-cluster';
export * from './postgres-backup';
export * from './postgres-kanister';
export * from './postgres-object-store';
export * from './postgres-bootstrap';
export * from './postgres-rollout';
