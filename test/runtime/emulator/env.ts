/**
 * The kubelet's environment rules, as pure functions: `$(VAR)` expansion (k8s.io/kubernetes
 * third_party/forked/golang/expansion), env built in declaration order, envFrom, fieldRef,
 * secretKeyRef and configMapKeyRef.
 */

export type Lookup = (name: string) => string | undefined;

/**
 * Expands `$(VAR)` references like the kubelet: `$$` is an escaped `$`, an undefined variable or an
 * unterminated reference stays literal, any other `$` is kept as is.
 */
export function expand(input: string, lookup: Lookup): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value === undefined ? `$(${name})` : value;
      i = close + 1;
      continue;
    }
    out += c + next;
    i += 2;
  }
  return out;
}

/** What fieldRef and the object references resolve against. */
export interface PodFacts {
  readonly name: string;
  readonly namespace: string;
  readonly podIP: string;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly serviceAccountName?: string;
  readonly nodeName?: string;
  readonly uid?: string;
}

/** Secrets and ConfigMaps by name (values already decoded to text). */
export interface ObjectStore {
  secret(name: string): Record<string, string> | undefined;
  configMap(name: string): Record<string, string> | undefined;
}

export class EnvError extends Error {}

export function fieldRefValue(path: string, pod: PodFacts): string {
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) {
    const map = keyed[1] === 'labels' ? pod.labels : (pod.annotations ?? {});
    return map[keyed[2]] ?? '';
  }
  switch (path) {
    case 'metadata.name': return pod.name;
    case 'metadata.namespace': return pod.namespace;
    case 'metadata.uid': return pod.uid ?? `uid-${pod.name}`;
    case 'status.podIP': return pod.podIP;
    case 'status.podIPs': return pod.podIP;
    case 'status.hostIP': return pod.podIP;
    case 'spec.nodeName': return pod.nodeName ?? 'emulated-node';
    case 'spec.serviceAccountName': return pod.serviceAccountName ?? 'default';
    default: throw new EnvError(`fieldRef ${path} is not emulated`);
  }
}

function keyRef(kind: 'secret' | 'configMap', ref: any, store: ObjectStore): string | undefined {
  const data = kind === 'secret' ? store.secret(ref.name) : store.configMap(ref.name);
  const value = data?.[ref.key];
  if (value === undefined && !ref.optional) {
    throw new EnvError(`${kind}KeyRef ${ref.name}/${ref.key} does not resolve (CreateContainerConfigError)`);
  }
  return value;
}

/**
 * The container's environment in the kubelet's order: envFrom first, then env entries, each
 * expanded against the variables defined before it. Returns ordered [name, value] pairs.
 */
export function buildEnv(container: any, pod: PodFacts, store: ObjectStore): Map<string, string> {
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix: string = from.prefix ?? '';
    const source = from.secretRef ?? from.configMapRef;
    const data = from.secretRef ? store.secret(source.name) : store.configMap(source.name);
    if (!data) {
      if (source.optional) continue;
      throw new EnvError(`envFrom ${source.name} does not resolve (CreateContainerConfigError)`);
    }
    for (const [k, v] of Object.entries(data)) env.set(prefix + k, v);
  }
  for (const e of container.env ?? []) {
    let value: string | undefined;
    if (e.value !== undefined) {
      value = expand(String(e.value), (n) => env.get(n));
    } else if (e.valueFrom?.fieldRef) {
      value = fieldRefValue(e.valueFrom.fieldRef.fieldPath, pod);
    } else if (e.valueFrom?.secretKeyRef) {
      value = keyRef('secret', e.valueFrom.secretKeyRef, store);
    } else if (e.valueFrom?.configMapKeyRef) {
      value = keyRef('configMap', e.valueFrom.configMapKeyRef, store);
    } else if (e.valueFrom?.resourceFieldRef) {
      throw new EnvError(`resourceFieldRef (${e.name}) is not emulated`);
    } else {
      value = '';
    }
    if (value !== undefined) env.set(e.name, value);
  }
  return env;
}

/** command and args expanded against the final environment (undefined references stay literal). */
export function expandCommand(words: string[] | undefined, env: Map<string, string>): string[] {
  return (words ?? []).map((w) => expand(w, (n) => env.get(n)));
}
