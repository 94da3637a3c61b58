/**
 * Shared manifest validators. Every test that synthesizes runs its output through
 * `validateManifests` (or the `synthValidated*` helpers). Three layers, none written by us
 * except the cross-object invariants:
 *  1. schema: kubernetes-models (`new Model(obj).validate()`, generated from the OpenAPI spec);
 *  2. unknown fields: every key checked against @kubernetes/client-node's generated attribute
 *     maps (also from the OpenAPI spec) — kubernetes-models ignores unknown fields;
 *  3. invariants Kubernetes enforces or a working system needs (see `invariants`).
 */
import * as nodeFs from 'fs';
import * as nodePath from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const clientModels = require('@kubernetes/client-node/dist/gen/model/models');

export interface ValidateOptions {
  /** Secrets referenced but created outside the synthesized output (at run time or by another tool). */
  readonly externalSecrets?: string[];
  /** ConfigMaps referenced but created outside the synthesized output. */
  readonly externalConfigMaps?: string[];
  /** ServiceAccounts referenced but created elsewhere. */
  readonly externalServiceAccounts?: string[];
  /** Pod label keys set at run time (e.g. Patroni's role label), ignored when matching Service selectors. */
  readonly runtimeLabelKeys?: string[];
}

const DEFAULT_RUNTIME_LABELS = ['role', 'spilo-role', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index'];

const CLUSTER_SCOPED = new Set([
  'StorageClass', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'Namespace', 'PriorityClass',
  'CSIDriver', 'CustomResourceDefinition', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'VolumeSnapshotClass', 'IngressClass',
]);

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Custom resources: the upstream schemas (kubernetes-models' CRD packages), by apiVersion. */
const CRD_MODELS: { [apiVersion: string]: string } = {
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator',
};

/**
 * Custom resources without a kubernetes-models package: validated with ajv against the
 * openAPIV3Schema of the upstream CRD committed in src/imports/crds (cert-manager's own YAML).
 */
const CRD_SCHEMA_ONLY = new Set(['cert-manager.io/v1', 'cr.kanister.io/v1alpha1']);
// ajv: a devDependency (.projenrc.ts), the major @kubernetes-models/validate uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv');
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const compiled = new Map<string, any>();

/** Errors of a custom resource against its CRD's openAPIV3Schema (required fields, types, enums, patterns). */
function crdSchemaErrors(obj: any): string[] {
  const where = `${obj?.kind}/${obj?.metadata?.name}`;
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (!compiled.has(key)) {
    const schema = crdSchema(obj.apiVersion, obj.kind);
    compiled.set(key, schema && ajv.compile(schema));
  }
  const validate = compiled.get(key);
  if (!validate) return [`${where}: no CRD schema in src/imports/crds for ${obj.apiVersion} ${obj.kind}`];
  if (validate(obj)) return [];
  return (validate.errors as any[]).map((e) => `${where}: schema: ${e.instancePath || '/'} ${e.message}`);
}

/** The openAPIV3Schema of each CRD the library imports (src/imports/crds), by apiVersion and kind. */
function crdSchema(apiVersion: string, kind: string): any | undefined {
  const dir = nodePath.join(__dirname, '..', '..', 'src', 'imports', 'crds');
  for (const f of nodeFs.existsSync(dir) ? nodeFs.readdirSync(dir) : []) {
    for (const doc of parseAllDocuments(nodeFs.readFileSync(nodePath.join(dir, f), 'utf8'))) {
      const crd = doc.toJSON();
      const version = crd?.spec?.versions?.find((v: any) => `${crd.spec.group}/${v.name}` === apiVersion);
      if (crd?.spec?.names?.kind === kind && version) return version.schema.openAPIV3Schema;
    }
  }
  return undefined;
}

/** Unknown fields of a custom resource, against the properties its CRD schema declares. */
function crdUnknownFieldErrors(obj: any, schema: any): string[] {
  const where = `${obj?.kind}/${obj?.metadata?.name}`;
  const errors: string[] = [];
  const walk = (value: any, s: any, at: string) => {
    if (value === null || typeof value !== 'object' || !s) return;
    if (Array.isArray(value)) { value.forEach((v, i) => walk(v, s.items, `${at}[${i}]`)); return; }
    if (!s.properties) return;
    for (const [k, v] of Object.entries(value)) {
      if (!(k in s.properties)) errors.push(`${where}: unknown field ${at}.${k}`);
      else if (k !== 'metadata') walk(v, s.properties[k], `${at}.${k}`);
    }
  };
  walk(obj, schema, '');
  return errors;
}

/** 1. Schema validation with kubernetes-models. Returns error strings. */
export function schemaErrors(obj: any): string[] {
  const where = `${obj?.kind}/${obj?.metadata?.name}`;
  if (!obj?.apiVersion || !obj?.kind) return [`${where}: missing apiVersion or kind`];
  if (CRD_SCHEMA_ONLY.has(obj.apiVersion)) return crdSchemaErrors(obj);
  let Model: any;
  try {
    const pkg = CRD_MODELS[obj.apiVersion] ?? 'kubernetes-models';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Model = require(`${pkg}/${obj.apiVersion}/${obj.kind}`)[obj.kind];
  } catch {
    return [`${where}: unknown apiVersion/kind ${obj.apiVersion} ${obj.kind} (kubernetes-models has no schema for it)`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (e: any) {
    return [`${where}: schema: ${e.message}`];
  }
}

function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop()!;
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

/** 2. Unknown fields, against the OpenAPI-generated attribute maps of @kubernetes/client-node. */
export function unknownFieldErrors(obj: any): string[] {
  const errors: string[] = [];
  const where = `${obj?.kind}/${obj?.metadata?.name}`;
  if (CRD_MODELS[obj.apiVersion] || CRD_SCHEMA_ONLY.has(obj.apiVersion)) {
    const schema = crdSchema(obj.apiVersion, obj.kind);
    return schema ? crdUnknownFieldErrors(obj, schema) : [`${where}: no CRD schema in src/imports/crds for ${obj.apiVersion} ${obj.kind}`];
  }
  const root = modelName(obj.apiVersion, obj.kind);
  if (!clientModels[root]?.getAttributeTypeMap) return [`${where}: no model ${root} to check fields against`];
  const walk = (value: any, type: string, path: string) => {
    if (value === undefined || value === null) return;
    const arr = /^Array<(.+)>$/.exec(type);
    if (arr) {
      if (!Array.isArray(value)) { errors.push(`${where}: ${path} should be an array`); return; }
      value.forEach((v, i) => walk(v, arr[1], `${path}[${i}]`));
      return;
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      for (const [k, v] of Object.entries(value)) walk(v, map[1], `${path}.${k}`);
      return;
    }
    const model = clientModels[type];
    if (!model?.getAttributeTypeMap || typeof value !== 'object') return;
    const attrs: Array<{ baseName: string; type: string }> = model.getAttributeTypeMap();
    for (const [k, v] of Object.entries(value)) {
      const a = attrs.find((x) => x.baseName === k);
      if (!a) {
        errors.push(`${where}: unknown field ${path}.${k}`);
        continue;
      }
      walk(v, a.type, `${path}.${k}`);
    }
  };
  walk(obj, root, '');
  return errors;
}

function podTemplateOf(obj: any): any | undefined {
  switch (obj.kind) {
    case 'StatefulSet':
    case 'Deployment':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return obj.spec?.template;
    case 'CronJob':
      return obj.spec?.jobTemplate?.spec?.template;
    case 'Pod':
      return obj;
    default:
      return undefined;
  }
}

function matches(selector: { [k: string]: string } | undefined, labels: { [k: string]: string } | undefined, ignore: string[] = []): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => ignore.includes(k) || labels?.[k] === v);
}

function matchesSelector(sel: any, labels: { [k: string]: string } | undefined): boolean {
  if (!sel) return false;
  if (!matches(sel.matchLabels ?? {}, labels)) return false;
  for (const e of sel.matchExpressions ?? []) {
    const v = labels?.[e.key];
    if (e.operator === 'In' && !(v !== undefined && e.values.includes(v))) return false;
    if (e.operator === 'NotIn' && v !== undefined && e.values.includes(v)) return false;
    if (e.operator === 'Exists' && v === undefined) return false;
    if (e.operator === 'DoesNotExist' && v !== undefined) return false;
  }
  return true;
}

/** Whether a quantity is > 0 (PVC specs require a positive storage request). */
function positiveQuantity(q: unknown): boolean {
  if (typeof q === 'number') return q > 0;
  if (typeof q !== 'string') return false;
  const m = /^\+?(\d+\.?\d*|\.\d+)/.exec(q.trim());
  return !!m && Number(m[1]) > 0;
}

function labelErrors(where: string, labels: any, what: string): string[] {
  const errors: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const parts = k.split('/');
    const name = parts.pop()!;
    if (parts.length > 1 || (parts[0] && !DNS_1123_SUBDOMAIN.test(parts[0])) || !LABEL_KEY_NAME.test(name) || name.length > 63) {
      errors.push(`${where}: ${what} key '${k}' is not a valid label key`);
    }
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) errors.push(`${where}: ${what} '${k}' has invalid value '${v}'`);
  }
  return errors;
}

