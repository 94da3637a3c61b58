// Labels of the node a pod runs on, as a file the main container reads at start (Kubernetes has
// no downward API for node labels): an init container reads its node from the API server with a
// `get nodes` ClusterRole. Used for topology: CockroachDB's --locality, Cassandra's DC/rack.
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { loadAsset } from './assets';
import { clusterScoped } from './cluster-scoped';
import { isQualifiedName } from '../labels';
import { StatefulWorkload } from '../workload/stateful-workload';
import { WorkloadVolume } from '../workload/volumes';

/** Image of the init container: a shell and curl (the API server over HTTPS). */
export const NODE_LABELS_IMAGE = 'docker.io/curlimages/curl:8.16.0';

/** Props of `NodeLabels`. */
export interface NodeLabelsProps {
  /** The workload whose pods need the labels. Its chart must have a namespace (the binding names it). */
  readonly workload: StatefulWorkload;
  /** Output names → node label keys, e.g. `{ region: 'topology.kubernetes.io/region' }`. Written in key order. */
  readonly labels: { [name: string]: string };
  /** Directory (an emptyDir) where the file `node-labels` is written and mounted read-only in the main container. */
  readonly mountPath: string;
  /** @default NODE_LABELS_IMAGE */
  readonly image?: string;
}

/**
 * Reads labels of each pod's node before the main container starts: a ClusterRole (`get` on
 * nodes, nothing else), a binding of the workload's ServiceAccount, and an init container
 * (assets/node-labels.sh) writing `<name>=<value>` lines to `<mountPath>/node-labels`.
 */
export class NodeLabels extends Construct {
  /** The file the main container reads. */
  public readonly file: string;
  /** `get nodes`. */
  public readonly clusterRole: k8s.KubeClusterRole;
  /** The workload's ServiceAccount bound to it. */
  public readonly binding: k8s.KubeClusterRoleBinding;

  constructor(scope: Construct, id: string, props: NodeLabelsProps) {
    super(scope, id);
    const w = props.workload;
    const names = Object.keys(props.labels).sort();
    for (const n of names) {
      if (!/^[a-z][a-z0-9_-]*$/.test(n) || !isQualifiedName(props.labels[n])) {
        throw new Error(`internal: node label entry '${n}' → '${props.labels[n]}' is not a name and a label key`);
      }
    }
    const ns = w.namespace!;
    const name = `${ns}-${w.name}-node-reader`;
    this.clusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name, labels: { ...w.labels } },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
    }));
    this.binding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name, labels: { ...w.labels } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: w.serviceAccount.name, namespace: ns }],
    }));
    this.file = `${props.mountPath}/node-labels`;
    w.volumes.add('node-labels', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    w.volumes.add('node-labels-tmp', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    w.addMount({ volume: 'node-labels', mountPath: props.mountPath, readOnly: true });
    w.addInitContainer({
      name: 'node-labels',
      image: props.image ?? NODE_LABELS_IMAGE,
      command: ['sh', '-c', loadAsset('core/kit/assets/node-labels.sh')],
      env: {
        NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
        LABELS: kplus.EnvValue.fromValue(names.map((n) => `${n}=${props.labels[n]}`).join(' ')),
        OUT_FILE: kplus.EnvValue.fromValue('/out/node-labels'),
      },
      mounts: [{ volume: 'node-labels', mountPath: '/out' }, { volume: 'node-labels-tmp', mountPath: '/tmp' }],
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) } },
    });
    // The token is needed by the init container only; the pod-level switch is all there is.
    w.rbac.mountServiceAccountToken();
  }
}
