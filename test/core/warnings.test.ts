import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Errors, StatefulWorkload, Warnings } from '../../src';
import { ValidationError } from '../../src/core/errors';

test('Errors.isValidationError recognises our errors only', () => {
  const chart = new Chart(Testing.app(), 'c');
  let caught: unknown;
  try {
    new StatefulWorkload(chart, 'db', { image: 'docker.io/library/postgres:16.4', replicas: -1 });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  expect(Errors.isValidationError(caught)).toBe(true);
  expect((caught as ValidationError).constructPath).toBe('c/db');
  expect(Errors.isValidationError(new Error('x'))).toBe(false);
});

describe('Warnings', () => {
  test('are listed with stable ids, once per id, and printed at synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const child = new Construct(chart, 'db');
    Warnings.of(child).add('@cdk8s-stateful/test:one', 'first');
    Warnings.of(child).add('@cdk8s-stateful/test:one', 'again');
    Warnings.of(child).add('@cdk8s-stateful/test:two', 'second');
    expect(Warnings.of(app).list()).toEqual([
      { id: '@cdk8s-stateful/test:one', message: 'first', path: 'c/db' },
      { id: '@cdk8s-stateful/test:two', message: 'second', path: 'c/db' },
    ]);
    new Chart(app, 'second'); // cdk8s's App validates the whole app once per chart
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      app.synth();
      const printed = spy.mock.calls.map((c) => String(c[0]));
      expect(printed.filter((l) => l === '[WARNING] c/db: first [ack: @cdk8s-stateful/test:one]\n')).toHaveLength(1);
      expect(printed.filter((l) => l.startsWith('[WARNING]'))).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  test('can be acknowledged one by one, on the construct or any scope above it', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const child = new Construct(chart, 'db');
    Warnings.of(child).add('@cdk8s-stateful/test:one', 'first');
    Warnings.of(child).add('@cdk8s-stateful/test:two', 'second');
    Warnings.acknowledge(chart, '@cdk8s-stateful/test:one');
    expect(Warnings.of(app).ids()).toEqual(['@cdk8s-stateful/test:two']);
    Warnings.acknowledge(child, '@cdk8s-stateful/test:two');
    expect(Warnings.of(app).ids()).toEqual([]);
  });
});
