/**
 * The API server's own rules for values (k8s.io/apimachinery/pkg/util/validation and
 * pkg/apis/core/validation), checked on synthesized objects: names per kind, label and annotation
 * keys and values, quantities, ports, container and volume names, mounts, env names, probes,
 * requests ≤ limits, cron schedules. Used by the property tests (test/property/) on top of the
 * schema validators, because a schema accepts `name: "Bad_Name"` and `port: 0`.
 */
import { cronError, timeZoneError } from '../../src/core/api-rules';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IANA_SVC = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const QUANTITY = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

function isQualifiedName(k: string): boolean {
  const parts = k.split('/');
  const name = parts.pop()!;
  if (parts.length > 1) return false;
  if (parts.length === 1 && !(parts[0].length <= 253 && DNS_1123_SUBDOMAIN.test(parts[0]))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** A quantity in base units (bytes or cores); NaN when it is not a quantity. */
export function quantityValue(q: unknown): number {
  const s = String(q);
  const m = QUANTITY.exec(s);
  if (!m) return NaN;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  const bin: { [k: string]: number } = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const dec: { [k: string]: number } = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
  if (suffix in bin) return n * bin[suffix];
  if (suffix in dec) return n * dec[suffix];
  if (/^[eE]/.test(suffix)) return Number(s);
  return n;
}

const SUBDOMAIN_NAMED = new Set(['StatefulSet', 'ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolumeClaim', 'PersistentVolume',
  'StorageClass', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'PodDisruptionBudget', 'NetworkPolicy', 'Job', 'CronJob',
  'Deployment', 'DaemonSet']);

function labelErrors(where: string, labels: any, out: string[]): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!isQualifiedName(k)) out.push(`${where}: label key '${k}'`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${where}: label '${k}' value '${v}'`);
  }
}

function annotationErrors(where: string, a: any, out: string[]): void {
  let total = 0;
  for (const [k, v] of Object.entries(a ?? {})) {
    if (!isQualifiedName(k)) out.push(`${where}: annotation key '${k}'`);
    total += k.length + String(v).length;
  }
  if (total > 256 * 1024) out.push(`${where}: annotations are ${total} bytes`);
}

function probeErrors(where: string, p: any, out: string[]): void {
  if (!p) return;
  for (const k of ['periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold']) {
    if (p[k] !== undefined && !(Number.isInteger(p[k]) && p[k] >= 1 && p[k] <= 2 ** 31 - 1)) out.push(`${where}: ${k} ${p[k]}`);
  }
  if (p.initialDelaySeconds !== undefined && !(Number.isInteger(p.initialDelaySeconds) && p.initialDelaySeconds >= 0)) out.push(`${where}: initialDelaySeconds`);
  const port = p.httpGet?.port ?? p.tcpSocket?.port;
  if (port !== undefined && typeof port === 'number' && !(port >= 1 && port <= 65535)) out.push(`${where}: probe port ${port}`);
  if (p.exec && !(p.exec.command ?? []).length) out.push(`${where}: empty exec command`);
}

function podErrors(where: string, template: any, out: string[]): void {
  labelErrors(`${where} pod`, template?.metadata?.labels, out);
  annotationErrors(`${where} pod`, template?.metadata?.annotations, out);
  const spec = template?.spec ?? {};
  const volumes = new Set<string>();
  for (const v of spec.volumes ?? []) {
    if (!(v.name.length <= 63 && DNS_1123_LABEL.test(v.name))) out.push(`${where}: volume name '${v.name}'`);
    if (volumes.has(v.name)) out.push(`${where}: volume '${v.name}' twice`);
    volumes.add(v.name);
  }
  labelErrors(`${where} nodeSelector`, spec.nodeSelector, out);
  for (const t of spec.tolerations ?? []) {
    if (t.key && !isQualifiedName(t.key)) out.push(`${where}: toleration key '${t.key}'`);
    if (!t.key && t.operator !== 'Exists') out.push(`${where}: empty toleration key needs operator Exists`);
  }
  if (spec.priorityClassName !== undefined && !DNS_1123_SUBDOMAIN.test(spec.priorityClassName)) out.push(`${where}: priorityClassName`);
  if (spec.terminationGracePeriodSeconds !== undefined && !Number.isInteger(spec.terminationGracePeriodSeconds)) out.push(`${where}: terminationGracePeriodSeconds`);
  for (const k of ['runAsUser', 'runAsGroup', 'fsGroup']) {
    const v = spec.securityContext?.[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 2 ** 31 - 1)) out.push(`${where}: securityContext.${k} ${v}`);
  }
  const names = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const cw = `${where} container '${c.name}'`;
    if (!(c.name.length <= 63 && DNS_1123_LABEL.test(c.name))) out.push(`${cw}: name`);
    if (names.has(c.name)) out.push(`${cw}: twice`);
    names.add(c.name);
    if (!c.image || /\s/.test(c.image)) out.push(`${cw}: image '${c.image}'`);
    for (const p of c.ports ?? []) {
      if (!(Number.isInteger(p.containerPort) && p.containerPort >= 1 && p.containerPort <= 65535)) out.push(`${cw}: port ${p.containerPort}`);
      if (p.name !== undefined && !(p.name.length <= 15 && IANA_SVC.test(p.name) && /[a-z]/.test(p.name) && !p.name.includes('--'))) out.push(`${cw}: port name '${p.name}'`);
    }
    for (const e of c.env ?? []) if (!ENV_NAME.test(e.name)) out.push(`${cw}: env name '${e.name}'`);
    const paths = new Set<string>();
    for (const m of c.volumeMounts ?? []) {
      if (!String(m.mountPath).startsWith('/')) out.push(`${cw}: mountPath '${m.mountPath}'`);
      if (String(m.mountPath).split('/').includes('..')) out.push(`${cw}: mountPath '${m.mountPath}' with ..`);
      if (paths.has(m.mountPath)) out.push(`${cw}: two mounts at ${m.mountPath}`);
      paths.add(m.mountPath);
      if (m.subPath !== undefined && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) out.push(`${cw}: subPath '${m.subPath}'`);
    }
    for (const kind of ['requests', 'limits']) {
      for (const [k, q] of Object.entries(c.resources?.[kind] ?? {})) {
        const v = quantityValue(q);
        if (!(Number.isFinite(v) && v >= 0)) out.push(`${cw}: ${kind}.${k} '${q}'`);
      }
    }
    for (const [k, q] of Object.entries(c.resources?.requests ?? {})) {
      const lim = c.resources?.limits?.[k];
      if (lim !== undefined && quantityValue(q) > quantityValue(lim)) out.push(`${cw}: ${k} request ${q} above limit ${lim}`);
    }
    probeErrors(`${cw} readiness`, c.readinessProbe, out);
    probeErrors(`${cw} liveness`, c.livenessProbe, out);
    probeErrors(`${cw} startup`, c.startupProbe, out);
    for (const p of [c.livenessProbe, c.startupProbe]) if (p?.successThreshold !== undefined && p.successThreshold !== 1) out.push(`${cw}: successThreshold ${p.successThreshold}`);
  }
}

/** Every rule violation in the objects, as text; empty when the API server would accept them. */
export function apiRuleErrors(objs: any[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    const where = `${o.kind}/${o.metadata?.name}`;
    const name: string = o.metadata?.name ?? '';
    if (o.kind === 'Service' && !(name.length <= 63 && DNS_1035.test(name))) out.push(`${where}: Service name`);
    if (SUBDOMAIN_NAMED.has(o.kind) && !(name.length <= 253 && DNS_1123_SUBDOMAIN.test(name))) out.push(`${where}: name`);
    if (o.kind === 'StatefulSet' && name.length > 52) out.push(`${where}: name longer than 52`);
    labelErrors(where, o.metadata?.labels, out);
    annotationErrors(where, o.metadata?.annotations, out);
    const template = o.spec?.template ?? o.spec?.jobTemplate?.spec?.template;
    if (template) podErrors(where, template, out);
    for (const t of o.spec?.volumeClaimTemplates ?? []) {
      const s = quantityValue(t.spec?.resources?.requests?.storage);
      if (!(s > 0 && Number.isFinite(s))) out.push(`${where}: claim template '${t.metadata?.name}' storage`);
    }
    if (o.kind === 'PersistentVolumeClaim') {
      const s = quantityValue(o.spec?.resources?.requests?.storage);
      if (!(s > 0 && Number.isFinite(s))) out.push(`${where}: storage`);
    }
    if (o.kind === 'Service') {
      for (const p of o.spec?.ports ?? []) if (!(p.port >= 1 && p.port <= 65535)) out.push(`${where}: port ${p.port}`);
      labelErrors(`${where} selector`, o.spec?.selector, out);
    }
    if (o.kind === 'CronJob') {
      const e = cronError(o.spec.schedule) ?? (o.spec.timeZone ? timeZoneError(o.spec.timeZone) : undefined);
      if (e) out.push(`${where}: ${e}`);
    }
    if (o.spec?.replicas !== undefined && !(Number.isInteger(o.spec.replicas) && o.spec.replicas >= 0 && o.spec.replicas <= 2 ** 31 - 1)) out.push(`${where}: replicas`);
    const minReady = o.spec?.minReadySeconds;
    if (minReady !== undefined && !(Number.isInteger(minReady) && minReady >= 0 && minReady <= 2 ** 31 - 1)) {
      out.push(`${where}: minReadySeconds`);
    }
    const partition = o.spec?.updateStrategy?.rollingUpdate?.partition;
    if (partition !== undefined && !(Number.isInteger(partition) && partition >= 0 && partition <= 2 ** 31 - 1)) out.push(`${where}: partition`);
    const start = o.spec?.ordinals?.start;
    if (start !== undefined && !(Number.isInteger(start) && start >= 0 && start + (o.spec.replicas ?? 1) <= 2 ** 31 - 1)) out.push(`${where}: ordinals.start`);
  }
  return out;
}
