export * from './mariadb-version';
export * from './mariadb-cluster';
