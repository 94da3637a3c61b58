// Internal: reading what a pod template says (env, args, images, mounted ConfigMaps) the way the
// upgrade-safety rules need it. Not re-exported from index.ts.
import type { Obj, Outputs } from './objects';
import { key } from './objects';
import { canonical } from './quantity';

/** The pod spec of a StatefulSet, Job or Deployment. */
export function podSpecOf(o: any): any {
  return o?.spec?.template?.spec ?? {};
}

/** Every container of the pod template: init containers first, as the kubelet starts them. */
export function containersOf(o: any): any[] {
  const s = podSpecOf(o);
  return [...(s.initContainers ?? []), ...(s.containers ?? [])].filter((c) => c && typeof c === 'object');
}

/** The first env entry of that name in any container, as written (`value` or `valueFrom`). */
export function envEntry(o: any, name: string): any | undefined {
  for (const c of containersOf(o)) {
    const e = (c.env ?? []).find((x: any) => x?.name === name);
    if (e) return e;
  }
  return undefined;
}

/** The literal value of an env var, when it has one. */
export function envValue(o: any, name: string): string | undefined {
  const e = envEntry(o, name);
  return typeof e?.value === 'string' ? e.value : undefined;
}

/** Every command and args string of every container. */
export function commandLine(o: any): string[] {
  return containersOf(o).flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]).filter((s: unknown) => typeof s === 'string');
}

/** The value after a flag in args (`--flag value` or `--flag=value`), in any container. */
export function flagValue(o: any, flag: string): string | undefined {
  for (const c of containersOf(o)) {
    const args: unknown[] = [...(c.command ?? []), ...(c.args ?? [])];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === flag && typeof args[i + 1] === 'string') return args[i + 1] as string;
      if (typeof a === 'string' && a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    }
  }
  return undefined;
}

/** The data of the ConfigMaps the pod template mounts (volumes and projected sources), from the same output. */
export function mountedConfigText(x: Obj, objs: Map<string, Obj>): string[] {
  const names = new Set<string>();
  for (const v of podSpecOf(x.o).volumes ?? []) {
    if (v?.configMap?.name) names.add(v.configMap.name);
    for (const s of v?.projected?.sources ?? []) if (s?.configMap?.name) names.add(s.configMap.name);
  }
  return [...names].flatMap((n) => Object.values(objs.get(key({ kind: 'ConfigMap', name: n, namespace: x.namespace }))?.o.data ?? {}))
    .filter((s): s is string => typeof s === 'string');
}

/** A property `name=value` in args or in mounted ConfigMaps (server.properties, zoo.cfg style). */
export function propertyValue(x: Obj, objs: Map<string, Obj>, name: string): string | undefined {
  const re = new RegExp(`(?:^|[\\s'"])${name.replace(/\./g, '\\.')}\\s*=\\s*([^\\s'"]+)`, 'm');
  for (const text of [...commandLine(x.o), ...mountedConfigText(x, objs)]) {
    const m = re.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** The labels of the pod template. */
export function podLabels(o: any): { [k: string]: string } {
  return o?.spec?.template?.metadata?.labels ?? {};
}

/** A label of the object or, failing that, of its pod template. */
export function labelOf(o: any, k: string): string | undefined {
  return o?.metadata?.labels?.[k] ?? podLabels(o)[k];
}

/** `spec.ordinals.start` (0 when left out). */
export function ordinalsStart(o: any): number {
  const s = o?.spec?.ordinals?.start;
  return typeof s === 'number' ? s : 0;
}

/** `spec.replicas` (1 when left out, the API server default). */
export function replicasOf(o: any): number {
  const r = o?.spec?.replicas;
  return typeof r === 'number' ? r : 1;
}

/** The ordinals a StatefulSet runs. */
export function ordinals(o: any): number[] {
  const start = ordinalsStart(o);
  return Array.from({ length: Math.max(0, Math.min(replicasOf(o), 10_000)) }, (_, i) => start + i);
}

/** The claim template names of a StatefulSet. */
export function templateNames(o: any): string[] {
  return (o?.spec?.volumeClaimTemplates ?? []).map((t: any) => t?.metadata?.name).filter((n: unknown) => typeof n === 'string');
}

/** Whether an env entry, or a value, changed (by content). */
export function entryDiffers(a: unknown, b: unknown): boolean {
  return canonical(a) !== canonical(b);
}

/** The object of that kind and name in the same namespace, in the output after, else before. */
export function sibling(out: Outputs, x: Obj, kind: string, name: string | undefined): Obj | undefined {
  if (!name) return undefined;
  const k = key({ kind, name, namespace: x.namespace });
  return out.after.get(k) ?? out.before.get(k);
}
