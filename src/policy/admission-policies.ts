import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { clusterScoped } from '../core/kit/cluster-scoped';
import { LabelKeys, MANAGED_BY, RecommendedLabels } from '../core/labels';
import { isDns1123Subdomain } from '../core/naming';
import { registerObjects } from '../core/registry';
import { ALL_RULES, ANNOTATIONS, PolicyRule } from './private/rules';

const API_VERSION = 'admissionregistration.k8s.io/v1';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * What the API server does when a policy's validation fails.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/#validation-actions
 */
export enum AdmissionAction {
  /** Reject the request. */
  DENY = 'Deny',
  /** Admit it and return the message to the client as a warning. */
  WARN = 'Warn',
  /** Admit it and record the failure in the audit log. */
  AUDIT = 'Audit',
}

/** The data-safety rules the policies enforce on objects labelled `app.kubernetes.io/managed-by: cdk8s-stateful`. */
export enum AdmissionRule {
  /** A StatefulSet update keeps its volumeClaimTemplates (name, class, size, access modes) and selector. */
  STATEFULSET_STORAGE = 'statefulset-storage',
  /** StatefulSet claim retention, PersistentVolume and StorageClass reclaim policies stay Retain. */
  RETAIN_DATA = 'retain-data',
  /** Pods and pod templates meet the restricted Pod Security Standard. */
  RESTRICTED_PODS = 'restricted-pods',
  /** A StatefulSet is not scaled below the floor its `cdk8s-stateful.io/quorum-min` annotation names. */
  QUORUM_FLOOR = 'quorum-floor',
}

/** Props of `AdmissionPolicies`. */
export interface AdmissionPoliciesProps {
  /**
   * Prefix of the policy and binding names (`<name>-<rule>`), a DNS-1123 subdomain.
   * @default 'cdk8s-stateful'
   */
  readonly name?: string;
  /**
   * What a failed validation does. `Deny` and `Warn` cannot be combined (the API server rejects it).
   * @default [AdmissionAction.DENY]
   */
  readonly actions?: AdmissionAction[];
  /**
   * The rules to emit, one ValidatingAdmissionPolicy each.
   * @default - all of AdmissionRule
   */
  readonly rules?: AdmissionRule[];
  /**
   * Enforce only in these namespaces (a namespaceSelector on `kubernetes.io/metadata.name`).
   * @default - every namespace
   */
  readonly namespaces?: string[];
}

/**
 * Native ValidatingAdmissionPolicies (CEL, Kubernetes 1.30 and later) and their bindings that
 * enforce the library's data-safety rules on the live cluster, for every object labelled
 * `app.kubernetes.io/managed-by: cdk8s-stateful`, whoever changes it (kubectl edit, another tool).
 *
 * `failurePolicy: Fail`: a policy that cannot be evaluated rejects the request.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
 */
export class AdmissionPolicies extends Construct {
  /** Annotation `"true"` on a StatefulSet, PersistentVolume or StorageClass that may delete its data. */
  public static readonly ALLOW_DATA_DELETION_ANNOTATION = ANNOTATIONS.allowDataDeletion;
  /** Annotation on a pod template whose image cannot run restricted; its value says why. */
  public static readonly PSS_EXEMPT_ANNOTATION = ANNOTATIONS.pssExempt;
  /** Annotation on a StatefulSet: the smallest replica count that keeps its quorum. */
  public static readonly QUORUM_MIN_ANNOTATION = ANNOTATIONS.quorumMin;

  /**
   * Annotate a StatefulSet with its quorum floor, read by the QUORUM_FLOOR rule.
   * @param statefulSet e.g. `cluster.statefulSet`
   * @param min the smallest replica count that keeps a quorum, 1 or more
   */
  public static setQuorumFloor(statefulSet: ApiObject, min: number): void {
    if (statefulSet.kind !== 'StatefulSet') {
      throw new ValidationError('AdmissionQuorumFloorInvalid', `a quorum floor belongs on a StatefulSet, got a ${statefulSet.kind}`, statefulSet);
    }
    if (!Number.isInteger(min) || min < 1 || min > 999999999) {
      throw new ValidationError('AdmissionQuorumFloorInvalid', `quorum floor must be a whole number of replicas from 1, got ${min}`, statefulSet);
    }
    statefulSet.metadata.addAnnotation(ANNOTATIONS.quorumMin, String(min));
  }

  /** Let a StatefulSet, PersistentVolume or StorageClass use a Delete retention or reclaim policy (RETAIN_DATA rule). */
  public static allowDataDeletion(obj: ApiObject): void {
    obj.metadata.addAnnotation(ANNOTATIONS.allowDataDeletion, 'true');
  }

