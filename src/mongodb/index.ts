export * from './mongo-version';
export * from './mongo-replica-set-props';
export * from './mongo-replica-set';
export * from './mongo-backup';
