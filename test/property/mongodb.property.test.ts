/**
 * Property-based test for MongoReplicaSet and its bind(): whatever the props, the library throws
 * a ValidationError or writes objects that pass the validators, the API server's value rules and
 * the replica set's own rules below (1..7 voting members, one ordinal per member in the members
 * file, --replSet on every mongod, a WiredTiger cache of 0.25 GB or more below the memory limit).
 * Fixed seed; FC_RUNS=<n> runs more.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, count, size, resourcesOf, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { MongoReplicaSet, MongoVersion } from '../../src';

function replicaSetErrors(objs: any[]): string[] {
  const out: string[] = [];
  const members = objs.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels['app.kubernetes.io/component'] === 'database');
  const arbiters = objs.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels['app.kubernetes.io/component'] === 'arbiter');
  for (const sts of members) {
    const n = sts.spec.replicas;
    if (!(n >= 1 && n + arbiters.length <= 7)) out.push(`${sts.metadata.name}: ${n} members and ${arbiters.length} arbiters`);
    const file = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${sts.metadata.name}-members`)?.data.members;
    if (file !== Array.from({ length: n }, (_, i) => `${i}\n`).join('')) out.push(`${sts.metadata.name}: members file ${JSON.stringify(file)}`);
  }
  for (const sts of [...members, ...arbiters]) {
    const c = sts.spec.template.spec.containers.find((x: any) => x.name === 'mongod');
    const args: string[] = c.args;
    if (!args.includes('--replSet')) out.push(`${sts.metadata.name}: no --replSet`);
    const at = args.indexOf('--wiredTigerCacheSizeGB');
    if (at >= 0) {
      const gb = Number(args[at + 1]);
      const limit = c.resources?.limits?.memory;
      const limitGb = limit && /^\d+Mi$/.test(limit) ? Number(limit.replace('Mi', '')) / 1024 : limit && /^\d+Gi$/.test(limit) ? Number(limit.replace('Gi', '')) : undefined;
      if (!(gb >= 0.25)) out.push(`${sts.metadata.name}: cache ${args[at + 1]}`);
      if (limitGb !== undefined && gb >= limitGb) out.push(`${sts.metadata.name}: cache ${gb}GB ≥ limit ${limit}`);
    }
  }
  return out;
}

const caseOf = (h: boolean) => fc.record({
  name: opt(word(h)),
  replicas: opt(count(h)),
  arbiter: opt(fc.boolean()),
  replicaSetName: opt(either(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), fc.constantFrom('', 'a b', 'rs/0', 'x'.repeat(65)))(h)),
  storage: opt(size(h)),
  resources: resourcesOf(h),
  cache: opt(either(
    fc.integer({ min: 256, max: 4096 }).map((m) => Size.mebibytes(m)),
    fc.constantFrom(Size.mebibytes(1), Size.kibibytes(1536), Size.gibibytes(64)),
  )(h)),
  version: opt(either(fc.constantFrom('7.0.28', '8.0.17', '8.0.18'), fc.constantFrom('6.0.20', 'latest', '', '8.0'))(h)),
  users: opt(fc.array(fc.record({ name: word(h), database: word(h) }), { minLength: 0, maxLength: 3 })),
  removeMembersOnScaleDown: opt(fc.boolean()),
});

test(`MongoReplicaSet and bind(): only ValidationErrors, never an invalid manifest (${RUNS} cases)`, () => {
  const outcomes = new Outcomes();
  fc.assert(fc.property(fc.boolean().chain(caseOf), (p) => onlyValidationErrorsOrValidOutput(outcomes, (chart) => {
    const rs = new MongoReplicaSet(chart, 'mongo', {
      name: p.name,
      replicas: p.replicas,
      arbiter: p.arbiter,
      replicaSetName: p.replicaSetName,
      storage: p.storage,
      resources: p.resources,
      wiredTigerCacheSize: p.cache,
      version: p.version === undefined ? undefined : MongoVersion.of(p.version),
      users: p.users,
      removeMembersOnScaleDown: p.removeMembersOnScaleDown,
    });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'docker.io/library/busybox:1.36' }] });
    rs.bind(app);
  }, replicaSetErrors)), { seed: SEED, numRuns: RUNS });
  process.stdout.write(`MongoReplicaSet property test: ${outcomes}\n`);
  expect(outcomes.synthesized).toBeGreaterThan(0);
  expect(outcomes.rejected).toBeGreaterThan(0);
});
