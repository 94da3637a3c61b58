import { FsType } from './common';
import { ProfileSpec, fsTypeIn, profileSpec } from '../private/profile-rules';

/** Options of `StorageProfile.openebsLvm()`. Set exactly one of volumeGroup and volumeGroupPattern. */
export interface OpenEbsLvmOptions {
  /** LVM volume group on every node (`volgroup`). @default - none */
  readonly volumeGroup?: string;
  /** Regular expression of volume groups to choose from (`vgpattern`). @default - none */
  readonly volumeGroupPattern?: string;
  /** Thin-provisioned logical volumes. @default false */
  readonly thinProvision?: boolean;
  /** @default FsType.EXT4 */
  readonly fsType?: FsType;
}

/** Parameters and rule checks of `StorageProfile.openebsLvm()`. */
export function openebsLvmProfile(options: OpenEbsLvmOptions): ProfileSpec {
  const p = 'openebsLvm';
  const problems: Array<string | undefined> = [];
  if ((options.volumeGroup === undefined) === (options.volumeGroupPattern === undefined)) {
    problems.push(`${p}: set exactly one of volumeGroup (e.g. 'lvmvg') and volumeGroupPattern (e.g. 'lvmvg.*')`);
  }
  if (options.volumeGroupPattern !== undefined) {
    try {
      new RegExp(options.volumeGroupPattern);
    } catch {
      problems.push(`${p}: volumeGroupPattern '${options.volumeGroupPattern}' is not a regular expression`);
    }
  }
  problems.push(fsTypeIn(p, options.fsType, [FsType.EXT4, FsType.XFS, FsType.BTRFS]));
  const parameters: { [key: string]: string } = { storage: 'lvm', fsType: options.fsType ?? FsType.EXT4 };
  if (options.volumeGroup !== undefined) parameters.volgroup = options.volumeGroup;
  if (options.volumeGroupPattern !== undefined) parameters.vgpattern = options.volumeGroupPattern;
  if (options.thinProvision) parameters.thinProvision = 'yes';
  return profileSpec('StorageProfileOpenebsLvmInvalid', { provisioner: 'local.csi.openebs.io', parameters, supportsExpansion: true }, problems);
}
