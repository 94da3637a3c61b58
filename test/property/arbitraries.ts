/**
 * What the property tests share (safety issue, F): fixed seed and run count, tame/hostile
 * arbitraries, and the assertion that a construct either throws a ValidationError or writes
 * objects that pass the validators and the API server's value rules. Not a test file, so that
 * each `<x>.property.test.ts` can import it without running another's tests.
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { Errors } from '../../src';
import { apiRuleErrors } from '../util/api-rules';
import { synthValidated, ValidateOptions } from '../util/validate';

export const RUNS = Number(process.env.FC_RUNS ?? 300);
export const SEED = Number(process.env.FC_SEED ?? 20261202);

/** An optional prop: left out or given. */
export function opt<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(a, { nil: undefined });
}

/** Each arbitrary has a tame form (documented domain) and a hostile one (anything). */
export function either<T>(tame: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): (h: boolean) => fc.Arbitrary<T> {
  return (h) => (h ? fc.oneof({ weight: 3, arbitrary: tame }, { weight: 1, arbitrary: hostile }) : tame);
}

/** Strings users type: mostly plausible, sometimes hostile. */
export const word = either(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/).filter((x) => !x.includes('--')), fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.constantFrom('', '-', 'A', 'a--b', 'x'.repeat(64), 'a.b', 'a/b', '../x', ' ', 'Redis', 'pg_x'),
));
export const count = either(fc.integer({ min: 1, max: 7 }), fc.constantFrom(-1, 0, 0.5, NaN, Infinity, 1001, 2 ** 31, 2 ** 32, 1e8));
export const seconds = either(
  fc.integer({ min: 1, max: 600 }).map((s) => Duration.seconds(s)),
  fc.constantFrom(Duration.millis(1500), Duration.millis(500), Duration.days(30000), Duration.seconds(0)),
);
export const size = either(
  fc.integer({ min: 1, max: 500 }).map((g) => Size.gibibytes(g)),
  fc.constantFrom(Size.kibibytes(1), Size.mebibytes(0), Size.gibibytes(Infinity), Size.gibibytes(NaN), Size.tebibytes(1e9), Size.gibibytes(0.5)),
);
export const path = either(
  fc.stringMatching(/^\/[a-z]{1,8}(\/[a-z]{1,8}){0,2}$/),
  fc.constantFrom('', '/', 'rel', '/a/../b', '//x//', '/./y', '/data/', '/data/x', '/dev/xvda', '/' + 'd/'.repeat(40)),
);
export const labelsOf = (h: boolean) => fc.dictionary(word(h), word(h), { maxKeys: 3 });
export const cpuOf = (h: boolean) => either(
  fc.integer({ min: 1, max: 4000 }).map((m) => kplus.Cpu.millis(m)),
  fc.constantFrom(kplus.Cpu.units(NaN), kplus.Cpu.units(Infinity), kplus.Cpu.units(2)),
)(h);
export const resourcesOf = (h: boolean) => opt(fc.record({
  cpu: opt(fc.record({ request: opt(cpuOf(h)), limit: opt(cpuOf(h)) })),
  memory: opt(fc.record({ request: opt(size(h)), limit: opt(size(h)) })),
}));

/** How often each outcome happened, to show the generators reach both sides. */
export class Outcomes {
  public rejected = 0;
  public synthesized = 0;
  public readonly codes = new Map<string, number>();
  public toString(): string {
    return `${this.synthesized} synthesized, ${this.rejected} rejected (${this.codes.size} distinct codes)`;
  }
}

/** Runs `build`; a thrown error must be a ValidationError, an output must pass every check (and `moreRules`, a system's own). */
export function onlyValidationErrorsOrValidOutput(
  outcomes: Outcomes, build: (chart: Chart) => void, moreRules: (objs: any[]) => string[] = () => [],
  validate: ValidateOptions = { runtimeLabelKeys: ['role'] },
): void {
  const chart = new Chart(Testing.app(), 'p', { namespace: 'prop' });
  const rejected = (e: unknown): void => {
    if (!Errors.isValidationError(e)) throw e;
    outcomes.rejected++;
    const code = Errors.codeOf(e)!;
    outcomes.codes.set(code, (outcomes.codes.get(code) ?? 0) + 1);
  };
  try {
    build(chart);
  } catch (e) {
    return rejected(e);
  }
  let objs: any[];
  try {
    objs = synthValidated(chart, validate);
  } catch (e) {
    // Lazy validators (node.addValidation) return messages, which cdk8s throws as one Error.
    if (e instanceof Error && !Errors.isValidationError(e) && e.message.startsWith('Validation failed with the following errors')) {
      outcomes.rejected++;
      outcomes.codes.set('(lazy validation)', (outcomes.codes.get('(lazy validation)') ?? 0) + 1);
      return;
    }
    return rejected(e);
  }
  outcomes.synthesized++;
  expect([...apiRuleErrors(objs), ...moreRules(objs)]).toEqual([]);
}