/**
 * Secrets the output creates at run time: names a Job or CronJob in the output may write
 * (its ServiceAccount → RoleBinding → Role grants `patch` on exactly that Secret name, and
 * `create` on secrets). A reference to such a Secret resolves.
 */
export function runtimeGeneratedSecrets(objs: any[]): Set<string> {
  const out = new Set<string>();
  const jobSAs = new Set(objs.filter((o) => o.kind === 'Job' || o.kind === 'CronJob')
    .map((o) => podTemplateOf(o)?.spec?.serviceAccountName).filter((x) => x));
  for (const rb of objs.filter((o) => o.kind === 'RoleBinding' && o.roleRef?.kind === 'Role')) {
    if (!(rb.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && jobSAs.has(s.name))) continue;
    const role = objs.find((o) => o.kind === 'Role' && o.metadata?.name === rb.roleRef.name);
    const rules: any[] = role?.rules ?? [];
    const canCreate = rules.some((r) => (r.resources ?? []).includes('secrets') && (r.verbs ?? []).includes('create'));
    for (const r of rules) {
      if ((r.resources ?? []).includes('secrets') && (r.verbs ?? []).includes('patch') && canCreate) {
        for (const n of r.resourceNames ?? []) out.add(n);
      }
    }
  }
  // cert-manager writes the Secret a Certificate names.
  for (const c of objs.filter((o) => o.apiVersion === 'cert-manager.io/v1' && o.kind === 'Certificate')) out.add(c.spec?.secretName);
  return out;
}

