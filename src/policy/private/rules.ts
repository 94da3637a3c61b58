// The CEL of the AdmissionPolicies, as pure data: one entry per ValidatingAdmissionPolicy.
//
// Written for the Kubernetes CEL environment (object/oldObject are `dyn`, absent fields must be
// guarded with has()) and kept to the subset @bufbuild/cel also evaluates, so every expression
// is executed by test/policy/: no optional syntax (`?.`, orValue), no `quantity()`/`isSorted()`
// libraries. Quantities are compared as the canonical strings the API server serializes.

/** Annotation keys the policies read. */
export const ANNOTATIONS = {
  /** On a StatefulSet, PersistentVolume or StorageClass: 'true' allows a Delete retention/reclaim policy. */
  allowDataDeletion: 'cdk8s-stateful.io/allow-data-deletion',
  /** On a pod (template): why this image cannot run under the restricted Pod Security Standard. */
  pssExempt: 'cdk8s-stateful.io/pss-exempt',
  /** On a StatefulSet: the smallest replica count that keeps its quorum, a whole number. */
  quorumMin: 'cdk8s-stateful.io/quorum-min',
};

export interface ResourceRule {
  readonly apiGroups: string[];
  readonly apiVersions: string[];
  readonly resources: string[];
  readonly operations: string[];
}

export interface CelVariable {
  readonly name: string;
  readonly expression: string;
}

export interface CelValidation {
  readonly expression: string;
  readonly messageExpression: string;
  readonly reason: string;
}

export interface PolicyRule {
  /** Suffix of the policy and binding names. */
  readonly id: string;
  readonly resourceRules: ResourceRule[];
  readonly variables: CelVariable[];
  readonly validations: CelValidation[];
}

const UPSERT = ['CREATE', 'UPDATE'];

/** `has(m.annotations) && key in m.annotations`, for metadata expression `m`. */
function hasAnnotation(meta: string, key: string): string {
  return `has(${meta}.annotations) && '${key}' in ${meta}.annotations`;
}

/** A comparable digest of one claim template `c`: what a bound claim can never take over. */
const CLAIM_DIGEST =
  "{'name': c.metadata.name, " +
  "'storageClassName': has(c.spec.storageClassName) ? c.spec.storageClassName : '', " +
  "'storage': has(c.spec.resources) && has(c.spec.resources.requests) && 'storage' in c.spec.resources.requests ? " +
  "string(c.spec.resources.requests.storage) : '', " +
  "'accessModes': has(c.spec.accessModes) ? c.spec.accessModes : []}";

function claims(obj: string): string {
  return `has(${obj}.spec.volumeClaimTemplates) ? ${obj}.spec.volumeClaimTemplates.map(c, ${CLAIM_DIGEST}) : []`;
}

/** (a) Claim templates and selector of a managed StatefulSet never change. */
export const STATEFULSET_IMMUTABLE: PolicyRule = {
  id: 'statefulset-storage',
  resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['statefulsets'], operations: ['UPDATE'] }],
  variables: [
    { name: 'oldClaims', expression: claims('oldObject') },
    { name: 'newClaims', expression: claims('object') },
  ],
  validations: [
    {
      expression: 'variables.oldClaims == variables.newClaims',
      messageExpression:
        "'StatefulSet ' + object.metadata.name + ': spec.volumeClaimTemplates must not change (name, storage class, size or access modes of ' + " +
        "variables.oldClaims.filter(o, !(o in variables.newClaims)).map(o, o.name).join(', ') + '); existing claims would keep the old " +
        "values and new replicas would get the new ones. Expand the existing PersistentVolumeClaims in place, or migrate to a new StatefulSet'",
      reason: 'Forbidden',
    },
    {
      expression: 'oldObject.spec.selector == object.spec.selector',
      messageExpression:
        "'StatefulSet ' + object.metadata.name + ': spec.selector must not change; the pods and claims of the old selector would be orphaned'",
      reason: 'Forbidden',
    },
  ],
};

