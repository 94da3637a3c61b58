/**
 * Property-based test for MariaDBCluster and its bind(): whatever the props, the library throws a
 * ValidationError or writes objects that pass the validators, the API server's value rules and
 * the cluster's own rules below (the read-write Service selects the first pod, no user parameter repeats
 * a managed flag, the buffer pool stays below the memory limit). Fixed seed; FC_RUNS=<n> runs more.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, size, resourcesOf, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { MariaDBCluster, MariaDBVersion } from '../../src';

const MANAGED_FLAGS = ['server-id', 'read-only', 'log-bin', 'binlog-format', 'gtid-strict-mode', 'port', 'log-slave-updates'];

function clusterErrors(objs: any[]): string[] {
  const out: string[] = [];
  for (const sts of objs.filter((o) => o.kind === 'StatefulSet')) {
    const name = sts.metadata.name;
    const rw = objs.find((o) => o.kind === 'Service' && o.metadata.name === name);
    const first = sts.spec.ordinals?.start ?? 0;
    if (rw?.spec.selector['statefulset.kubernetes.io/pod-name'] !== `${name}-${first}`) out.push(`${name}: the rw Service does not select ${name}-${first}`);
    const c = sts.spec.template.spec.containers.find((x: any) => x.name === 'mariadb');
    const flags: string[] = c.args.map((a: string) => /^--([^=]+)=/.exec(a)?.[1]);
    for (const f of MANAGED_FLAGS) if (flags.filter((x) => x === f).length > 1) out.push(`${name}: --${f} twice`);
    const pool = Number(c.args.find((a: string) => a.startsWith('--innodb-buffer-pool-size='))?.split('=')[1]);
    const limit = c.resources?.limits?.memory;
    if (limit && /^\d+Mi$/.test(limit) && pool > Number(limit.replace('Mi', '')) * 1024 * 1024 / 2 && pool > 128 * 1024 * 1024) {
      out.push(`${name}: buffer pool ${pool} above half the limit ${limit}`);
    }
  }
  return out;
}

const caseOf = (h: boolean) => fc.record({
  name: opt(word(h)),
  replicas: opt(count(h)),
  ordinalsStart: opt(either(fc.integer({ min: 0, max: 300 }), fc.constantFrom(-1, 0.5, 2 ** 31))(h)),
  storage: opt(size(h)),
  resources: resourcesOf(h),
  database: opt(either(fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/), fc.constantFrom('', 'a-b', 'x'.repeat(65), 'db;drop'))(h)),
  user: opt(either(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), fc.constantFrom('', 'root', 'replicator', "o'neil"))(h)),
  retentionHours: opt(either(fc.integer({ min: 1, max: 24 * 99 }), fc.constantFrom(0, 0.5, 24 * 100, NaN))(h)),
  parameters: opt(either(
    fc.dictionary(fc.constantFrom('max_connections', 'max-allowed-packet', 'wait_timeout'), fc.stringMatching(/^[0-9]{1,6}$/), { maxKeys: 2 }),
    fc.dictionary(fc.constantFrom('server_id', 'read-only', 'Bad Name', 'sql_mode'), fc.constantFrom('1', '', 'A B'), { maxKeys: 2 }),
  )(h)),
  version: opt(either(fc.constantFrom('11.4.12', '10.11.18', '11.8.6'), fc.constantFrom('10.5.27', 'lts', '', '11.4'))(h)),
  readOnly: fc.boolean(),
});

test(`MariaDBCluster and bind(): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(fc.boolean().chain(caseOf), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const db = new MariaDBCluster(chart, 'db', {
      name: p.name,
      replicas: p.replicas,
      ordinalsStart: p.ordinalsStart,
      storageSize: p.storage,
      resources: p.resources,
      database: p.database,
      user: p.user,
      binlogRetention: p.retentionHours === undefined ? undefined : Duration.seconds(Math.round(p.retentionHours * 3600)),
      parameters: p.parameters,
      version: p.version === undefined ? undefined : MariaDBVersion.of(p.version),
    });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
    db.bind(app, { readOnly: p.readOnly });
  }, clusterErrors, { runtimeLabelKeys: ['statefulset.kubernetes.io/pod-name'] })), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`MariaDBCluster property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(0);
  expect(outcomes.rejected).toBeGreaterThan(0);
});
