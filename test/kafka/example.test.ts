import { App, Testing } from 'cdk8s';
import { KafkaExampleChart } from '../../examples/kafka';
import { envOf, find, ofKind, synthValidated } from '../util/validate';

test('examples/kafka.ts synthesizes and passes the validators', () => {
  const chart = new KafkaExampleChart(Testing.app(), 'kafka');
  const objs = synthValidated(chart);
  expect(find(objs, 'StatefulSet', 'events').spec.replicas).toBe(3);
  expect(ofKind(objs, 'Job')).toHaveLength(1);
  const dep = ofKind(objs, 'Deployment')[0];
  expect(envOf(dep.spec.template.spec.containers[0]).KAFKA_BOOTSTRAP_SERVERS).toBe('events-bootstrap.streaming.svc.cluster.local:9092');
  const rules = find(objs, 'NetworkPolicy', 'events').spec.ingress;
  expect(rules.some((r: any) => r.ports?.[0]?.port === 9092)).toBe(true);
});

test('examples/kafka.ts is deterministic', () => {
  const yaml = () => {
    const app = new App({ outdir: '/tmp/unused' });
    new KafkaExampleChart(app, 'kafka');
    return app.synthYaml();
  };
  expect(yaml()).toEqual(yaml());
});
