/**
 * Property-based tests for CockroachCluster and CassandraCluster with bind(): whatever the props,
 * the library throws a ValidationError or writes objects that pass the validators, the API
 * server's value rules and the systems' own rules below (a join/seed list of existing members,
 * a memory budget inside the limit, an init/auth Job that names only declared databases/keyspaces).
 * Fixed seed; FC_RUNS=<n> runs more.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, size, resourcesOf, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { CassandraCluster, CassandraVersion, CockroachCluster, CockroachSecurity, CockroachVersion } from '../../src';

const sqlName = (h: boolean) => either(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
  fc.constantFrom('', 'A', 'root', 'system', 'a-b', 'x'.repeat(70), 'cassandra'),
)(h);
const memory = (h: boolean) => opt(either(
  fc.integer({ min: 2, max: 64 }).map((g) => Size.gibibytes(g)),
  fc.constantFrom(Size.mebibytes(512), Size.gibibytes(1), Size.gibibytes(NaN)),
)(h));

function envOf(c: any): { [k: string]: string } {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));
}

/** Members named in a list exist; the memory flags fit the limit. */
function memberErrors(kind: string, listVar: string) {
  return (objs: any[]): string[] => {
    const out: string[] = [];
    for (const sts of objs.filter((o) => o.kind === 'StatefulSet')) {
      const env = envOf(sts.spec.template.spec.containers[0]);
      const names = String(env[listVar]).split(',').map((h) => h.split('.')[0]);
      const start = sts.spec.ordinals?.start ?? 0;
      for (const n of names) {
        const o = Number(n.slice(sts.metadata.name.length + 1));
        if (!n.startsWith(`${sts.metadata.name}-`) || !(o >= start && o < start + sts.spec.replicas)) out.push(`${kind}: ${listVar} names ${n}, not a member`);
      }
      const heap = Number(/^(\d+)M$/.exec(env.MAX_HEAP_SIZE ?? '')?.[1] ?? 0);
      const limit = sts.spec.template.spec.containers[0].resources?.limits?.memory;
      if (heap && /^\d+Gi$/.test(limit ?? '') && heap * 2 > Number(limit.replace('Gi', '')) * 1024) out.push(`${kind}: heap ${heap}M over half of ${limit}`);
    }
    return out;
  };
}

test(`CockroachCluster and bind(): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  const caseOf = (h: boolean) => fc.record({
    name: opt(word(h)),
    replicas: opt(count(h)),
    insecure: fc.boolean(),
    storage: opt(size(h)),
    resources: resourcesOf(h),
    limit: memory(h),
    dbs: opt(fc.array(fc.record({ name: sqlName(h), owner: opt(sqlName(h)) }), { maxLength: 3 })),
    version: opt(either(fc.constantFrom('25.4.3', '25.2.4', '24.1.0'), fc.constantFrom('22.2.0', 'latest', '', '25'))(h)),
    locality: fc.boolean(),
  });
  fc.assert(fc.property(fc.boolean().chain(caseOf), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const db = new CockroachCluster(chart, 'crdb', {
      name: p.name,
      replicas: p.replicas,
      security: p.insecure ? CockroachSecurity.insecure() : CockroachSecurity.fromSecrets({ nodeSecretName: 'n', rootClientSecretName: 'r' }),
      storage: p.storage,
      resources: p.limit ? { ...(p.resources ?? {}), memory: { limit: p.limit } } : p.resources,
      databases: p.dbs,
      version: p.version === undefined ? undefined : CockroachVersion.of(p.version),
      locality: p.locality ? {} : undefined,
    });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
    db.bind(app);
  }, memberErrors('CockroachCluster', 'JOIN'), { runtimeLabelKeys: ['role'], externalSecrets: ['n', 'r'] })), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`CockroachCluster property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(0);
  expect(outcomes.rejected).toBeGreaterThan(0);
});

test(`CassandraCluster and bind(): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  const caseOf = (h: boolean) => fc.record({
    name: opt(word(h)),
    replicas: opt(count(h)),
    storage: opt(size(h)),
    resources: resourcesOf(h),
    limit: memory(h),
    numTokens: opt(either(fc.integer({ min: 1, max: 256 }), fc.constantFrom(0, -1, 0.5, 2000))(h)),
    datacenter: opt(either(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), fc.constantFrom('', 'dc 1', 'd/c'))(h)),
    keyspaces: opt(fc.array(fc.record({
      name: sqlName(h), role: opt(sqlName(h)), replicationFactor: opt(either(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 0.5, 9))(h)),
    }), { minLength: 1, maxLength: 3 })),
    version: opt(either(fc.constantFrom('5.0.3', '4.1.8', '5.0.4'), fc.constantFrom('4.0.16', '3.11.19', 'latest', ''))(h)),
    rack: fc.boolean(),
  });
  fc.assert(fc.property(fc.boolean().chain(caseOf), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const db = new CassandraCluster(chart, 'cass', {
      name: p.name,
      replicas: p.replicas,
      storage: p.storage,
      resources: p.limit ? { ...(p.resources ?? {}), memory: { limit: p.limit } } : p.resources,
      numTokens: p.numTokens,
      datacenter: p.datacenter,
      keyspaces: p.keyspaces,
      version: p.version === undefined ? undefined : CassandraVersion.of(p.version),
      rackFromNodeLabel: p.rack ? 'topology.kubernetes.io/zone' : undefined,
    });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
    if (p.keyspaces?.length) db.bind(app);
  }, memberErrors('CassandraCluster', 'SEEDS'))), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`CassandraCluster property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(0);
  expect(outcomes.rejected).toBeGreaterThan(0);
});
