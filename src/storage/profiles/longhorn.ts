import { Duration } from 'cdk8s';
import { FsType, SecretReference } from './common';
import { ProfileSpec, checkInt, fsTypeIn, profileSpec, secretParams, wholeMinutes } from '../private/profile-rules';

/**
 * Where Longhorn keeps a replica relative to the pod.
 * @see https://longhorn.io/docs/latest/references/storage-class-parameters/
 */
export enum LonghornDataLocality {
  /** Replicas anywhere. */
  DISABLED = 'disabled',
  /** Try to keep one replica on the pod's node. */
  BEST_EFFORT = 'best-effort',
  /** Keep the only replica on the pod's node (requires 1 replica). */
  STRICT_LOCAL = 'strict-local',
}

/** Options of `StorageProfile.longhorn()`. */
export interface LonghornOptions {
  /** `numberOfReplicas`, 1–20. @default 3 */
  readonly replicas?: number;
  /** @default LonghornDataLocality.DISABLED */
  readonly dataLocality?: LonghornDataLocality;
  /** How long a failed replica may stay before Longhorn removes it (whole minutes). @default - Longhorn's default */
  readonly staleReplicaTimeout?: Duration;
  /** Place replicas only on disks with these Longhorn disk tags. @default - any disk */
  readonly diskSelector?: string[];
  /** Place replicas only on nodes with these Longhorn node tags. @default - any node */
  readonly nodeSelector?: string[];
  /**
   * Encrypt volumes with the passphrase in this Secret (`CRYPTO_KEY_VALUE`...), passed as the
   * provisioner, node-publish, node-stage and node-expand secret (expansion needs the key).
   * @default - not encrypted
   */
  readonly encryptionSecret?: SecretReference;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/** Parameters and rule checks of `StorageProfile.longhorn()`. */
export function longhornProfile(options: LonghornOptions): ProfileSpec {
  const p = 'longhorn';
  const problems: Array<string | undefined> = [];
  const replicas = options.replicas ?? 3;
  const locality = options.dataLocality ?? LonghornDataLocality.DISABLED;
  problems.push(checkInt(`${p}: replicas`, replicas, 1, 20));
  if (locality === LonghornDataLocality.STRICT_LOCAL && replicas !== 1) {
    problems.push(`${p}: dataLocality strict-local keeps the only replica on the pod's node and requires replicas: 1, got ${replicas}`);
  }
  let staleMinutes: number | undefined;
  if (options.staleReplicaTimeout !== undefined) {
    staleMinutes = wholeMinutes(options.staleReplicaTimeout);
    if (staleMinutes === undefined) problems.push(`${p}: staleReplicaTimeout must be a whole number of minutes ≥ 1, e.g. Duration.minutes(30)`);
  }
  problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS]));
  const parameters: { [key: string]: string } = {
    numberOfReplicas: String(replicas),
    dataLocality: locality,
    fsType: options.fsType ?? FsType.EXT4,
  };
  if (staleMinutes !== undefined) parameters.staleReplicaTimeout = String(staleMinutes);
  if (options.diskSelector?.length) parameters.diskSelector = options.diskSelector.join(',');
  if (options.nodeSelector?.length) parameters.nodeSelector = options.nodeSelector.join(',');
  if (options.encryptionSecret) {
    parameters.encrypted = 'true';
    Object.assign(parameters,
      secretParams(problems, `${p}: encryptionSecret`, 'csi.storage.k8s.io/provisioner-secret', options.encryptionSecret),
      secretParams(problems, `${p}: encryptionSecret`, 'csi.storage.k8s.io/node-publish-secret', options.encryptionSecret),
      secretParams(problems, `${p}: encryptionSecret`, 'csi.storage.k8s.io/node-stage-secret', options.encryptionSecret),
      // The kubelet needs the key to resize the LUKS device when an encrypted volume grows
      // (CSINodeExpandSecret, beta and on in 1.27+); Longhorn's volume-encryption docs list it.
      secretParams(problems, `${p}: encryptionSecret`, 'csi.storage.k8s.io/node-expand-secret', options.encryptionSecret));
  }
  return profileSpec('StorageProfileLonghornInvalid', { provisioner: 'driver.longhorn.io', parameters, supportsExpansion: true }, problems);
}
