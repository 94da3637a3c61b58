// ValidationError is not re-exported (jsii cannot model Error subclasses): TypeScript users import
// it from 'cdk8s-stateful/lib/core/errors'; any language can use Errors.isValidationError().

export * from './core';
export * from './storage';
export * from './postgres';
export * from './kafka';
export * from './mongodb';
export * from './etcd';
export * from './redis';
export * from './upgrade';
export * from './synth';
export * from './policy';
export * from './zookeeper';
export * from './cockroachdb';
export * from './cassandra';
export * from './mariadb';
