import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { loadAsset } from '../core/kit/assets';
import { clusterScoped } from '../core/kit/cluster-scoped';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { WorkloadVolume } from '../core/workload/volumes';

/** Rack awareness: `broker.rack` from a label of the node each broker runs on. */
export interface KafkaRackAwarenessOptions {
  /** Node label holding the rack. @default 'topology.kubernetes.io/zone' */
  readonly topologyKey?: string;
  /**
   * Image of the init container that reads the node's labels from the API server (it needs a
   * shell and curl; the Kafka image has neither curl nor wget).
   * @default 'docker.io/curlimages/curl:8.16.0'
   */
  readonly image?: string;
}

const DEFAULT_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';
const DEFAULT_RACK_IMAGE = 'docker.io/curlimages/curl:8.16.0';
/** The image appends this file to its server.properties (KafkaDockerWrapper.prepareServerConfigs). */
const RACK_DIR = '/mnt/shared/config';

/**
 * Rack awareness of one cluster: a ClusterRole that lets brokers read nodes (`get` only), and
 * per broker pool an init container (assets/rack-init.sh) that writes `broker.rack=<label of
 * its node>` where the image picks it up, plus a binding of the pool's ServiceAccount.
 * Internal: the cluster exposes the objects.
 */
export class RackAwareness {
  public readonly clusterRole: k8s.KubeClusterRole;
  public readonly bindings: k8s.KubeClusterRoleBinding[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly options: KafkaRackAwarenessOptions,
    private readonly namespace: string,
    clusterName: string,
    private readonly labels: { [key: string]: string },
  ) {
    this.clusterRole = clusterScoped(new k8s.KubeClusterRole(scope, 'RackClusterRole', {
      metadata: { name: `${namespace}-${clusterName}-node-reader`, labels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
    }));
  }

  /** Makes the pods of a broker pool rack-aware. */
  public addPool(poolId: string, poolName: string, w: StatefulWorkload): void {
    w.volumes.add('rack', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    w.addMount({ volume: 'rack', mountPath: RACK_DIR, readOnly: true });
    w.addInitContainer({
      name: 'rack',
      image: this.options.image ?? DEFAULT_RACK_IMAGE,
      command: ['sh', '-ec', loadAsset('kafka/assets/rack-init.sh')],
      env: {
        NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
        TOPOLOGY_KEY: kplus.EnvValue.fromValue(this.options.topologyKey ?? DEFAULT_TOPOLOGY_KEY),
      },
      mounts: [{ volume: 'rack', mountPath: '/rack' }, { volume: 'rack-tmp', mountPath: '/tmp' }],
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) } },
    });
    w.volumes.add('rack-tmp', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    // The token is needed by the init container only; the pod-level switch is all there is.
    w.rbac.mountServiceAccountToken();
    this.bindings.push(clusterScoped(new k8s.KubeClusterRoleBinding(this.scope, `RackBinding-${poolId}`, {
      metadata: { name: `${this.namespace}-${poolName}-node-reader`, labels: this.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.clusterRole.name },
      subjects: [{ kind: 'ServiceAccount', name: w.serviceAccount.name, namespace: this.namespace }],
    })));
  }
}