/** (b) Retain on the claims of managed StatefulSets, and on managed PersistentVolumes and StorageClasses. */
export const RETAIN: PolicyRule = {
  id: 'retain-data',
  resourceRules: [
    { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['statefulsets'], operations: UPSERT },
    { apiGroups: [''], apiVersions: ['v1'], resources: ['persistentvolumes'], operations: UPSERT },
    { apiGroups: ['storage.k8s.io'], apiVersions: ['v1'], resources: ['storageclasses'], operations: UPSERT },
  ],
  variables: [
    { name: 'optOut', expression: `${hasAnnotation('object.metadata', ANNOTATIONS.allowDataDeletion)} && object.metadata.annotations['${ANNOTATIONS.allowDataDeletion}'] == 'true'` },
    {
      name: 'retention',
      expression: "object.kind == 'StatefulSet' && has(object.spec.persistentVolumeClaimRetentionPolicy) ? object.spec.persistentVolumeClaimRetentionPolicy : {}",
    },
  ],
  validations: [
    {
      expression: "variables.optOut || object.kind != 'StatefulSet' || " +
        "((!has(variables.retention.whenDeleted) || variables.retention.whenDeleted == 'Retain') && " +
        "(!has(variables.retention.whenScaled) || variables.retention.whenScaled == 'Retain'))",
      messageExpression:
        "'StatefulSet ' + object.metadata.name + ': persistentVolumeClaimRetentionPolicy must be Retain for whenDeleted and whenScaled; " +
        `a Delete policy deletes the data claims with the StatefulSet or its scaled-down replicas. Annotate it ${ANNOTATIONS.allowDataDeletion}: "true" to allow it'`,
      reason: 'Forbidden',
    },
    {
      expression: "variables.optOut || object.kind != 'PersistentVolume' || " +
        "!has(object.spec.persistentVolumeReclaimPolicy) || object.spec.persistentVolumeReclaimPolicy == 'Retain'",
      messageExpression:
        "'PersistentVolume ' + object.metadata.name + ': persistentVolumeReclaimPolicy must be Retain, got ' + object.spec.persistentVolumeReclaimPolicy + " +
        `'; releasing its claim would delete the disk. Annotate it ${ANNOTATIONS.allowDataDeletion}: "true" to allow it'`,
      reason: 'Forbidden',
    },
    {
      expression: "variables.optOut || object.kind != 'StorageClass' || !has(object.reclaimPolicy) || object.reclaimPolicy == 'Retain'",
      messageExpression:
        "'StorageClass ' + object.metadata.name + ': reclaimPolicy must be Retain, got ' + object.reclaimPolicy + " +
        `'; every volume it provisions would be deleted with its claim. Annotate it ${ANNOTATIONS.allowDataDeletion}: "true" to allow it'`,
      reason: 'Forbidden',
    },
  ],
};

const SC = 'c.securityContext';

/** The containers failing `ok` (an expression over container `c`), for messages. */
function failing(ok: string): string {
  return `variables.containers.filter(c, !(${ok})).map(c, c.name).join(', ')`;
}

const RUN_AS_NON_ROOT =
  `(has(${SC}) && has(${SC}.runAsNonRoot) ? ${SC}.runAsNonRoot : has(variables.podSecurity.runAsNonRoot) && variables.podSecurity.runAsNonRoot) && ` +
  `!(has(${SC}) && has(${SC}.runAsUser) ? ${SC}.runAsUser == 0 : has(variables.podSecurity.runAsUser) && variables.podSecurity.runAsUser == 0)`;
const NO_ESCALATION = `has(${SC}) && has(${SC}.allowPrivilegeEscalation) && ${SC}.allowPrivilegeEscalation == false`;
const DROP_ALL = `has(${SC}) && has(${SC}.capabilities) && has(${SC}.capabilities.drop) && 'ALL' in ${SC}.capabilities.drop && ` +
  `(!has(${SC}.capabilities.add) || ${SC}.capabilities.add.all(a, a == 'NET_BIND_SERVICE'))`;
