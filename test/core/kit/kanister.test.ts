import { spawnSync } from 'child_process';
import { Chart, Testing } from 'cdk8s';
import { Errors, KanisterBlueprint, KanisterBlueprintProps } from '../../../src';
import { find, synthValidated } from '../../util/validate';

const phase = { name: 'run', func: 'KubeTask', args: { image: 'busybox:1.36', command: ['true'] } };

test('a Blueprint: actions at the top level, in Kanister\'s namespace, valid against its CRD', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'apps' });
  new KanisterBlueprint(chart, 'bp', {
    name: 'app',
    actions: { backup: { kind: 'StatefulSet', phases: [phase], outputArtifacts: { out: { path: '{{ .Phases.run.Output.path }}' } } } },
  });
  const bp = find(synthValidated(chart), 'Blueprint', 'app');
  expect(bp.apiVersion).toBe('cr.kanister.io/v1alpha1');
  expect(bp.metadata.namespace).toBe('kanister');
  expect(bp.spec).toBeUndefined();
  expect(bp.actions.backup).toEqual({ kind: 'StatefulSet', outputArtifacts: { out: { keyValue: { path: '{{ .Phases.run.Output.path }}' } } }, phases: [phase] });
});

test('bashCommand writes the files and runs the entry with the arguments', () => {
  const cmd = KanisterBlueprint.bashCommand('echo "$1 $(cat "$F")"\n', [{ envName: 'F', content: 'hello\n' }], ['{{ .X }}']);
  expect(cmd.slice(0, 2)).toEqual(['bash', '-c']);
  expect(cmd.slice(3)).toEqual(['kanister-task', '{{ .X }}']);
  expect(spawnSync(cmd[0], [...cmd.slice(1, 3), cmd[3], 'world'], { encoding: 'utf8' }).stdout).toBe('world hello\n');
  expect(() => KanisterBlueprint.bashCommand('echo {{ .X }}', [], [])).toThrow(/internal/);
});

const bad: Array<[string, Partial<KanisterBlueprintProps>, string]> = [
  ['KanisterBlueprintNameInvalid', { name: 'Bad_Name' }, "name 'Bad_Name'"],
  ['KanisterBlueprintNameInvalid', { namespace: 'a.b' }, "namespace 'a.b'"],
  ['KanisterBlueprintNoActions', { actions: {} }, 'has no actions'],
  ['KanisterActionPhasesInvalid', { actions: { backup: { phases: [] } } }, "action 'backup' needs at least one phase"],
  ['KanisterActionPhasesInvalid', { actions: { backup: { phases: [phase, phase] } } }, 'unique phase names, got [run, run]'],
];
test.each(bad)('%s: %j', (code, props, message) => {
  const chart = new Chart(Testing.app(), 'c');
  let err: unknown;
  try {
    new KanisterBlueprint(chart, 'bp', { name: 'app', actions: { backup: { phases: [phase] } }, ...props });
  } catch (e) { err = e; }
  expect(Errors.isValidationError(err)).toBe(true);
  expect(Errors.codeOf(err)).toBe(code);
  expect((err as Error).message).toContain(message);
});
