export * from './credentials';
export * from './generated-secret';
export * from './script-job';
export * from './stateful-service';
export * from './monitoring';
export * from './kanister';
export * from './node-labels';
export * from './tls';
