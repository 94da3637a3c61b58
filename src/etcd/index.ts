export * from './etcd-version';
export * from './etcd-maintenance';
export * from './etcd-cluster';
