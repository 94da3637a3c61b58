export * from './redis-cluster';
export * from './redis-version';
export * from './redis-mode';