/** 3. Cross-object invariants over a whole output. */
export function invariantErrors(objs: any[], options: ValidateOptions = {}): string[] {
  const errors: string[] = [];
  const runtimeLabels = options.runtimeLabelKeys ?? DEFAULT_RUNTIME_LABELS;
  const byKind = (kind: string) => objs.filter((o) => o.kind === kind);
  const names = (kind: string) => new Set(byKind(kind).map((o) => o.metadata?.name));
  const configMaps = new Set([...names('ConfigMap'), ...(options.externalConfigMaps ?? [])]);
  const secrets = new Set([...names('Secret'), ...runtimeGeneratedSecrets(objs), ...(options.externalSecrets ?? [])]);
  const serviceAccounts = new Set([...names('ServiceAccount'), ...(options.externalServiceAccounts ?? []), 'default']);
  const templates = objs.map((o) => ({ o, t: podTemplateOf(o) })).filter((x) => x.t);
  const podLabelSets = templates.map((x) => x.t.metadata?.labels ?? {});

  const seen = new Set<string>();
  for (const o of objs) {
    const where = `${o.kind}/${o.metadata?.name}`;
    const key = `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name}`;
    if (seen.has(key)) errors.push(`${where}: duplicate object`);
    seen.add(key);
    const name: string = o.metadata?.name ?? '';
    if (!DNS_1123_SUBDOMAIN.test(name) || name.length > 253) errors.push(`${where}: name is not a DNS-1123 subdomain`);
    if (CLUSTER_SCOPED.has(o.kind) && o.metadata?.namespace) errors.push(`${where}: cluster-scoped object carries namespace '${o.metadata.namespace}'`);
    errors.push(...labelErrors(where, o.metadata?.labels, 'label'));
    if (o.kind === 'Service' && (!DNS_1035.test(name) || name.length > 63)) errors.push(`${where}: Service name must be a DNS-1035 label`);
    if (o.kind === 'StatefulSet' && name.length > 52) errors.push(`${where}: StatefulSet name longer than 52 characters`);
  }

  for (const { o, t } of templates) {
    const where = `${o.kind}/${o.metadata?.name}`;
    const labels = t.metadata?.labels ?? {};
    errors.push(...labelErrors(where, labels, 'pod label'));
    const sel = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.selector : o.spec?.selector;
    if (sel && !matchesSelector(sel, labels)) errors.push(`${where}: selector does not match the pod template labels`);
    if (['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet'].includes(o.kind) && !sel) errors.push(`${where}: no selector`);
    const spec = t.spec ?? {};
    const volumes = new Set((spec.volumes ?? []).map((v: any) => v.name));
    const claimTemplates = new Set((o.kind === 'StatefulSet' ? o.spec?.volumeClaimTemplates ?? [] : []).map((c: any) => c.metadata?.name));
    const allContainers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const cNames = new Set<string>();
    for (const c of allContainers) {
      if (cNames.has(c.name)) errors.push(`${where}: duplicate container name '${c.name}'`);
      cNames.add(c.name);
      const paths = new Set<string>();
      for (const m of [...(c.volumeMounts ?? []), ...(c.volumeDevices ?? []).map((d: any) => ({ name: d.name, mountPath: d.devicePath }))]) {
        if (!volumes.has(m.name) && !claimTemplates.has(m.name)) errors.push(`${where}: container '${c.name}' mounts '${m.name}', which is neither a volume nor a claim template`);
        if (paths.has(m.mountPath)) errors.push(`${where}: container '${c.name}' has two mounts at ${m.mountPath}`);
        paths.add(m.mountPath);
      }
      // pkg/apis/core/validation: plain init containers take no probes; liveness and startup
      // probes need successThreshold 1.
      const isPlainInit = (spec.initContainers ?? []).includes(c) && c.restartPolicy !== 'Always';
      for (const pr of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (!c[pr]) continue;
        if (isPlainInit) errors.push(`${where}: init container '${c.name}' sets ${pr}, which is forbidden for init containers without restartPolicy=Always`);
        if (pr !== 'readinessProbe' && c[pr].successThreshold !== undefined && c[pr].successThreshold !== 1) {
          errors.push(`${where}: container '${c.name}' ${pr}.successThreshold must be 1, got ${c[pr].successThreshold}`);
        }
      }
      const envNames = new Set<string>();
      for (const e of c.env ?? []) {
        if (envNames.has(e.name)) errors.push(`${where}: container '${c.name}' sets env '${e.name}' twice`);
        envNames.add(e.name);
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && !cm.optional && !configMaps.has(cm.name)) errors.push(`${where}: env '${e.name}' refers to ConfigMap '${cm.name}', which is not in the output`);
        const sk = e.valueFrom?.secretKeyRef;
        if (sk && !sk.optional && !secrets.has(sk.name)) errors.push(`${where}: env '${e.name}' refers to Secret '${sk.name}', which is not in the output nor declared external`);
      }
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef && !ef.configMapRef.optional && !configMaps.has(ef.configMapRef.name)) errors.push(`${where}: envFrom ConfigMap '${ef.configMapRef.name}' is not in the output`);
        if (ef.secretRef && !ef.secretRef.optional && !secrets.has(ef.secretRef.name)) errors.push(`${where}: envFrom Secret '${ef.secretRef.name}' is not in the output nor declared external`);
      }
    }
    for (const v of spec.volumes ?? []) {
      if (v.configMap && !v.configMap.optional && !configMaps.has(v.configMap.name)) errors.push(`${where}: volume '${v.name}' refers to ConfigMap '${v.configMap.name}', which is not in the output`);
      if (v.secret && !v.secret.optional && !secrets.has(v.secret.secretName)) errors.push(`${where}: volume '${v.name}' refers to Secret '${v.secret.secretName}', which is not in the output nor declared external`);
      for (const s of v.projected?.sources ?? []) {
        if (s.secret && !s.secret.optional && !secrets.has(s.secret.name)) errors.push(`${where}: projected volume '${v.name}' refers to Secret '${s.secret.name}', which is not in the output nor declared external`);
        if (s.configMap && !s.configMap.optional && !configMaps.has(s.configMap.name)) errors.push(`${where}: projected volume '${v.name}' refers to ConfigMap '${s.configMap.name}', which is not in the output`);
      }
    }
    const sa = spec.serviceAccountName;
    if (sa && !serviceAccounts.has(sa)) errors.push(`${where}: serviceAccountName '${sa}' is not in the output`);
    if (o.kind === 'StatefulSet') {
      const svc = byKind('Service').find((s) => s.metadata?.name === o.spec?.serviceName);
      if (!svc) errors.push(`${where}: serviceName '${o.spec?.serviceName}' names no Service in the output`);
      else if (svc.spec?.clusterIP !== 'None') errors.push(`${where}: serviceName '${o.spec?.serviceName}' is not a headless Service`);
      else if (!matches(svc.spec?.selector, labels)) errors.push(`${where}: headless Service '${svc.metadata.name}' does not select its pods`);
      for (const c of o.spec?.volumeClaimTemplates ?? []) {
        if (!positiveQuantity(c.spec?.resources?.requests?.storage)) errors.push(`${where}: claim template '${c.metadata?.name}' needs a positive storage request`);
        if (c.metadata?.labels?.['app.kubernetes.io/version'] || c.metadata?.labels?.['helm.sh/chart']) {
          errors.push(`${where}: claim template '${c.metadata.name}' carries a version label (immutable: every upgrade would fail)`);
        }
      }
    }
  }

  for (const s of byKind('Service')) {
    const where = `Service/${s.metadata?.name}`;
    const sel = s.spec?.selector;
    if (!sel || !Object.keys(sel).length) continue;
    const pods = templates.filter((x) => matches(sel, x.t.metadata?.labels, runtimeLabels));
    if (!pods.length) {
      errors.push(`${where}: selector matches no pod template in the output`);
      continue;
    }
    for (const p of s.spec?.ports ?? []) {
      if (typeof p.targetPort === 'string') {
        const named = pods.some((x) => (x.t.spec?.containers ?? []).some((c: any) => (c.ports ?? []).some((cp: any) => cp.name === p.targetPort)));
        if (!named) errors.push(`${where}: targetPort '${p.targetPort}' names no container port of the selected pods`);
      }
    }
  }

  for (const pdb of byKind('PodDisruptionBudget')) {
    const where = `PodDisruptionBudget/${pdb.metadata?.name}`;
    if (pdb.spec?.minAvailable !== undefined && pdb.spec?.maxUnavailable !== undefined) errors.push(`${where}: sets both minAvailable and maxUnavailable`);
    if (pdb.spec?.maxUnavailable === 0 || pdb.spec?.maxUnavailable === '0%') errors.push(`${where}: maxUnavailable 0 blocks every drain`);
    if (!podLabelSets.some((l) => matchesSelector(pdb.spec?.selector, l))) errors.push(`${where}: selector matches no pods in the output`);
    const sts = templates.filter((x) => matchesSelector(pdb.spec?.selector, x.t.metadata?.labels));
    const replicas = sts.reduce((n, x) => n + (x.o.spec?.replicas ?? 1), 0);
    if (typeof pdb.spec?.minAvailable === 'number' && replicas > 0 && pdb.spec.minAvailable >= replicas) errors.push(`${where}: minAvailable ${pdb.spec.minAvailable} ≥ ${replicas} replicas blocks every drain`);
  }

  for (const np of byKind('NetworkPolicy')) {
    const sel = np.spec?.podSelector;
    if (sel && (sel.matchLabels || sel.matchExpressions) && !podLabelSets.some((l) => matchesSelector(sel, l))) {
      errors.push(`NetworkPolicy/${np.metadata?.name}: podSelector matches no pods in the output`);
    }
  }

  for (const rb of [...byKind('RoleBinding'), ...byKind('ClusterRoleBinding')]) {
    const where = `${rb.kind}/${rb.metadata?.name}`;
    const ref = rb.roleRef ?? {};
    const roles = names(ref.kind);
    if (ref.kind === 'Role' && !roles.has(ref.name)) errors.push(`${where}: roleRef Role '${ref.name}' is not in the output`);
    if (rb.kind === 'ClusterRoleBinding' && ref.kind === 'Role') errors.push(`${where}: a ClusterRoleBinding cannot refer to a Role`);
    for (const s of rb.subjects ?? []) {
      if (s.kind === 'ServiceAccount' && !serviceAccounts.has(s.name)) errors.push(`${where}: subject ServiceAccount '${s.name}' is not in the output`);
      if (s.kind === 'ServiceAccount' && rb.kind === 'ClusterRoleBinding' && !s.namespace) errors.push(`${where}: ServiceAccount subject '${s.name}' needs a namespace in a ClusterRoleBinding`);
    }
  }

  for (const pvc of byKind('PersistentVolumeClaim')) {
    if (!positiveQuantity(pvc.spec?.resources?.requests?.storage)) errors.push(`PersistentVolumeClaim/${pvc.metadata?.name}: needs a positive storage request`);
  }

  for (const pv of byKind('PersistentVolume')) {
    const where = `PersistentVolume/${pv.metadata?.name}`;
    if (pv.spec?.local && !pv.spec?.nodeAffinity?.required) errors.push(`${where}: a local PersistentVolume needs nodeAffinity.required`);
    const sc = pv.spec?.storageClassName;
    if (sc && byKind('StorageClass').length && !names('StorageClass').has(sc)) errors.push(`${where}: storageClassName '${sc}' is not in the output`);
  }
  return errors;
}