const SECCOMP = `has(${SC}) && has(${SC}.seccompProfile) ? ${SC}.seccompProfile.type in ['RuntimeDefault', 'Localhost'] : ` +
  "has(variables.podSecurity.seccompProfile) && variables.podSecurity.seccompProfile.type in ['RuntimeDefault', 'Localhost']";

function restricted(ok: string, what: string): CelValidation {
  return {
    expression: `variables.exempt || variables.containers.all(c, ${ok})`,
    messageExpression: "object.kind + ' ' + object.metadata.name + ': container(s) ' + " + failing(ok) +
      ` + ' ${what} (restricted Pod Security Standard). If the image cannot run so, annotate the pod template ${ANNOTATIONS.pssExempt} with the reason'`,
    reason: 'Forbidden',
  };
}

/** (c) Managed pods, and the pod templates of managed workloads, meet the restricted Pod Security Standard. */
export const RESTRICTED_PODS: PolicyRule = {
  id: 'restricted-pods',
  resourceRules: [
    { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] },
    { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['statefulsets', 'deployments', 'daemonsets'], operations: UPSERT },
    { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'], operations: UPSERT },
  ],
  variables: [
    {
      name: 'template',
      expression: "object.kind == 'Pod' ? object : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template",
    },
    { name: 'exempt', expression: `has(variables.template.metadata) && ${hasAnnotation('variables.template.metadata', ANNOTATIONS.pssExempt)}` },
    { name: 'podSecurity', expression: 'has(variables.template.spec.securityContext) ? variables.template.spec.securityContext : {}' },
    {
      name: 'containers',
      expression: 'variables.template.spec.containers + (has(variables.template.spec.initContainers) ? variables.template.spec.initContainers : [])',
    },
  ],
  validations: [
    restricted(RUN_AS_NON_ROOT, 'must set runAsNonRoot: true (pod or container) and must not run as user 0'),
    restricted(NO_ESCALATION, 'must set allowPrivilegeEscalation: false'),
    restricted(DROP_ALL, 'must drop ALL capabilities and add none but NET_BIND_SERVICE'),
    restricted(SECCOMP, 'must use the RuntimeDefault or Localhost seccomp profile (pod or container)'),
  ],
};

const REPLICAS = '(has(object.spec.replicas) ? object.spec.replicas : 1)';
const OLD_REPLICAS = '(has(oldObject.spec.replicas) ? oldObject.spec.replicas : 1)';

/** (d) A StatefulSet annotated with a quorum floor is never scaled below it (scaling up towards it is fine). */
export const QUORUM_FLOOR: PolicyRule = {
  id: 'quorum-floor',
  resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['statefulsets'], operations: UPSERT }],
  variables: [
    {
      name: 'floor',
      expression: `${hasAnnotation('object.metadata', ANNOTATIONS.quorumMin)} ? object.metadata.annotations['${ANNOTATIONS.quorumMin}'] : ''`,
    },
  ],
  validations: [
    {
      expression: "variables.floor == '' || variables.floor.matches('^[0-9]{1,9}$')",
      messageExpression: `'StatefulSet ' + object.metadata.name + ': annotation ${ANNOTATIONS.quorumMin} must be a whole number, got "' + variables.floor + '"'`,
      reason: 'Invalid',
    },
    {
      expression: `variables.floor == '' || !variables.floor.matches('^[0-9]{1,9}$') || ${REPLICAS} >= int(variables.floor) || ` +
        `(oldObject != null && ${REPLICAS} >= ${OLD_REPLICAS})`,
      messageExpression: `'StatefulSet ' + object.metadata.name + ': replicas ' + string(${REPLICAS}) + ' is below its quorum floor ' + variables.floor + ` +
        `' (annotation ${ANNOTATIONS.quorumMin}); the members left could not elect a leader. Lower the annotation in the same change if you mean it'`,
      reason: 'Forbidden',
    },
  ],
};

/** Every rule, in emission order. */
export const ALL_RULES: PolicyRule[] = [STATEFULSET_IMMUTABLE, RETAIN, RESTRICTED_PODS, QUORUM_FLOOR];
