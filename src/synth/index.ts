export * from './linear-app';
