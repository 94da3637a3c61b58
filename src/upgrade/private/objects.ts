// Internal: the shapes the upgrade-safety rules work on. Not re-exported from index.ts.
import type { UpgradeRisk } from '../upgrade-finding';

/** One object of a synth output, indexed by kind, namespace and name. */
export interface Obj {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly o: any;
}

/** A finding before the checker stamps the object on it. */
export interface Draft {
  /** The id without the `@cdk8s-stateful/policy:` prefix. */
  readonly id: string;
  readonly risk: UpgradeRisk;
  readonly message: string;
  readonly migration: string[];
}

/** Both outputs, for rules that look beyond the object they check. */
export interface Outputs {
  readonly before: Map<string, Obj>;
  readonly after: Map<string, Obj>;
}

export function key(x: { kind: string; name: string; namespace?: string }): string {
  return `${x.kind}|${x.namespace ?? ''}|${x.name}`;
}

export function index(objs: any[]): Map<string, Obj> {
  const m = new Map<string, Obj>();
  for (const o of objs ?? []) {
    if (!o || typeof o !== 'object' || !o.kind || !o.metadata?.name) continue;
    const x: Obj = { kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, o };
    m.set(key(x), x);
  }
  return m;
}

/** ` -n <namespace>` for kubectl commands, or nothing. */
export function nsFlag(x: { namespace?: string }): string {
  return x.namespace ? ` -n ${x.namespace}` : '';
}

/** A value as it reads in a message: strings bare, anything else as compact JSON, `(unset)` when absent. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return '(unset)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `a, b and c`. */
export function list(items: Array<string | number>): string {
  const s = items.map(String);
  return s.length <= 1 ? s.join('') : `${s.slice(0, -1).join(', ')} and ${s[s.length - 1]}`;
}
