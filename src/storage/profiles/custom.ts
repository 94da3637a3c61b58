import { isQualifiedName } from '../../core/labels';
import { ProfileSpec, profileSpec } from '../private/profile-rules';

/** Options of `StorageProfile.custom()`. */
export interface CustomProfileOptions {
  /** Topology key the driver reports zones under, for `zones`. @default - the class cannot take zones */
  readonly zoneTopologyKey?: string;
  /** Whether the driver can expand volumes. @default true */
  readonly supportsExpansion?: boolean;
}

/**
 * What the API server accepts as `StorageClass.provisioner`: a qualified name of the lower-cased
 * value (ValidateStorageClass → validateProvisioner → ValidateQualifiedName), so CSI names
 * (`ebs.csi.aws.com`) and external provisioners with a prefix (`rancher.io/local-path`,
 * `openebs.io/local`, `k8s-sigs.io/nfs-subdir-external-provisioner`) are both valid.
 */
function isProvisionerName(provisioner: string): boolean {
  return isQualifiedName(provisioner.toLowerCase());
}

/** Parameters and rule checks of `StorageProfile.custom()`. */
export function customProfile(provisioner: string, parameters: { [key: string]: string }, options: CustomProfileOptions): ProfileSpec {
  const problems: Array<string | undefined> = [];
  if (!isProvisionerName(provisioner)) {
    problems.push(`custom: provisioner '${provisioner}' is not a provisioner name: a CSI driver name such as 'nfs.csi.k8s.io', or '<domain>/<name>' such as 'rancher.io/local-path'`);
  }
  for (const k of Object.keys(parameters ?? {})) {
    if (!k) problems.push('custom: parameter keys must not be empty');
  }
  const key = options.zoneTopologyKey;
  if (key !== undefined && !isQualifiedName(key)) {
    problems.push(`custom: zoneTopologyKey '${key}' is not a node label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', ` +
      "e.g. 'topology.kubernetes.io/zone'");
  }
  return profileSpec('StorageProfileCustomInvalid', {
    provisioner,
    parameters: { ...parameters },
    supportsExpansion: options.supportsExpansion ?? true,
    zoneTopologyKey: options.zoneTopologyKey,
  }, problems, { allowEmptyValues: true });
}
