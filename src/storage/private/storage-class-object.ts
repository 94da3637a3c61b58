// The one place a StorageClass object is written (StorageClass and LocalVolumePool both use it):
// not re-exported from index.ts.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { clusterScoped } from '../../core/kit/cluster-scoped';
import { registerObjects } from '../../core/registry';

/** The fields of a StorageClass object, already validated. */
export interface StorageClassObjectSpec {
  readonly name: string;
  readonly labels: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
  readonly provisioner: string;
  /** Left out of the object when empty. */
  readonly parameters?: { [key: string]: string };
  readonly reclaimPolicy: string;
  readonly volumeBindingMode: string;
  readonly allowVolumeExpansion: boolean;
  /** Left out of the object when empty. */
  readonly mountOptions?: string[];
  /** Zones under `zoneTopologyKey` (`allowedTopologies`). Left out when empty. */
  readonly zones?: string[];
  readonly zoneTopologyKey?: string;
}

/** A cluster-scoped StorageClass object (never namespaced). */
export function newStorageClassObject(scope: Construct, id: string, s: StorageClassObjectSpec): k8s.KubeStorageClass {
  const zones = s.zones ?? [];
  const obj = clusterScoped(new k8s.KubeStorageClass(scope, id, {
    metadata: { name: s.name, labels: s.labels, annotations: s.annotations },
    provisioner: s.provisioner,
    parameters: s.parameters && Object.keys(s.parameters).length ? s.parameters : undefined,
    reclaimPolicy: s.reclaimPolicy,
    volumeBindingMode: s.volumeBindingMode,
    allowVolumeExpansion: s.allowVolumeExpansion,
    mountOptions: s.mountOptions?.length ? [...s.mountOptions] : undefined,
    allowedTopologies: zones.length && s.zoneTopologyKey
      ? [{ matchLabelExpressions: [{ key: s.zoneTopologyKey, values: [...zones] }] }]
      : undefined,
  }));
  // Two StorageClasses of one name (two constructs, two charts): the second would replace the first.
  registerObjects(scope, obj);
  return obj;
}
