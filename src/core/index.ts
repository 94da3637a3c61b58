// errors.ts (ValidationError) is deliberately not re-exported: see the comment there.
export { Errors } from './errors';
export * from './warnings';
export { Names } from './naming';
export * from './labels';
export * from './workload';
export * from './kit';
