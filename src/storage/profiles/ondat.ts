import { FsType, SecretReference } from './common';
import { FSTYPE, ProfileSpec, checkInt, fsTypeIn, profileSpec, secretParams } from '../private/profile-rules';

/** Options of `StorageProfile.ondat()`. */
export interface OndatOptions {
  /** Replicas of each volume besides the primary, 0–5 (`storageos.com/replicas`). @default 1 */
  readonly replicas?: number;
  /** Encrypt volumes at rest (`storageos.com/encryption`). @default false */
  readonly encryption?: boolean;
  /**
   * Compress data. Ondat's key is `storageos.com/nocompress` (there is no `compression` key), so
   * `compression: false` writes `nocompress: "true"`.
   * @default - Ondat's default
   */
  readonly compression?: boolean;
  /** Spread replicas over failure domains (`storageos.com/topology-aware`). @default false */
  readonly topologyAware?: boolean;
  /** API credentials. @default - Secret `storageos-api` in namespace `storageos` */
  readonly apiSecret?: SecretReference;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/** Parameters and rule checks of `StorageProfile.ondat()`. */
export function ondatProfile(options: OndatOptions): ProfileSpec {
  const p = 'ondat';
  const problems: Array<string | undefined> = [];
  const replicas = options.replicas ?? 1;
  problems.push(checkInt(`${p}: replicas`, replicas, 0, 5));
  problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS]));
  const secret = options.apiSecret ?? { name: 'storageos-api', namespace: 'storageos' };
  const parameters: { [key: string]: string } = {
    ...secretParams(problems, `${p}: apiSecret`, 'csi.storage.k8s.io/secret', secret),
    'storageos.com/replicas': String(replicas),
    [FSTYPE]: options.fsType ?? FsType.EXT4,
  };
  if (options.encryption) parameters['storageos.com/encryption'] = 'true';
  if (options.compression !== undefined) parameters['storageos.com/nocompress'] = String(!options.compression);
  if (options.topologyAware) parameters['storageos.com/topology-aware'] = 'true';
  return profileSpec('StorageProfileOndatInvalid', { provisioner: 'csi.storageos.com', parameters, supportsExpansion: true }, problems);
}
