export * from './profiles';
export * from './storage-profile';
export * from './storage-class';
export * from './local-volume-pool';
export * from './local-volume-options';
