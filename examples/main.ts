import { App } from 'cdk8s';
import { buildExampleApp } from './app';

const app = new App();
buildExampleApp(app);
app.synth();
