import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { ProfileSpec } from './private/profile-rules';
import { awsEbsProfile, AwsEbsOptions } from './profiles/aws-ebs';
import { azureDiskProfile, AzureDiskOptions } from './profiles/azure-disk';
import { cephRbdProfile, CephRbdOptions } from './profiles/ceph-rbd';
import { StorageProfileConfig } from './profiles/common';
import { customProfile, CustomProfileOptions } from './profiles/custom';
import { gcePdProfile, GcePdOptions } from './profiles/gce-pd';
import { localStaticProfile } from './profiles/local-static';
import { longhornProfile, LonghornOptions } from './profiles/longhorn';
import { ondatProfile, OndatOptions } from './profiles/ondat';
import { openebsLvmProfile, OpenEbsLvmOptions } from './profiles/openebs-lvm';
import { openebsZfsProfile, OpenEbsZfsOptions } from './profiles/openebs-zfs';
import { topolvmProfile, TopolvmOptions } from './profiles/topolvm';

/**
 * Which driver a StorageClass provisions with and how, with the driver's parameters typed and
 * validated against its documented rules. Each driver's options, parameters and rules live in
 * `profiles/<driver>.ts`.
 */
export class StorageProfile {
  /**
   * AWS EBS (`ebs.csi.aws.com`).
   * @see https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md
   */
  public static awsEbs(options: AwsEbsOptions = {}): StorageProfile {
    return new StorageProfile(awsEbsProfile(options));
  }

  /**
   * Google Compute Engine persistent disk and Hyperdisk (`pd.csi.storage.gke.io`).
   * @see https://github.com/kubernetes-sigs/gcp-compute-persistent-disk-csi-driver#createvolume-parameters
   */
  public static gcePd(options: GcePdOptions = {}): StorageProfile {
    return new StorageProfile(gcePdProfile(options));
  }

  /**
   * Azure managed disks (`disk.csi.azure.com`).
   * @see https://github.com/kubernetes-sigs/azuredisk-csi-driver/blob/master/docs/driver-parameters.md
   */
  public static azureDisk(options: AzureDiskOptions = {}): StorageProfile {
    return new StorageProfile(azureDiskProfile(options));
  }

  /**
   * Rook Ceph RBD block images (`<operator namespace>.rbd.csi.ceph.com`).
   * @see https://rook.io/docs/rook/latest/Storage-Configuration/Block-Storage-RBD/block-storage/
   */
  public static cephRbd(options: CephRbdOptions): StorageProfile {
    return new StorageProfile(cephRbdProfile(options));
  }

  /**
   * Longhorn (`driver.longhorn.io`).
   * @see https://longhorn.io/docs/latest/references/storage-class-parameters/
   */
  public static longhorn(options: LonghornOptions = {}): StorageProfile {
    return new StorageProfile(longhornProfile(options));
  }

  /**
   * OpenEBS LVM LocalPV (`local.csi.openebs.io`): node-local logical volumes, capacity-aware.
   * @see https://github.com/openebs/lvm-localpv/blob/develop/docs/storageclasses.md
   */
  public static openebsLvm(options: OpenEbsLvmOptions): StorageProfile {
    return new StorageProfile(openebsLvmProfile(options));
  }

  /**
   * OpenEBS ZFS LocalPV (`zfs.csi.openebs.io`): datasets or zvols on a node-local zpool.
   * @see https://github.com/openebs/zfs-localpv/blob/develop/docs/storageclasses.md
   */
  public static openebsZfs(options: OpenEbsZfsOptions): StorageProfile {
    return new StorageProfile(openebsZfsProfile(options));
  }

  /**
   * TopoLVM (`topolvm.io`): node-local LVM with capacity-aware scheduling.
   * @see https://github.com/topolvm/topolvm/blob/main/docs/user-manual.md
   */
  public static topolvm(options: TopolvmOptions = {}): StorageProfile {
    return new StorageProfile(topolvmProfile(options));
  }

  /**
   * Ondat, formerly StorageOS (`csi.storageos.com`).
   * @see https://docs.ondat.io/docs/reference/labels/
   */
  public static ondat(options: OndatOptions = {}): StorageProfile {
    return new StorageProfile(ondatProfile(options));
  }

  /**
   * Hand-made local PersistentVolumes (`kubernetes.io/no-provisioner`): no dynamic provisioning,
   * no expansion, and only the Retain reclaim policy. `LocalVolumePool` builds on it.
   * @see https://kubernetes.io/docs/concepts/storage/storage-classes/#local
   */
  public static localStatic(): StorageProfile {
    return new StorageProfile(localStaticProfile());
  }

  /** Any other driver, with its parameters as the driver documents them. */
  public static custom(provisioner: string, parameters: { [key: string]: string } = {}, options: CustomProfileOptions = {}): StorageProfile {
    return new StorageProfile(customProfile(provisioner, parameters, options));
  }

  private constructor(private readonly spec: ProfileSpec) {}

  /** The CSI driver (provisioner) name. */
  public get provisioner(): string {
    return this.spec.config.provisioner;
  }

  /**
   * Resolve the profile for a StorageClass: throws a ValidationError scoped to `scope` for the
   * first parameter that breaks the driver's rules.
   */
  public bind(scope: IConstruct): StorageProfileConfig {
    const problem = this.spec.problems.find((x) => x !== undefined);
    if (problem) throw new ValidationError(this.spec.code, problem, scope);
    return { ...this.spec.config, parameters: { ...this.spec.config.parameters } };
  }

  /** @internal The driver's rules for one volume of a known size in GiB, if it has any. */
  public get _volumeProblem(): ((gib: number) => string | undefined) | undefined {
    return this.spec.volumeProblem;
  }

  /** Fewest zones `zones` must list (regional disks replicate across two). */
  public get minimumZones(): number {
    return this.spec.minZones;
  }
}
