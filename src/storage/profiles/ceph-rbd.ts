import { FsType, SecretReference } from './common';
import { isDns1123Subdomain } from '../../core/naming';
import { FSTYPE, ProfileSpec, fsTypeIn, profileSpec, secretParams } from '../private/profile-rules';

/** RBD image features Ceph CSI can enable. */
export enum RbdImageFeature {
  /** Copy-on-write cloning (required). */
  LAYERING = 'layering',
  /** Exclusive lock (needed by object-map, journaling). */
  EXCLUSIVE_LOCK = 'exclusive-lock',
  /** Object map (needs exclusive-lock). */
  OBJECT_MAP = 'object-map',
  /** Fast diff (needs object-map). */
  FAST_DIFF = 'fast-diff',
  /** Deep flatten. */
  DEEP_FLATTEN = 'deep-flatten',
  /** Journaling, for RBD mirroring (needs exclusive-lock). */
  JOURNALING = 'journaling',
}

/** Options of `StorageProfile.cephRbd()`. */
export interface CephRbdOptions {
  /** The RBD pool that stores the images. */
  readonly pool: string;
  /**
   * Namespace of the Rook operator: the provisioner is `<namespace>.rbd.csi.ceph.com`.
   * @default 'rook-ceph'
   */
  readonly operatorNamespace?: string;
  /**
   * Ceph cluster id (with Rook: the CephCluster's namespace).
   * @default 'rook-ceph'
   */
  readonly clusterId?: string;
  /** Erasure-coded data pool, with `pool` holding the metadata. @default - none */
  readonly dataPool?: string;
  /** @default [RbdImageFeature.LAYERING] */
  readonly imageFeatures?: RbdImageFeature[];
  /** @default - Secret `rook-csi-rbd-provisioner` in the cluster id namespace */
  readonly provisionerSecret?: SecretReference;
  /** @default - the provisioner secret */
  readonly controllerExpandSecret?: SecretReference;
  /** @default - Secret `rook-csi-rbd-node` in the cluster id namespace */
  readonly nodeStageSecret?: SecretReference;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

const PROVISIONER_SUFFIX = '.rbd.csi.ceph.com';

/** Parameters and rule checks of `StorageProfile.cephRbd()`. */
export function cephRbdProfile(options: CephRbdOptions): ProfileSpec {
  const p = 'cephRbd';
  const problems: Array<string | undefined> = [];
  const operatorNs = options.operatorNamespace ?? 'rook-ceph';
  const clusterId = options.clusterId ?? 'rook-ceph';
  if (!(isDns1123Subdomain(operatorNs) && operatorNs.length <= 63)) {
    problems.push(`${p}: operatorNamespace '${operatorNs}' is not a namespace name; use the namespace the Rook operator runs in, e.g. 'rook-ceph'`);
  } else if (operatorNs.length > 63 - PROVISIONER_SUFFIX.length) {
    // The provisioner '<namespace>.rbd.csi.ceph.com' is a qualified name: 63 characters at most.
    problems.push(`${p}: operatorNamespace '${operatorNs}' is ${operatorNs.length} characters, too long for the provisioner name '<namespace>${PROVISIONER_SUFFIX}' ` +
      `(at most 63); Rook's CSI driver name has the same limit, so use a namespace of at most ${63 - PROVISIONER_SUFFIX.length} characters`);
  }
  if (!options.pool) problems.push(`${p}: pool is required; give the CephBlockPool name, e.g. 'replicapool'`);
  if (!clusterId) problems.push(`${p}: clusterId must not be empty; with Rook it is the CephCluster namespace, e.g. 'rook-ceph'`);
  const features = options.imageFeatures ?? [RbdImageFeature.LAYERING];
  if (!features.includes(RbdImageFeature.LAYERING)) problems.push(`${p}: imageFeatures must include 'layering' (Ceph CSI needs it for clones and snapshots)`);
  const needsLock = [RbdImageFeature.OBJECT_MAP, RbdImageFeature.JOURNALING].filter((f) => features.includes(f));
  if (needsLock.length && !features.includes(RbdImageFeature.EXCLUSIVE_LOCK)) {
    problems.push(`${p}: imageFeatures ${needsLock.join(', ')} need 'exclusive-lock'; add RbdImageFeature.EXCLUSIVE_LOCK`);
  }
  if (features.includes(RbdImageFeature.FAST_DIFF) && !features.includes(RbdImageFeature.OBJECT_MAP)) {
    problems.push(`${p}: imageFeature 'fast-diff' needs 'object-map'; add RbdImageFeature.OBJECT_MAP`);
  }
  problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS]));
  const provisionerSecret = options.provisionerSecret ?? { name: 'rook-csi-rbd-provisioner', namespace: clusterId };
  const parameters: { [key: string]: string } = {
    clusterID: clusterId,
    pool: options.pool,
    imageFormat: '2',
    imageFeatures: features.join(','),
    ...secretParams(problems, `${p}: provisionerSecret`, 'csi.storage.k8s.io/provisioner-secret', provisionerSecret),
    ...secretParams(problems, `${p}: controllerExpandSecret`, 'csi.storage.k8s.io/controller-expand-secret', options.controllerExpandSecret ?? provisionerSecret),
    ...secretParams(problems, `${p}: nodeStageSecret`, 'csi.storage.k8s.io/node-stage-secret', options.nodeStageSecret ?? { name: 'rook-csi-rbd-node', namespace: clusterId }),
    [FSTYPE]: options.fsType ?? FsType.EXT4,
  };
  if (options.dataPool) parameters.dataPool = options.dataPool;
  return profileSpec('StorageProfileCephRbdInvalid', { provisioner: `${operatorNs}${PROVISIONER_SUFFIX}`, parameters, supportsExpansion: true }, problems);
}
