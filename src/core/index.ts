export * from './errors';
export * from './naming';
export * from './labels';
export * from './storage';
export * from './placement';
export * from './container';
export * from './stateful-workload';
