import { FsType } from './common';
import { FSTYPE, ProfileSpec, fsTypeIn, profileSpec } from '../private/profile-rules';

/** Options of `StorageProfile.topolvm()`. */
export interface TopolvmOptions {
  /** TopoLVM device class (`topolvm.io/device-class`). @default - the default device class */
  readonly deviceClass?: string;
  /** @default FsType.XFS */
  readonly fsType?: FsType;
}

/** Parameters and rule checks of `StorageProfile.topolvm()`. */
export function topolvmProfile(options: TopolvmOptions): ProfileSpec {
  const p = 'topolvm';
  const problems: Array<string | undefined> = [];
  problems.push(fsTypeIn(p, options.fsType, [FsType.XFS, FsType.EXT4, FsType.BTRFS]));
  if (options.deviceClass !== undefined && !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/i.test(options.deviceClass)) {
    problems.push(`${p}: deviceClass '${options.deviceClass}' is not a device class name from the lvmd configuration`);
  }
  const parameters: { [key: string]: string } = { [FSTYPE]: options.fsType ?? FsType.XFS };
  if (options.deviceClass !== undefined) parameters['topolvm.io/device-class'] = options.deviceClass;
  return profileSpec('StorageProfileTopolvmInvalid', { provisioner: 'topolvm.io', parameters, supportsExpansion: true }, problems);
}
