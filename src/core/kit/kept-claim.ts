import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { keepAnnotations } from '../keep-policy';
import { registerObjects } from '../registry';
import { sizeToQuantity } from '../units';
import { IStorageClass } from '../workload/volumes';

/** A standalone claim that holds data (a backup volume): ReadWriteOnce, kept by Helm, Argo CD and Flux. */
export interface KeptClaimProps {
  /** The claim's name. */
  readonly name: string;
  /** Its labels. */
  readonly labels: { [key: string]: string };
  /** Requested size. */
  readonly size: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
}

/** A PersistentVolumeClaim of data that no tool may prune (see keep-policy). */
export function keptClaim(scope: Construct, id: string, props: KeptClaimProps): k8s.KubePersistentVolumeClaim {
  const claim = new k8s.KubePersistentVolumeClaim(scope, id, {
    metadata: { name: props.name, labels: props.labels, annotations: keepAnnotations() },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: props.storageClass?.storageClassName,
      resources: { requests: { storage: k8s.Quantity.fromString(sizeToQuantity(props.size)) } },
    },
  });
  registerObjects(scope, claim);
  return claim;
}
