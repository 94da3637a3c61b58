export * from './upgrade-safety';