/** Runs all three layers; throws one error listing every problem. */
export function validateManifests(objs: any[], options: ValidateOptions = {}): void {
  const errors: string[] = [];
  for (const o of objs) errors.push(...schemaErrors(o), ...unknownFieldErrors(o));
  errors.push(...invariantErrors(objs, options));
  if (errors.length) throw new Error(`manifest validation failed:\n  - ${errors.join('\n  - ')}`);
}

/** Synthesizes an app to YAML (exactly as `cdk8s synth` writes it, all charts joined). */
export function synthYaml(app: App): string {
  return app.synthYaml();
}

/** Synthesizes every chart of an app, validates the objects and returns them. */
export function synthValidatedApp(app: App, options: ValidateOptions = {}): any[] {
  const yaml = app.synthYaml();
  dumpGolden(yaml);
  const objs = parseAllDocuments(yaml).map((d) => d.toJS()).filter((o) => o);
  validateManifests(objs, options);
  return objs;
}

let goldenCount = 0;
/**
 * With GOLDEN_DIR set, every validated synth is written there (one file per call, numbered per
 * test file): diff two runs to prove a refactor left the output byte-identical.
 */
function dumpGolden(yaml: string): void {
  const dir = process.env.GOLDEN_DIR;
  if (!dir) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('fs'); const path = require('path');
  const testPath: string = (expect.getState().testPath ?? 'unknown').replace(/^.*\/test\//, '').replace(/[/.]/g, '_');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${testPath}-${String(++goldenCount).padStart(4, '0')}.yaml`), yaml);
}

/** Synthesizes the app of a chart, validates and returns the objects. */
export function synthValidated(chart: Chart, options: ValidateOptions = {}): any[] {
  return synthValidatedApp(App.of(chart) as App, options);
}

/** Finds exactly one object by kind and name; throws otherwise. */
export function find(objs: any[], kind: string, name: string): any {
  const found = objs.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}/${name}, found ${found.length}; objects: ${objs.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** All objects of a kind. */
export function ofKind(objs: any[], kind: string): any[] {
  return objs.filter((o) => o.kind === kind);
}

/** The container of a pod template by name. */
export function container(obj: any, name: string): any {
  const t = podTemplateOf(obj);
  const c = [...(t?.spec?.initContainers ?? []), ...(t?.spec?.containers ?? [])].find((x: any) => x.name === name);
  if (!c) throw new Error(`${obj.kind}/${obj.metadata?.name} has no container '${name}'`);
  return c;
}

/** Env of a container as name → value or valueFrom. */
export function envOf(c: any): { [name: string]: any } {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}
