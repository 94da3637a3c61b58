import { App, Chart } from 'cdk8s';
import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import { Errors } from '../../src/core/errors';
import { AdmissionAction, AdmissionPolicies, AdmissionPoliciesProps, AdmissionRule } from '../../src/policy';
import { PostgresCluster } from '../../src/postgres';
import { find, ofKind, synthValidated } from '../util/validate';

function synth(props: AdmissionPoliciesProps = {}, namespace: string | undefined = 'platform') {
  const c = new Chart(new App(), 'policies', { namespace });
  const policies = new AdmissionPolicies(c, 'admission', props);
  return { policies, objs: synthValidated(c) };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

test('defaults: snapshot', () => {
  expect(synth().objs).toMatchSnapshot();
});

test('defaults: four policies, each bound with Deny, failurePolicy Fail, managed objects only, cluster-scoped', () => {
  const { objs, policies } = synth();
  const names = ['statefulset-storage', 'retain-data', 'restricted-pods', 'quorum-floor'].map((r) => `cdk8s-stateful-${r}`);
  expect(ofKind(objs, 'ValidatingAdmissionPolicy').map((p) => p.metadata.name)).toEqual(names);
  expect(policies.policies.map((p) => p.name)).toEqual(names);
  for (const name of names) {
    const p = find(objs, 'ValidatingAdmissionPolicy', name);
    const b = find(objs, 'ValidatingAdmissionPolicyBinding', name);
    // kubernetes-models' own schema, named explicitly (synthValidated also runs it by kind).
    new ValidatingAdmissionPolicy(p).validate();
    new ValidatingAdmissionPolicyBinding(b).validate();
    // ...and that schema does check these objects: a validation without its expression fails it.
    expect(() => new ValidatingAdmissionPolicy({ ...p, spec: { ...p.spec, validations: [{ message: 'x' }] } }).validate()).toThrow(/expression/);
    expect(p.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(p.metadata.namespace).toBeUndefined();
    expect(b.metadata.namespace).toBeUndefined();
    expect(p.spec.failurePolicy).toBe('Fail');
    expect(p.spec.matchConstraints.objectSelector).toEqual({ matchLabels: { 'app.kubernetes.io/managed-by': 'cdk8s-stateful' } });
    for (const v of p.spec.validations) {
      expect(v.messageExpression).toContain('object.metadata.name');
      expect(['Forbidden', 'Invalid']).toContain(v.reason);
    }
    expect(b.spec).toEqual({ policyName: name, validationActions: ['Deny'] });
  }
  expect(find(objs, 'ValidatingAdmissionPolicy', names[0]).spec.matchConstraints.resourceRules)
    .toEqual([{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['statefulsets'], operations: ['UPDATE'] }]);
});

test('Warn and Audit, a subset of rules, namespaces and a name prefix', () => {
  const { objs } = synth({
    name: 'platform', actions: [AdmissionAction.WARN, AdmissionAction.AUDIT], rules: [AdmissionRule.QUORUM_FLOOR, AdmissionRule.RETAIN_DATA], namespaces: ['db', 'streams'],
  });
  expect(ofKind(objs, 'ValidatingAdmissionPolicy').map((p) => p.metadata.name)).toEqual(['platform-retain-data', 'platform-quorum-floor']);
  expect(find(objs, 'ValidatingAdmissionPolicyBinding', 'platform-quorum-floor').spec).toEqual({
    policyName: 'platform-quorum-floor',
    validationActions: ['Warn', 'Audit'],
    matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['db', 'streams'] }] } },
  });
});

test('two AdmissionPolicies with one name in an app are a DuplicateObject', () => {
  const app = new App();
  new AdmissionPolicies(new Chart(app, 'a'), 'p');
  expect(Errors.codeOf(thrown(() => new AdmissionPolicies(new Chart(app, 'b'), 'p')))).toBe('DuplicateObject');
});

test.each<[string, AdmissionPoliciesProps, string, string]>([
  ['bad name', { name: 'Platform' }, 'AdmissionPoliciesNameInvalid', "name 'Platform' must be a DNS-1123 subdomain of at most 233 characters"],
  ['long name', { name: 'a'.repeat(234) }, 'AdmissionPoliciesNameInvalid', 'of at most 233 characters'],
  ['no actions', { actions: [] }, 'AdmissionPoliciesActionsInvalid', 'actions must be one or more distinct AdmissionActions, not both DENY and WARN (the API server rejects that pair), got []'],
  ['deny and warn', { actions: [AdmissionAction.DENY, AdmissionAction.WARN] }, 'AdmissionPoliciesActionsInvalid', 'got [Deny, Warn]'],
  ['duplicate action', { actions: [AdmissionAction.AUDIT, AdmissionAction.AUDIT] }, 'AdmissionPoliciesActionsInvalid', 'got [Audit, Audit]'],
  ['no rules', { rules: [] }, 'AdmissionPoliciesRulesInvalid', 'rules must name each AdmissionRule at most once and at least one, got []'],
  ['duplicate rule', { rules: [AdmissionRule.QUORUM_FLOOR, AdmissionRule.QUORUM_FLOOR] }, 'AdmissionPoliciesRulesInvalid', 'got [quorum-floor, quorum-floor]'],
  ['bad namespace', { namespaces: ['DB'] }, 'AdmissionPoliciesNamespaceInvalid', "namespace 'DB' is not a DNS-1123 label"],
  ['empty namespaces', { namespaces: [] }, 'AdmissionPoliciesNamespaceInvalid', 'namespaces is empty: leave it out to enforce in every namespace'],
])('%s', (_, props, code, message) => {
  const e = thrown(() => new AdmissionPolicies(new Chart(new App(), 'c'), 'admission', props));
  expect(Errors.codeOf(e)).toBe(code);
  expect(e.message).toContain('c/admission: ');
  expect(e.message).toContain(message);
});

test.each([0, 1.5, -3])('setQuorumFloor(%p) is rejected', (min) => {
  const c = new Chart(new App(), 'c');
  const pg = new PostgresCluster(c, 'db');
  const e = thrown(() => AdmissionPolicies.setQuorumFloor(pg.statefulSet, min));
  expect(Errors.codeOf(e)).toBe('AdmissionQuorumFloorInvalid');
  expect(e.message).toContain(`quorum floor must be a whole number of replicas from 1, got ${min}`);
});

test('setQuorumFloor on something other than a StatefulSet is rejected', () => {
  const c = new Chart(new App(), 'c');
  const pg = new PostgresCluster(c, 'db');
  const e = thrown(() => AdmissionPolicies.setQuorumFloor(pg.primaryService, 2));
  expect(Errors.codeOf(e)).toBe('AdmissionQuorumFloorInvalid');
  expect(e.message).toContain('a quorum floor belongs on a StatefulSet, got a Service');
});
