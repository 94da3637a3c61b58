import { ProfileSpec, profileSpec } from '../private/profile-rules';

/** The provisioner of hand-made local PersistentVolumes. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** `StorageProfile.localStatic()`: no dynamic provisioning, no expansion, no parameters. */
export function localStaticProfile(): ProfileSpec {
  return profileSpec('StorageProfileLocalStaticInvalid', { provisioner: NO_PROVISIONER, parameters: {}, supportsExpansion: false }, []);
}
