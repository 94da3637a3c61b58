export * from './cockroach-version';
export * from './cockroach-security';
export * from './cockroach-cluster';
