// A Kanister Blueprint (cr.kanister.io/v1alpha1), the action catalogue Kanister and Kasten K10 run
// for application-consistent backups. The schema is Kanister's own CRD
// (kanisterio/kanister pkg/customresource/blueprint.yaml, copied to src/imports/crds/); a phase's
// `args` are the function's (KubeTask: image, command, namespace, podOverride, podLabels,
// podAnnotations: pkg/function/kube_task.go). Systems build theirs from the same scripts as their
// own Jobs (PostgresKanisterBlueprint).
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ValidationError } from '../errors';
import { isDns1123Subdomain } from '../naming';
import { registerObjects } from '../registry';

/** An object a phase reads (Kanister renders `{{ .Phases.<phase>.Secrets.<name> }}` from it). */
export interface KanisterObjectReference {
  /** Kind, e.g. `Secret`. */
  readonly kind: string;
  /** Name. */
  readonly name: string;
  /** Namespace. @default - the action's subject's */
  readonly namespace?: string;
}

/** One step of an action: a Kanister function and its arguments. */
export interface KanisterPhase {
  /** Phase name, referenced by later phases as `.Phases.<name>`. */
  readonly name: string;
  /** Kanister function, e.g. `KubeTask`, `KubeExec`, `ScaleWorkload`. */
  readonly func: string;
  /** The function's arguments (Go templates allowed in strings). */
  readonly args: { [key: string]: any };
  /** Objects the phase reads. @default - none */
  readonly objects?: { [name: string]: KanisterObjectReference };
}

/** An action (`backup`, `restore`, `delete`, …) of a Blueprint. */
export interface KanisterAction {
  /** The kind of object the action runs against (`StatefulSet`, `Deployment`, `Namespace`). @default - any */
  readonly kind?: string;
  /** The phases, run in order. */
  readonly phases: KanisterPhase[];
  /** Key/value artifacts the action outputs, by artifact name. @default - none */
  readonly outputArtifacts?: { [artifact: string]: { [key: string]: string } };
  /** Artifacts the action needs from an earlier one. @default - none */
  readonly inputArtifactNames?: string[];
}

/** A script file a KubeTask command writes before it runs (see `KanisterBlueprint.bashCommand`). */
export interface KanisterScriptFile {
  /** The env var that holds the file's path in the task. */
  readonly envName: string;
  /** The file's content (a script asset). */
  readonly content: string;
}

/** Props of a `KanisterBlueprint`. */
export interface KanisterBlueprintProps {
  /** Blueprint name, unique in Kanister's namespace. */
  readonly name: string;
  /**
   * The namespace of the Kanister controller: ActionSets look their Blueprint up there, not in the
   * application's namespace.
   * @default 'kanister'
   */
  readonly namespace?: string;
  /** Actions by name. */
  readonly actions: { [name: string]: KanisterAction };
}

/** A Kanister `Blueprint` object. */
export class KanisterBlueprint extends Construct {
  /**
   * A KubeTask `command` that writes `files` into a scratch directory (paths in their env vars)
   * and runs `entry` with bash and `args`. Kanister renders Go templates in every argument, so
   * `args` may hold templates (`{{ toJson .Profile }}`) and the files must hold none.
   */
  public static bashCommand(entry: string, files: KanisterScriptFile[], args: string[]): string[] {
    const lines = ['set -euo pipefail', 'scripts="$(mktemp -d)"'];
    for (const f of [...files, { envName: 'KANISTER_ENTRY', content: entry }]) {
      if (f.content.includes('{{') || f.content.includes('}}') || f.content.split('\n').includes('__CDK8S_STATEFUL_EOF__')) {
        throw new Error(`internal: the script for ${f.envName} holds '{{', '}}' or the heredoc delimiter`);
      }
      lines.push(`export ${f.envName}="$scripts/${f.envName.toLowerCase()}.sh"`,
        `cat > "$${f.envName}" <<'__CDK8S_STATEFUL_EOF__'`, f.content.replace(/\n$/, ''), '__CDK8S_STATEFUL_EOF__');
    }
    lines.push('exec bash "$KANISTER_ENTRY" "$@"');
    return ['bash', '-c', lines.join('\n') + '\n', 'kanister-task', ...args];
  }

  /** The Blueprint object. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KanisterBlueprintProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'kanister';
    for (const [what, v] of [['name', props.name], ['namespace', namespace]]) {
      if (!isDns1123Subdomain(v) || (what === 'namespace' && (v.length > 63 || v.includes('.')))) {
        throw new ValidationError('KanisterBlueprintNameInvalid',
          `KanisterBlueprint ${what} '${v}' is not a valid object ${what}: use lower-case letters, digits and '-' (e.g. 'billing-db')`, this);
      }
    }
    const names = Object.keys(props.actions).sort();
    if (!names.length) throw new ValidationError('KanisterBlueprintNoActions', `KanisterBlueprint '${props.name}' has no actions: give at least one (e.g. backup)`, this);
    const actions: { [name: string]: any } = {};
    for (const name of names) {
      const a = props.actions[name];
      const phases = a.phases.map((p) => p.name);
      if (!phases.length || new Set(phases).size !== phases.length) {
        throw new ValidationError('KanisterActionPhasesInvalid',
          `KanisterBlueprint '${props.name}' action '${name}' needs at least one phase and unique phase names, got [${phases.join(', ')}]`, this);
      }
      actions[name] = {
        ...(a.kind ? { kind: a.kind } : {}),
        ...(a.outputArtifacts ? {
          outputArtifacts: Object.fromEntries(Object.keys(a.outputArtifacts).sort().map((k) => [k, { keyValue: { ...a.outputArtifacts![k] } }])),
        } : {}),
        ...(a.inputArtifactNames?.length ? { inputArtifactNames: [...a.inputArtifactNames] } : {}),
        phases: a.phases.map((p) => ({
          func: p.func,
          name: p.name,
          ...(p.objects ? { objects: Object.fromEntries(Object.entries(p.objects).map(([k, o]) => [k, { ...o }])) } : {}),
          args: p.args,
        })),
      };
    }
    // A Blueprint has no spec: `actions` is a top-level field (the CRD's schema).
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'cr.kanister.io/v1alpha1',
      kind: 'Blueprint',
      metadata: { name: props.name, namespace },
      actions,
    });
    this.node.defaultChild = this.resource;
    registerObjects(this, this.resource);
  }
}
