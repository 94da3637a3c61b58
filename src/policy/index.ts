export * from './admission-policies';
