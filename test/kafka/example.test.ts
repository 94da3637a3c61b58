import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { KafkaExampleChart } from '../../examples/kafka';
import { envOf, find, ofKind, synthValidated } from '../util/validate';

test('examples/kafka.ts synthesizes and passes the validators', () => {
  const chart = new KafkaExampleChart(Testing.app(), 'kafka');
  const objs = synthValidated(chart);
  expect(find(objs, 'StatefulSet', 'events').spec.replicas).toBe(3);
  expect(topicJobs(objs)).toHaveLength(1);
  const dep = ofKind(objs, 'Deployment')[0];
  expect(envOf(dep.spec.template.spec.containers[0]).KAFKA_BOOTSTRAP_SERVERS).toBe('events-bootstrap:9092');
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

/**
 * Max heap of a container running a Kafka CLI script: KAFKA_HEAP_OPTS's -Xmx, else the script's
 * default (bin/kafka-console-consumer.sh: -Xmx512M; kafka-run-class.sh: -Xmx256M).
 */
function cliHeapMi(c: any): number {
  const opts: string | undefined = envOf(c).KAFKA_HEAP_OPTS;
  const m = /-Xmx(\d+)([mMgG])/.exec(opts ?? '');
  if (m) return Number(m[1]) * (/g/i.test(m[2]) ? 1024 : 1);
  return (c.command ?? []).some((x: string) => /kafka-console-(consumer|producer)\.sh$/.test(x)) ? 512 : 256;
}

function limitMi(c: any): number {
  const q: string = c.resources.limits.memory;
  const m = /^(\d+)(Mi|Gi)$/.exec(q)!;
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

test("the example consumer's JVM heap leaves room under its memory limit", () => {
  const objs = synthValidated(new KafkaExampleChart(Testing.app(), 'kafka'));
  const c = ofKind(objs, 'Deployment')[0].spec.template.spec.containers[0];
  // Metaspace, code cache, thread stacks and direct buffers come on top of the heap.
  expect(cliHeapMi(c) + 256).toBeLessThanOrEqual(limitMi(c));
});

test('docs/kafka.md: every console-client snippet sets KAFKA_HEAP_OPTS (the script defaults to -Xmx512M)', () => {
  const section = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'kafka.md'), 'utf8');
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes('kafka-console-'));
  expect(blocks.length).toBeGreaterThan(0);
  for (const b of blocks) expect(b).toMatch(/KAFKA_HEAP_OPTS: kplus\.EnvValue\.fromValue\('-Xmx(\d+)m'\)/);
});

/** The topic Jobs (the roller Job is a Job too). */
function topicJobs(objs: any[]): any[] {
  return objs.filter((o) => o.kind === 'Job' && o.metadata.name.includes('-topic-'));
}
