import { ApiObject, JsonPatch } from 'cdk8s';

/**
 * Cluster-scoped objects (StorageClass, PersistentVolume, ClusterRole...) must not carry a
 * namespace, but cdk8s stamps the chart's namespace on every ApiObject. Remove it.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
