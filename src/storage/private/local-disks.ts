// The disks of a LocalVolumePool and their static PersistentVolumes: not re-exported from index.ts.
import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { sizeError } from '../../core/api-rules';
import { ValidationError } from '../../core/errors';
import { clusterScoped } from '../../core/kit/cluster-scoped';
import { isLabelValue } from '../../core/labels';
import { isDns1123Subdomain, shortHash } from '../../core/naming';
import { kibibytes, sizeToQuantity } from '../../core/units';
import { AccessMode, VolumeMode } from '../../core/workload/volumes';
import { LocalDisk, LocalDiskSet } from '../local-volume-options';

/** One disk, validated, with its capacity in KiB. */
export interface Disk {
  readonly node: string;
  readonly path: string;
  readonly kib: number;
  readonly capacity: Size;
  readonly volumeMode: VolumeMode;
  readonly name?: string;
}

const HOSTNAME = 'kubernetes.io/hostname';

/** Most disks one pool declares: each is a PersistentVolume written into the output. */
export const MAX_DISKS = 10000;

/** `disks` and `diskSets` as one validated list, in that order. */
export function collectDisks(scope: Construct, disks: LocalDisk[], diskSets: LocalDiskSet[], defaultMode: VolumeMode): Disk[] {
  const out: Disk[] = [];
  const add = (node: string, path: string, capacity: Size, volumeMode: VolumeMode | undefined, name?: string) => {
    if (!node || !isLabelValue(node)) {
      throw new ValidationError('LocalVolumePoolDiskNodeInvalid',
        `disk node '${node}' is not a kubernetes.io/hostname label value (at most 63 letters, digits, '-', '_' and '.')`, scope);
    }
    if (!path.startsWith('/') || /\s/.test(path) || path.split('/').includes('..')) {
      throw new ValidationError('LocalVolumePoolDiskPathInvalid',
        `disk path '${path}' on node '${node}' must be an absolute path without spaces or '..', e.g. /mnt/disks/<fs-uuid>`, scope);
    }
    const kib = kibibytes(capacity);
    if (sizeError('capacity', capacity, 1024)) {
      throw new ValidationError('LocalVolumePoolDiskCapacityInvalid',
        `disk ${node}:${path} has capacity ${Number.isFinite(kib) ? sizeToQuantity(capacity) : String(kib)}; give at least 1Mi and at most 1Pi, e.g. Size.gibibytes(370)`, scope);
    }
    if (out.length >= MAX_DISKS) {
      throw new ValidationError('LocalVolumePoolDisksTooMany', `a pool holds at most ${MAX_DISKS} disks (one PersistentVolume each); split the disks over several pools`, scope);
    }
    if (out.some((d) => d.node === node && d.path === path)) {
      throw new ValidationError('LocalVolumePoolDiskDuplicate', `disk ${node}:${path} is listed twice; list each disk once`, scope);
    }
    out.push({ node, path, kib, capacity, volumeMode: volumeMode ?? defaultMode, name });
  };
  for (const d of disks) add(d.node, d.path, d.capacity, d.volumeMode, d.name);
  for (const s of diskSets) {
    if (s.nodes.length * s.paths.length > MAX_DISKS) {
      throw new ValidationError('LocalVolumePoolDisksTooMany',
        `a disk set of ${s.nodes.length} nodes × ${s.paths.length} paths is more than the ${MAX_DISKS} disks a pool holds; split the disks over several pools`, scope);
    }
    if (!s.nodes.length || !s.paths.length) throw new ValidationError('LocalVolumePoolDiskSetEmpty', 'a disk set needs at least one node and one path', scope);
    for (const n of s.nodes) for (const p of s.paths) add(n, p, s.capacity, s.volumeMode);
  }
  return out;
}

/** One PersistentVolume per disk, in disk order, pinned to the disk's node. */
export function newPersistentVolumes(
  scope: Construct, className: string, disks: Disk[], labels: { [key: string]: string }, reclaimPolicy: string,
): k8s.KubePersistentVolume[] {
  const names = new Set<string>();
  return disks.map((d) => {
    const pvName = d.name ?? derivedPvName(className, d);
    if (!isDns1123Subdomain(pvName)) {
      throw new ValidationError('LocalVolumePoolVolumeNameInvalid',
        `PersistentVolume name '${pvName}' for ${d.node}:${d.path} is not a DNS-1123 subdomain; give the disk a 'name'`, scope);
    }
    if (names.has(pvName)) {
      throw new ValidationError('LocalVolumePoolVolumeNameDuplicate', `two disks map to PersistentVolume name '${pvName}'; give one of them a 'name'`, scope);
    }
    names.add(pvName);
    return clusterScoped(new k8s.KubePersistentVolume(scope, `Volume-${pvName}`, {
      metadata: { name: pvName, labels },
      spec: {
        capacity: { storage: k8s.Quantity.fromString(sizeToQuantity(d.capacity)) },
        volumeMode: d.volumeMode,
        accessModes: [AccessMode.READ_WRITE_ONCE],
        persistentVolumeReclaimPolicy: reclaimPolicy,
        storageClassName: className,
        local: { path: d.path },
        // Required for local volumes: the scheduler places the pod on the disk's node.
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME, operator: 'In', values: [d.node] }] }] } },
      },
    }));
  });
}

/**
 * `<class>-<node>-<path>` when that is a valid name, as it always was (a PV name must never
 * change under a disk). Otherwise (a path with a `.`-led segment such as `/mnt/disks/.nvme`,
 * `/`, or over 253 characters, which `diskSets` could not name by hand) a readable prefix plus
 * a hash of the exact node and path: deterministic, unique, and a DNS-1123 subdomain.
 */
function derivedPvName(className: string, d: Disk): string {
  const readable = `${className}-${toSubdomainPart(d.node)}-${toSubdomainPart(d.path)}`;
  if (isDns1123Subdomain(readable)) return readable;
  const hash = shortHash(`${d.node}\0${d.path}`, 10);
  const words = `${d.node}-${d.path}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const room = 253 - className.length - hash.length - 2;
  const middle = room > 0 ? words.slice(0, room).replace(/-+$/, '') : '';
  return middle ? `${className}-${middle}-${hash}` : `${className}-${hash}`;
}

/** A DNS-1123 subdomain built from free text: lower-case, runs of other characters become '-'. */
function toSubdomainPart(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/\.+/g, '.').replace(/^[-.]+|[-.]+$/g, '');
}
