/**
 * A validator we did not write: `kubectl kustomize` (notes/validators.md). Teams put our output
 * under a kustomize overlay; a namePrefix and a namespace must not break any reference
 * (serviceName, ConfigMap/Secret refs, ServiceAccount, RoleBinding). The overlaid output goes
 * through the shared validators again.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { buildExampleApp } from '../examples/app';
import { EXAMPLE_RUNTIME_SECRETS } from './util/examples';
import { validateManifests } from './util/validate';

const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => fs.existsSync(p));

test('kubectl is available (it ships with the machine image)', () => {
  expect(KUBECTL).toBeDefined();
});

test('the example output survives a kustomize overlay with namePrefix and namespace', () => {
  const app = Testing.app();
  buildExampleApp(app);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
  fs.writeFileSync(path.join(dir, 'all.yaml'), app.synthYaml());
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namePrefix: team-',
    'namespace: team',
    'resources: [all.yaml]',
  ].join('\n'));
  const out = execFileSync(KUBECTL!, ['kustomize', dir], { encoding: 'utf8' });
  const objs = parseAllDocuments(out).map((d) => d.toJS()).filter((o) => o);
  expect(objs.length).toBeGreaterThan(0);
  expect(objs.every((o) => o.metadata.name.startsWith('team-'))).toBe(true);
  const sts = objs.filter((o) => o.kind === 'StatefulSet');
  expect(sts.every((s) => s.spec.serviceName.startsWith('team-'))).toBe(true);
  validateManifests(objs, { externalSecrets: EXAMPLE_RUNTIME_SECRETS });
}, 30_000);

/**
 * Names in strings (safety issue E): kustomize rewrites object references, not the DNS names
 * written into env values and args. Every DNS name a Kafka pod or topic Job uses, and the
 * bootstrap address a bound client gets, must resolve against the overlaid Services.
 */
describe('Kafka under a kustomize overlay: DNS names in env and args resolve against the overlaid Services', () => {
  function overlay(lines: string[]): any[] {
    const app = Testing.app();
    buildExampleApp(app);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
    fs.writeFileSync(path.join(dir, 'all.yaml'), app.synthYaml());
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', ...lines, 'resources: [all.yaml]'].join('\n'));
    const out = execFileSync(KUBECTL!, ['kustomize', dir], { encoding: 'utf8' });
    return parseAllDocuments(out).map((d) => d.toJS()).filter((o) => o);
  }

  /** The env of a container as the kubelet builds it for one pod: downward API fields, then `$(VAR)` expansion in order. */
  function expandedEnv(ctr: any, podName: string, namespace: string): Map<string, string> {
    const env = new Map<string, string>();
    const expand = (v: string) => v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n) => env.get(n) ?? m);
    for (const e of ctr.env ?? []) {
      const field = e.valueFrom?.fieldRef?.fieldPath;
      if (field === 'metadata.name') env.set(e.name, podName);
      else if (field === 'metadata.namespace') env.set(e.name, namespace);
      else if (typeof e.value === 'string') env.set(e.name, expand(e.value));
    }
    return env;
  }

  /** Every `<x>.svc.cluster.local` name in the strings a pod is given, with what it should resolve to. */
  function unresolved(objs: any[]): { checked: number; missing: string[] } {
    const services = new Set(objs.filter((o) => o.kind === 'Service').map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
    const sets = objs.filter((o) => o.kind === 'StatefulSet');
    const resolves = (host: string): boolean => {
      const [left] = host.split('.svc.cluster.local');
      const parts = left.split('.');
      if (parts.length === 2) return services.has(`${parts[1]}/${parts[0]}`);
      if (parts.length !== 3) return false;
      const [pod, svc, ns] = parts;
      // A pod name resolves through its StatefulSet's headless Service (serviceName), for an ordinal it has.
      return services.has(`${ns}/${svc}`) && sets.some((s) => {
        const start = s.spec.ordinals?.start ?? 0;
        const ordinal = Number(pod.slice(s.metadata.name.length + 1));
        return s.metadata.namespace === ns && s.spec.serviceName === svc && pod.startsWith(`${s.metadata.name}-`)
          && Number.isInteger(ordinal) && ordinal >= start && ordinal < start + s.spec.replicas;
      });
    };
    let checked = 0;
    const missing: string[] = [];
    // Clients: only what bind() gives them (the args are the user's; examples/kafka.ts passes kafka.bootstrapServers there).
    const scan = (owner: string, podName: string, ns: string, ctr: any, ownArgs = true) => {
      const env = expandedEnv(ctr, podName, ns);
      const strings = [...env.values(), ...(ownArgs ? [...(ctr.args ?? []), ...(ctr.command ?? [])] : [])].map((x) => x.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m: string, n: string) => env.get(n) ?? m));
      for (const s of strings) {
        for (const host of s.match(/[a-z0-9$()_.-]+\.svc\.cluster\.local/gi) ?? []) {
          checked++;
          if (!resolves(host)) missing.push(`${owner}: ${host}`);
        }
      }
      // A short bootstrap name resolves in the pod's own namespace.
      const bootstrap = env.get('KAFKA_BOOTSTRAP_SERVERS');
      if (bootstrap && !bootstrap.includes('.')) {
        checked++;
        if (!services.has(`${ns}/${bootstrap.split(':')[0]}`)) missing.push(`${owner}: ${bootstrap}`);
      }
    };
    for (const o of objs) {
      const kafka = o.metadata.labels?.['app.kubernetes.io/name'] === 'kafka';
      if (kafka && o.kind === 'StatefulSet') {
        const start = o.spec.ordinals?.start ?? 0;
        for (let i = start; i < start + o.spec.replicas; i++) {
          for (const c of o.spec.template.spec.containers) scan(`StatefulSet/${o.metadata.name}`, `${o.metadata.name}-${i}`, o.metadata.namespace, c);
        }
      } else if ((kafka && o.kind === 'Job') || o.kind === 'Deployment') {
        for (const c of o.spec.template.spec.containers) if (kafka || expandedEnv(c, 'p', '').has('KAFKA_BOOTSTRAP_SERVERS')) scan(`${o.kind}/${o.metadata.name}`, `${o.metadata.name}-x`, o.metadata.namespace, c, true);
      }
    }
    return { checked, missing };
  }

  test('namespace: other — every name resolves (voters, advertised listeners, topic Job bootstrap, bound client)', () => {
    const objs = overlay(['namespace: other']);
    const kafka = objs.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'kafka' && o.metadata.namespace);
    expect(kafka.length).toBeGreaterThan(0);
    expect(kafka.every((o) => o.metadata.namespace === 'other')).toBe(true);
    const r = unresolved(objs);
    expect(r.missing).toEqual([]);
    // 3 pods × (3 voters + 2 advertised) + the topic Job's seed (the first broker) + the bound client's bootstrap name.
    expect(r.checked).toBeGreaterThanOrEqual(3 * 5 + 1 + 1);
    // No Kafka NetworkPolicy still names the synth-time namespace.
    const policies = objs.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.labels?.['app.kubernetes.io/name'] === 'kafka');
    expect(policies.length).toBeGreaterThan(0);
    expect(JSON.stringify(policies)).not.toContain('streaming');
    validateManifests(objs, { externalSecrets: EXAMPLE_RUNTIME_SECRETS });
  }, 30_000);

  test('namePrefix is not supported for Kafka (docs/kafka.md#kustomize-overlays): the voters name Services that no longer exist', () => {
    const r = unresolved(overlay(['namePrefix: team-']));
    expect(r.missing.length).toBeGreaterThan(0);
    expect(r.missing).toContainEqual(expect.stringMatching(/^StatefulSet\/team-events: events-0\.events-headless\.streaming\.svc\.cluster\.local$/));
  }, 30_000);
});

