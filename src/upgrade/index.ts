export * from './upgrade-finding';
export * from './upgrade-safety';
