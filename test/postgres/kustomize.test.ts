// Safety issue (9), E: a Kustomize `namespace:` overlay over PostgresCluster output. Every DNS name
// the database pods, their init containers and the backup Job use (env, args, command, mounted
// ConfigMaps), and the bound client's PGHOST, must resolve against the overlaid Services, with
// `$(VAR)` expanded as the kubelet does. `namePrefix` is not supported (documented in
// docs/postgres.md, "Kustomize overlays"); the last test pins that it breaks names.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parseAllDocuments } from 'yaml';
import { PostgresCluster, ReplicationMode } from '../../src';
import { validateManifests } from '../util/validate';

const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => fs.existsSync(p));
const SECRETS = ['orders-db-credentials', 'legacy-db-credentials'];

function overlaid(overlay: string[]): any[] {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const db = new PostgresCluster(chart, 'orders-db', { databases: [{ name: 'orders' }], backup: { size: Size.gibibytes(10) } });
  new PostgresCluster(chart, 'legacy-db', {
    mode: ReplicationMode.STREAMING, storage: { walSize: Size.gibibytes(2) }, backup: { size: Size.gibibytes(10) },
  });
  const api = new kplus.Deployment(chart, 'orders-api', { containers: [{ image: 'ghcr.io/acme/orders-api:1.4.2', portNumber: 8080 }] });
  db.bind(api);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-kustomize-'));
  fs.writeFileSync(path.join(dir, 'all.yaml'), app.synthYaml());
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', ...overlay, 'resources: [all.yaml]'].join('\n'));
  const out = execFileSync(KUBECTL!, ['kustomize', dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return parseAllDocuments(out).map((d) => d.toJS()).filter((o) => o);
}

/** The pod template of a workload object (StatefulSet, Deployment, Job, CronJob). */
function podOf(o: any): any {
  return o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec?.template;
}

/** Env as the process sees it: fieldRefs from the pod, `$(VAR)` expanded when VAR is defined earlier. */
function kubeletEnv(c: any, namespace: string): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') out[e.name] = namespace;
    else if (e.value !== undefined) out[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => out[v] ?? m);
  }
  return out;
}

/**
 * Every host name a container uses, as [where, name]: values of *HOST env vars (short names
 * included) and every `<x>.<ns>.svc.<domain>` in env, args, command and the mounted ConfigMaps.
 */
function hostNames(objs: any[], o: any): Array<[string, string, string]> {
  const pod = podOf(o);
  const ns = o.metadata.namespace;
  const found: Array<[string, string, string]> = [];
  const scan = (where: string, text: string) => {
    for (const m of text.matchAll(/[A-Za-z0-9$()_.-]+\.svc\.cluster\.local/g)) found.push([where, m[0], ns]);
  };
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const env = kubeletEnv(c, ns);
    for (const [k, v] of Object.entries(env)) {
      if (/HOST$/.test(k) && !v.includes('.svc.')) found.push([`${o.kind}/${o.metadata.name} ${c.name} ${k}`, v, ns]);
      scan(`${o.kind}/${o.metadata.name} ${c.name} ${k}`, v);
    }
    for (const a of [...(c.args ?? []), ...(c.command ?? [])]) scan(`${o.kind}/${o.metadata.name} ${c.name} args`, a);
  }
  for (const v of pod.spec.volumes ?? []) {
    const cm = v.configMap && objs.find((x) => x.kind === 'ConfigMap' && x.metadata.name === v.configMap.name && x.metadata.namespace === ns);
    for (const [k, text] of Object.entries(cm?.data ?? {})) scan(`ConfigMap/${v.configMap.name} ${k}`, String(text));
  }
  return found;
}

/** Why `host`, used by a pod in `ns`, does not name a Service (or a StatefulSet pod behind its headless Service). */
function unresolved(objs: any[], host: string, ns: string): string | undefined {
  const svc = (name: string, n: string) => objs.find((x) => x.kind === 'Service' && x.metadata.name === name && x.metadata.namespace === n);
  const parts = host.replace(/\.svc\.cluster\.local$/, '').split('.');
  if (parts.length === 1) return svc(parts[0], ns) ? undefined : `no Service '${parts[0]}' in '${ns}'`;
  const [target, n] = [parts.slice(0, -1), parts[parts.length - 1]];
  if (target.length === 1) return svc(target[0], n) ? undefined : `no Service '${target[0]}' in '${n}'`;
  const [podName, headless] = target;
  if (!svc(headless, n)?.spec.clusterIP || svc(headless, n).spec.clusterIP !== 'None') return `no headless Service '${headless}' in '${n}'`;
  const sts = objs.find((x) => x.kind === 'StatefulSet' && x.metadata.namespace === n && x.spec.serviceName === headless);
  const ordinal = Number(podName.slice((sts?.metadata.name ?? '').length + 1));
  return sts && podName.startsWith(`${sts.metadata.name}-`) && ordinal < sts.spec.replicas ? undefined : `no pod '${podName}' behind '${headless}' in '${n}'`;
}

function problems(objs: any[]): { checked: number; bad: string[] } {
  const bad: string[] = [];
  let checked = 0;
  for (const o of objs.filter((x) => podOf(x))) {
    for (const [where, host, ns] of hostNames(objs, o)) {
      checked++;
      const why = unresolved(objs, host, ns);
      if (why) bad.push(`${where}: ${host} (${why})`);
    }
  }
  return { checked, bad };
}

test('after a `namespace:` overlay every DNS name in the Postgres pods, init containers, backup Jobs and the bound client resolves', () => {
  const objs = overlaid(['namespace: team']);
  expect(objs.filter((o) => o.metadata.namespace).every((o) => o.metadata.namespace === 'team')).toBe(true);
  validateManifests(objs, { externalSecrets: SECRETS });
  const { checked, bad } = problems(objs);
  expect(bad).toEqual([]);
  // PRIMARY_HOST and PEERS_HOST of the clone, both backups' PGHOST, the client's PGHOST.
  expect(checked).toBeGreaterThanOrEqual(5);
}, 30_000);

test('namePrefix is not supported: names inside env and config keep the old names (documented)', () => {
  const { bad } = problems(overlaid(['namePrefix: team-']));
  expect(bad).toEqual(expect.arrayContaining([expect.stringMatching(/PRIMARY_HOST: orders-db-0|PRIMARY_HOST: legacy-db-0/), expect.stringMatching(/PGHOST: orders-db/)]));
}, 30_000);
