/**
 * GitOps (docs/gitops.md): Argo CD and Flux must never prune or delete an object that holds data,
 * and Argo CD must run the Job that generates a Secret before the StatefulSet whose pods read it.
 * Asserted on the example app's output, which uses every data-holding object the library writes.
 */
import { Testing } from 'cdk8s';
import { buildExampleApp } from '../../examples/app';
import { EXAMPLE_RUNTIME_SECRETS } from '../util/examples';
import { synthValidatedApp } from '../util/validate';

const WAVE = 'argocd.argoproj.io/sync-wave';
const wave = (o: any): number => Number(o.metadata.annotations?.[WAVE] ?? '0');

function exampleObjects(): any[] {
  const app = Testing.app();
  buildExampleApp(app);
  return synthValidatedApp(app, { externalSecrets: EXAMPLE_RUNTIME_SECRETS });
}

/** Names of the Secrets a pod template reads (env, envFrom, volumes, projected volumes). */
function secretsRead(template: any): string[] {
  const spec = template.spec;
  const names = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef) names.add(e.secretRef.name);
  }
  for (const v of spec.volumes ?? []) {
    if (v.secret) names.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) if (s.secret) names.add(s.secret.name);
  }
  return [...names];
}

describe('Argo CD and Flux', () => {
  const objs = exampleObjects();

  test('every claim in the output is kept by Helm, Argo CD (no prune, no delete with the Application) and Flux', () => {
    const claims = objs.filter((o) => o.kind === 'PersistentVolumeClaim');
    expect(claims.length).toBeGreaterThanOrEqual(2); // expandable claims and the backup claim
    for (const c of claims) {
      expect(c.metadata.annotations).toMatchObject({
        'helm.sh/resource-policy': 'keep',
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      });
    }
  });

  test('claim templates carry no annotation: a StatefulSet\'s volumeClaimTemplates are immutable, and their claims are not in the output', () => {
    for (const s of objs.filter((o) => o.kind === 'StatefulSet')) {
      for (const t of s.spec.volumeClaimTemplates ?? []) expect(t.metadata.annotations).toBeUndefined();
    }
  });

  test('the Job that generates a Secret, and its RBAC, run in wave -1; StatefulSets stay in the default wave 0', () => {
    const generators = objs.filter((o) => o.kind === 'Job' && o.spec.template.metadata.labels['app.kubernetes.io/component'] === 'secret-generator');
    expect(generators.length).toBeGreaterThan(0);
    for (const job of generators) {
      expect(job.metadata.annotations[WAVE]).toBe('-1');
      const sa = job.spec.template.spec.serviceAccountName;
      for (const kind of ['ServiceAccount', 'Role', 'RoleBinding']) {
        const rbac = objs.find((o) => o.kind === kind && o.metadata.name === sa && o.metadata.namespace === job.metadata.namespace);
        expect(rbac?.metadata.annotations?.[WAVE]).toBe('-1');
      }
    }
    for (const s of objs.filter((o) => o.kind === 'StatefulSet')) expect(s.metadata.annotations?.[WAVE]).toBeUndefined();
  });

  test('every StatefulSet that reads a generated Secret comes in a later wave than the Job that generates it', () => {
    const generatorOf = new Map<string, any>();
    for (const job of objs.filter((o) => o.kind === 'Job')) {
      const env = job.spec.template.spec.containers[0].env ?? [];
      const name = env.find((e: any) => e.name === 'SECRET_NAME')?.value;
      if (name) generatorOf.set(`${job.metadata.namespace}/${name}`, job);
    }
    let pairs = 0;
    for (const s of objs.filter((o) => o.kind === 'StatefulSet')) {
      for (const secret of secretsRead(s.spec.template)) {
        const job = generatorOf.get(`${s.metadata.namespace}/${secret}`);
        if (!job) continue;
        pairs++;
        expect(wave(job)).toBeLessThan(wave(s));
      }
    }
    expect(pairs).toBeGreaterThan(0);
  });
});
