// One object per (kind, namespace, name) in an app: a second one would silently replace the first
// at apply time (a second StatefulWorkload named like another, the same name in two charts of one
// namespace, a Service named `<name>-headless`). Every object this library creates registers
// here when it is constructed, so the clash is a ValidationError naming both construct paths,
// at O(1) per object.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

const REGISTRY_KEY = 'cdk8s-stateful:objects';

/** Kinds without a namespace: one name per cluster. */
const CLUSTER_SCOPED = new Set([
  'StorageClass', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'Namespace', 'PriorityClass', 'CSIDriver',
  'CustomResourceDefinition', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'VolumeSnapshotClass', 'IngressClass',
]);

/**
 * Record the objects a construct created; throws a ValidationError when another construct of the
 * same app already emits an object of the same kind, namespace and name.
 */
export function registerObjects(scope: IConstruct, ...objs: ApiObject[]): void {
  const root = scope.node.root.node as any;
  if (!root[REGISTRY_KEY]) Object.defineProperty(root, REGISTRY_KEY, { value: new Map<string, string>(), enumerable: false });
  const seen: Map<string, string> = root[REGISTRY_KEY];
  for (const obj of objs) {
    const clusterScoped = CLUSTER_SCOPED.has(obj.kind);
    const ns = clusterScoped ? '' : obj.chart.namespace ?? '';
    const key = `${obj.apiGroup}/${obj.kind}/${ns}/${obj.name}`;
    const other = seen.get(key);
    if (other !== undefined && other !== obj.node.path) {
      const where = clusterScoped ? '' : ns ? ` in namespace '${ns}'` : ' (in the namespace it is applied to)';
      throw new ValidationError(
        'DuplicateObject',
        `${obj.kind} '${obj.name}'${where} is emitted twice: by ${other} and by ${obj.node.path}; ` +
          'the second would silently replace the first at apply time. Give one of them another name (the `name` prop or the construct id)',
        scope,
      );
    }
    seen.set(key, obj.node.path);
  }
}
