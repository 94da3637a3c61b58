import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ValidationError } from '../errors';
import { registerObjects } from '../registry';

/** A Role rule for the workload's ServiceAccount. */
export interface RbacRule {
  /** API groups, '' for the core group. */
  readonly apiGroups: string[];
  /** Resources, e.g. `configmaps`. */
  readonly resources: string[];
  /** Verbs, e.g. `get`. */
  readonly verbs: string[];
  /** Limit to these object names. @default - all objects of the resources */
  readonly resourceNames?: string[];
}

/**
 * The RBAC of a workload's ServiceAccount: a Role and RoleBinding named after the workload,
 * created with the first rule. The pods mount the ServiceAccount token only when there is a
 * rule or `mountServiceAccountToken()` was called.
 */
export class WorkloadRbac {
  private readonly rules: RbacRule[] = [];
  private roleObj?: k8s.KubeRole;
  private bindingObj?: k8s.KubeRoleBinding;
  private tokenNeeded = false;

  /**
   * @param scope the workload (Role and RoleBinding are created as its children)
   * @param name name of the Role, RoleBinding and ServiceAccount
   * @param labels labels of the Role and RoleBinding
   */
  constructor(private readonly scope: Construct, private readonly name: string, private readonly labels: { [key: string]: string }) {}

  /** The Role, once a rule was added. */
  public get role(): k8s.KubeRole | undefined {
    return this.roleObj;
  }

  /** The RoleBinding, once a rule was added. */
  public get roleBinding(): k8s.KubeRoleBinding | undefined {
    return this.bindingObj;
  }

  /** Whether the pods mount the ServiceAccount token. */
  public get mountsToken(): boolean {
    return this.rules.length > 0 || this.tokenNeeded;
  }

  /** Add a Role rule; the first one creates the Role and RoleBinding and mounts the token. */
  public addRule(rule: RbacRule): void {
    if (!rule.verbs.length || !rule.resources.length) {
      throw new ValidationError('WorkloadRbacRuleEmpty', 'an RBAC rule needs at least one verb and one resource', this.scope);
    }
    this.rules.push(rule);
    if (!this.roleObj) {
      this.roleObj = new k8s.KubeRole(this.scope, 'Role', {
        metadata: { name: this.name, labels: this.labels },
        rules: Lazy.any({ produce: () => this.rules.map((r) => ({ ...r })) }),
      });
      this.bindingObj = new k8s.KubeRoleBinding(this.scope, 'RoleBinding', {
        metadata: { name: this.name, labels: this.labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.roleObj.name },
        subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: Chart.of(this.scope).namespace }],
      });
      registerObjects(this.scope, this.roleObj, this.bindingObj);
    }
  }

  /**
   * Mount the ServiceAccount token in the pods although the workload has no Role rules (e.g. an
   * init container reads the API with a ClusterRole bound elsewhere).
   */
  public mountServiceAccountToken(): void {
    this.tokenNeeded = true;
  }
}
