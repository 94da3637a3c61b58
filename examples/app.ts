import { App } from 'cdk8s';
import { EtcdExampleChart } from './etcd';

/** Every example chart, as one cdk8s app. main.ts synthesizes it; tests validate it. */
export function buildExampleApp(app: App): void {
  new EtcdExampleChart(app, 'etcd');
}
