export * from './volumes';
export * from './scheduling';
export * from './container';
export * from './stateful-workload';
