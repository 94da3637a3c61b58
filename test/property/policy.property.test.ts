/**
 * Property-based tests for AdmissionPolicies: generated props, inside and far outside the
 * documented domains. Whatever the input, the construct throws a ValidationError or writes
 * policies and bindings that pass the validators (kubernetes-models' schema included), the API
 * server's value rules, and the binding rules below. Fixed seed; FC_RUNS=<n> runs more cases.
 */
import * as fc from 'fast-check';
import { RUNS, SEED, opt, either, word, Outcomes, onlyValidationErrorsOrValidOutput } from './arbitraries';
import { AdmissionAction, AdmissionPolicies, AdmissionRule } from '../../src';

/** What the API server checks on a binding and a policy name that the schema does not. */
function policyErrors(objs: any[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    const where = `${o.kind}/${o.metadata.name}`;
    if (o.metadata.name.length > 253) out.push(`${where}: name longer than 253`);
    if (o.kind === 'ValidatingAdmissionPolicyBinding') {
      const a: string[] = o.spec.validationActions;
      if (!a.length || new Set(a).size !== a.length || (a.includes('Deny') && a.includes('Warn'))) out.push(`${where}: actions [${a}]`);
      if (!objs.some((p) => p.kind === 'ValidatingAdmissionPolicy' && p.metadata.name === o.spec.policyName)) out.push(`${where}: no policy ${o.spec.policyName}`);
    }
  }
  return out;
}

test('AdmissionPolicies: only ValidationErrors or valid policies', () => {
  const outcomes = new Outcomes();
  const props = (h: boolean) => fc.record({
    name: opt(either(word(h), fc.constantFrom('a'.repeat(234), 'Bad', 'a.b'))(h)),
    actions: opt(fc.array(fc.constantFrom(...Object.values(AdmissionAction)), { maxLength: 3 })),
    rules: opt(fc.array(fc.constantFrom(...Object.values(AdmissionRule)), { maxLength: 5 })),
    namespaces: opt(fc.array(word(h), { maxLength: 3 })),
  });
  fc.assert(fc.property(fc.boolean().chain(props), (p) => {
    onlyValidationErrorsOrValidOutput(outcomes, (chart) => new AdmissionPolicies(chart, 'admission', p), policyErrors);
  }), { numRuns: RUNS, seed: SEED });
  expect(outcomes.synthesized).toBeGreaterThan(RUNS / 10);
  expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
});
