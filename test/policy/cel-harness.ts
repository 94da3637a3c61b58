/**
 * Evaluates a synthesized ValidatingAdmissionPolicy the way the API server does, with
 * @bufbuild/cel: matchConstraints (resourceRules by resource and operation, objectSelector on
 * the object or the old object), then `variables` in order, then each validation and its
 * messageExpression, with `object`, `oldObject` and `variables` bound. JSON integers become CEL
 * `int` (bigint), as the API server's int64 fields are; other numbers `double`.
 *
 * Differences from the API server, none of which the policies rely on: variables are evaluated
 * eagerly (the API server evaluates them lazily, so an erroring unused variable would not fail
 * there — eager is stricter); `request`, `params`, `namespaceObject` and `authorizer` are not
 * bound; no cost limits; no Kubernetes CEL libraries (quantity, isSorted, url, ip, optional
 * types `?.`/orValue), which the policies avoid because @bufbuild/cel lacks them.
 */
import { isCelError, parse, plan, celEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

const ENV = celEnv({ funcs: strings });

/** The plural resource each kind is served as. */
const RESOURCES: { [kind: string]: [string, string] } = {
  Pod: ['', 'pods'],
  PersistentVolume: ['', 'persistentvolumes'],
  PersistentVolumeClaim: ['', 'persistentvolumeclaims'],
  StatefulSet: ['apps', 'statefulsets'],
  Deployment: ['apps', 'deployments'],
  DaemonSet: ['apps', 'daemonsets'],
  Job: ['batch', 'jobs'],
  CronJob: ['batch', 'cronjobs'],
  StorageClass: ['storage.k8s.io', 'storageclasses'],
  Service: ['', 'services'],
  Secret: ['', 'secrets'],
  ConfigMap: ['', 'configmaps'],
};

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface Verdict {
  /** Whether the policy applies to the request at all. */
  readonly matched: boolean;
  /** The messages of the failed validations (or evaluation errors, which fail the request: failurePolicy Fail). */
  readonly failures: string[];
}

/** JSON as CEL input: integers as bigint, everything else unchanged. */
export function toCel(v: any): any {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}

/** Evaluates one expression; throws on a parse or evaluation error. */
export function evalCel(expr: string, bindings: { [k: string]: any }): any {
  const r = plan(ENV, parse(expr))(bindings);
  if (isCelError(r)) throw new Error(`CEL error in \`${expr}\`: ${r.message}`);
  return r;
}

function selects(labels: { [k: string]: string } | undefined, matchLabels: { [k: string]: string }): boolean {
  return Object.entries(matchLabels).every(([k, v]) => labels?.[k] === v);
}

function matches(policy: any, op: Operation, obj: any, oldObj: any): boolean {
  const subject = obj ?? oldObj;
  const [group, resource] = RESOURCES[subject.kind] ?? [undefined, undefined];
  const version = subject.apiVersion.split('/').pop();
  const mc = policy.spec.matchConstraints;
  const ruleOk = mc.resourceRules.some((r: any) => r.operations.includes(op) && r.apiGroups.includes(group) &&
    r.apiVersions.includes(version) && r.resources.includes(resource));
  const sel = mc.objectSelector?.matchLabels ?? {};
  return ruleOk && (selects(obj?.metadata?.labels, sel) || selects(oldObj?.metadata?.labels, sel));
}

/** Outcomes seen per expression, across every admit() call of a test file (see `unexercised`). */
const SEEN = new Map<string, Set<string>>();
function see(expr: string, outcome: string): void {
  if (!SEEN.has(expr)) SEEN.set(expr, new Set());
  SEEN.get(expr)!.add(outcome);
}

/**
 * The expressions of `policy` not yet exercised both ways: each validation must have been seen
 * true and false, each variable and messageExpression evaluated without error.
 */
export function unexercised(policy: any): string[] {
  const out: string[] = [];
  for (const v of policy.spec.variables ?? []) if (!SEEN.get(v.expression)?.has('ok')) out.push(`variable ${v.name}`);
  for (const v of policy.spec.validations) {
    const seen = SEEN.get(v.expression);
    if (!seen?.has('true') || !seen?.has('false')) out.push(`validation \`${v.expression}\` seen [${[...seen ?? []].join(', ')}]`);
    if (!SEEN.get(v.messageExpression)?.has('ok')) out.push(`message of \`${v.expression}\``);
  }
  return out;
}

/** Admission of `obj` (and `oldObj` on UPDATE) by one synthesized ValidatingAdmissionPolicy. */
export function admit(policy: any, op: Operation, obj: any, oldObj: any = null): Verdict {
  if (!matches(policy, op, obj, oldObj)) return { matched: false, failures: [] };
  const bindings: { [k: string]: any } = { object: obj === null ? null : toCel(obj), oldObject: oldObj === null ? null : toCel(oldObj) };
  const variables: { [k: string]: any } = {};
  bindings.variables = variables;
  const failures: string[] = [];
  try {
    for (const v of policy.spec.variables ?? []) {
      variables[v.name] = evalCel(v.expression, bindings);
      see(v.expression, 'ok');
    }
    for (const v of policy.spec.validations) {
      const ok = evalCel(v.expression, bindings);
      if (typeof ok !== 'boolean') throw new Error(`validation \`${v.expression}\` returned ${typeof ok}, not a bool`);
      see(v.expression, String(ok));
      if (!ok) {
        const msg = evalCel(v.messageExpression, bindings);
        if (typeof msg !== 'string') throw new Error(`messageExpression returned ${typeof msg}, not a string`);
        see(v.messageExpression, 'ok');
        failures.push(msg);
      }
    }
  } catch (e: any) {
    failures.push(`evaluation error (failurePolicy Fail): ${e.message}`);
  }
  return { matched: true, failures };
}

/** Every CEL expression of a policy (variables, validations, messages), for a coverage check. */
export function expressionsOf(policy: any): string[] {
  return [
    ...(policy.spec.variables ?? []).map((v: any) => v.expression),
    ...policy.spec.validations.flatMap((v: any) => [v.expression, v.messageExpression]),
  ];
}
