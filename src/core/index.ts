// errors.ts (ValidationError) is deliberately not re-exported: see the comment there.
export * from './diagnostics';
export * from './naming';
export * from './labels';
export * from './storage';
export * from './placement';
export * from './container';
export * from './stateful-workload';
export * from './app';
export * from './credentials';