  /** One ValidatingAdmissionPolicy per rule, in AdmissionRule order. */
  public readonly policies: ApiObject[];
  /** One ValidatingAdmissionPolicyBinding per policy, named like it. */
  public readonly bindings: ApiObject[];

  constructor(scope: Construct, id: string, props: AdmissionPoliciesProps = {}) {
    super(scope, id);
    const name = props.name ?? MANAGED_BY;
    const actions = props.actions ?? [AdmissionAction.DENY];
    const rules = this.rules(props.rules);
    this.check(name, actions, props.namespaces);
    const labels = new RecommendedLabels({ appName: MANAGED_BY, instance: name, component: 'admission-policy' }).stable;

    this.policies = [];
    this.bindings = [];
    for (const rule of rules) {
      const objName = `${name}-${rule.id}`;
      const policy = clusterScoped(new ApiObject(this, `Policy-${rule.id}`, {
        apiVersion: API_VERSION,
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: objName, labels },
        spec: policySpec(rule),
      }));
      const binding = clusterScoped(new ApiObject(this, `Binding-${rule.id}`, {
        apiVersion: API_VERSION,
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: objName, labels },
        spec: bindingSpec(objName, actions, props.namespaces),
      }));
      registerObjects(this, policy, binding);
      this.policies.push(policy);
      this.bindings.push(binding);
    }
    this.node.defaultChild = this.policies[0];
  }

  private rules(wanted?: AdmissionRule[]): PolicyRule[] {
    if (wanted === undefined) return ALL_RULES;
    if (!wanted.length || new Set(wanted).size !== wanted.length) {
      throw new ValidationError('AdmissionPoliciesRulesInvalid', `rules must name each AdmissionRule at most once and at least one, got [${wanted.join(', ')}]`, this);
    }
    return ALL_RULES.filter((r) => wanted.includes(r.id as AdmissionRule));
  }

  private check(name: string, actions: AdmissionAction[], namespaces?: string[]): void {
    const longest = Math.max(...ALL_RULES.map((r) => r.id.length)) + 1;
    if (!isDns1123Subdomain(name) || name.length + longest > 253) {
      throw new ValidationError('AdmissionPoliciesNameInvalid',
        `name '${name}' must be a DNS-1123 subdomain of at most ${253 - longest} characters (it prefixes the policy names), e.g. 'cdk8s-stateful'`, this);
    }
    const set = new Set(actions);
    if (!actions.length || set.size !== actions.length || (set.has(AdmissionAction.DENY) && set.has(AdmissionAction.WARN))) {
      throw new ValidationError('AdmissionPoliciesActionsInvalid',
        `actions must be one or more distinct AdmissionActions, not both DENY and WARN (the API server rejects that pair), got [${actions.join(', ')}]`, this);
    }
    for (const ns of namespaces ?? []) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) {
        throw new ValidationError('AdmissionPoliciesNamespaceInvalid', `namespace '${ns}' is not a DNS-1123 label`, this);
      }
    }
    if (namespaces && !namespaces.length) {
      throw new ValidationError('AdmissionPoliciesNamespaceInvalid', 'namespaces is empty: leave it out to enforce in every namespace', this);
    }
  }
}

/** ValidatingAdmissionPolicySpec (admissionregistration.k8s.io/v1), the fields we write. */
interface PolicySpec {
  readonly failurePolicy: string;
  readonly matchConstraints: {
    readonly objectSelector: { readonly matchLabels: { [key: string]: string } };
    readonly resourceRules: PolicyRule['resourceRules'];
  };
  readonly variables: PolicyRule['variables'];
  readonly validations: PolicyRule['validations'];
}

/** ValidatingAdmissionPolicyBindingSpec, the fields we write. */
interface BindingSpec {
  readonly policyName: string;
  readonly validationActions: string[];
  readonly matchResources?: {
    readonly namespaceSelector: { readonly matchExpressions: { key: string; operator: string; values: string[] }[] };
  };
}

function policySpec(rule: PolicyRule): PolicySpec {
  return {
    failurePolicy: 'Fail',
    // On UPDATE the selector matches when the old or the new object carries the label, so removing it does not escape.
    matchConstraints: { objectSelector: { matchLabels: { [LabelKeys.MANAGED_BY]: MANAGED_BY } }, resourceRules: rule.resourceRules },
    variables: rule.variables,
    validations: rule.validations,
  };
}

function bindingSpec(policyName: string, actions: AdmissionAction[], namespaces?: string[]): BindingSpec {
  return {
    policyName,
    validationActions: [...actions],
    ...(namespaces ? { matchResources: { namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...namespaces] }] } } } : {}),
  };
}