/**
 * docs/gitops.md "Overlays per environment with Kustomize": the base and overlays exactly as the
 * docs print them (each yaml block whose first line is a `# <path>` comment), built by kubectl.
 */
describe('docs/gitops.md overlays per environment', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'gitops.md'), 'utf8');
  const files = [...doc.matchAll(/```yaml\n# ([\w./-]+kustomization\.yaml)\n([\s\S]*?)```/g)].map((m) => ({ path: m[1], text: m[2] }));
  const app = Testing.app();
  buildExampleApp(app);
  const yaml = app.synthYaml();
  const base = parseAllDocuments(yaml).map((d) => d.toJS()).filter((o) => o);
  const selectors = (objs: any[]) => Object.fromEntries(objs
    .filter((o) => ['StatefulSet', 'Deployment', 'PodDisruptionBudget', 'Service'].includes(o.kind))
    .map((o) => [`${o.kind}/${o.metadata.name}`, JSON.stringify(o.spec.selector)]));

  test('the docs give a base and the staging and prod overlays', () => {
    expect(files.map((f) => f.path)).toEqual(['base/kustomization.yaml', 'overlays/staging/kustomization.yaml', 'overlays/prod/kustomization.yaml']);
  });

  test.each([['staging', 'shop-staging'], ['prod', 'shop-prod']])('overlays/%s moves every namespaced object to %s and keeps every selector', (env, ns) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-env-'));
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.path), f.text);
    }
    fs.writeFileSync(path.join(dir, 'base', 'all.yaml'), yaml);
    const out = execFileSync(KUBECTL!, ['kustomize', path.join(dir, 'overlays', env)], { encoding: 'utf8' });
    const objs = parseAllDocuments(out).map((d) => d.toJS()).filter((o) => o);
    expect(objs.length).toBe(base.length);
    const namespaced = objs.filter((o) => o.metadata.namespace !== undefined);
    expect(namespaced.length).toBeGreaterThan(0);
    expect(namespaced.every((o) => o.metadata.namespace === ns)).toBe(true);
    expect(objs.every((o) => o.metadata.labels?.environment === env)).toBe(true);
    expect(selectors(objs)).toEqual(selectors(base));
    // prod sets includeTemplates: the pods carry the label; staging does not.
    const templates = objs.filter((o) => o.kind === 'StatefulSet').map((o) => o.spec.template.metadata.labels.environment);
    expect(templates.length).toBeGreaterThan(0);
    expect(templates.every((l) => l === (env === 'prod' ? 'prod' : undefined))).toBe(true);
    validateManifests(objs, { externalSecrets: EXAMPLE_RUNTIME_SECRETS });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
