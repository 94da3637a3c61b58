// "Pick a storage class" and "Use local NVMe disks": a Redis cache on node-local NVMe disks
// (a static LocalVolumePool: one PersistentVolume per disk) and a Redis queue on encrypted AWS
// EBS gp3 volumes that can grow in place (expandable: the claims are written out, so raising
// `size` expands the disks on the next apply).
import { Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AntiAffinity, EbsVolumeType, LocalVolumePool, StatefulWorkload, StorageClass, StorageProfile,
} from 'cdk8s-stateful';

/** Official image, pinned. It runs as any uid; /data is the only path it writes. */
const REDIS_IMAGE = 'docker.io/library/redis:7.4.1';

export class StorageExampleChart extends Chart {
  public readonly pool: LocalVolumePool;
  public readonly gp3: StorageClass;
  public readonly cache: StatefulWorkload;
  public readonly queue: StatefulWorkload;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'storage-example' });

    // Three nodes with one NVMe disk each, mounted by filesystem UUID (see docs/storage.md).
    this.pool = new LocalVolumePool(this, 'local-nvme', {
      disks: [
        { node: 'ip-10-0-1-17', path: '/mnt/disks/6f1d4c2a-8e0b-4f61-9a35-0c8f2b7e91d4', capacity: Size.gibibytes(370) },
        { node: 'ip-10-0-2-23', path: '/mnt/disks/0b93e7aa-51c2-4d0e-b0f7-6a2d8e4c1f35', capacity: Size.gibibytes(370) },
        { node: 'ip-10-0-3-41', path: '/mnt/disks/c47a1e90-2d3b-4b8f-8e61-f5a09d7c3b28', capacity: Size.gibibytes(370) },
      ],
    });

    this.cache = new StatefulWorkload(this, 'cache', {
      appName: 'redis',
      component: 'cache',
      version: '7.4.1',
      image: REDIS_IMAGE,
      replicas: 3,
      args: ['--appendonly', 'yes', '--dir', '/data'],
      ports: [{ name: 'redis', port: 6379 }],
      dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(300), storageClass: this.pool.storageClass } },
      // One pod per node: each node holds one disk.
      placement: { antiAffinity: AntiAffinity.HARD },
    });

    this.gp3 = new StorageClass(this, 'gp3-encrypted', {
      profile: StorageProfile.awsEbs({ type: EbsVolumeType.GP3, iops: 6000, throughputMibps: 250 }),
    });

    this.queue = new StatefulWorkload(this, 'queue', {
      appName: 'redis',
      component: 'queue',
      version: '7.4.1',
      image: REDIS_IMAGE,
      replicas: 2,
      args: ['--appendonly', 'yes', '--dir', '/data'],
      ports: [{ name: 'redis', port: 6379 }],
      dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(50), storageClass: this.gp3, expandable: true } },
    });
  }
}
