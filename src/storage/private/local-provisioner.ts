// Discovery mode of a LocalVolumePool: sig-storage-local-static-provisioner v2.9.0 and its
// optional node-cleanup controller, as the upstream chart writes them. Not re-exported.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { isWithin, labelsError, normalizeMountPath } from '../../core/api-rules';
import { ValidationError } from '../../core/errors';
import { clusterScoped } from '../../core/kit/cluster-scoped';
import { isLabelValue, isQualifiedName, RecommendedLabels } from '../../core/labels';
import { Names, shortHash } from '../../core/naming';
import { Toleration, tolerationToKube } from '../../core/workload/scheduling';
import { VolumeMode } from '../../core/workload/volumes';
import { BlockCleaner, LocalVolumeDiscoveryOptions } from '../local-volume-options';

const PROVISIONER_IMAGE = 'registry.k8s.io/sig-storage/local-volume-provisioner:v2.9.0';
const NODE_CLEANUP_IMAGE = 'registry.k8s.io/sig-storage/local-volume-node-cleanup:v2.9.0';
const CONFIG_DIR = '/etc/provisioner/config';

/** A ClusterRole and its binding to a ServiceAccount. */
export interface ClusterAccess {
  readonly clusterRole: k8s.KubeClusterRole;
  readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
}

/** The node-cleanup controller's objects. */
export interface NodeCleanupObjects extends ClusterAccess {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly deployment: k8s.KubeDeployment;
}

/** The provisioner's objects. */
export interface ProvisionerObjects extends ClusterAccess {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly configMap: k8s.KubeConfigMap;
  readonly daemonSet: k8s.KubeDaemonSet;
  readonly nodeCleanup?: NodeCleanupObjects;
}

/** Labels of the pool's objects of one component. */
export function poolLabels(className: string, component: string): RecommendedLabels {
  return new RecommendedLabels({ appName: 'local-volume-pool', instance: className, component });
}

/** Validates the discovery options and writes the provisioner (and node cleanup) objects. */
export function newProvisioner(scope: Construct, className: string, volumeMode: VolumeMode, o: LocalVolumeDiscoveryOptions): ProvisionerObjects {
  const hostDir = o.hostDir ?? '/mnt/disks';
  const mountDir = o.mountDir ?? hostDir;
  const namePattern = o.namePattern ?? '*';
  checkDirs(scope, hostDir, mountDir, namePattern);
  if (typeof namePattern !== 'string' || !namePattern || namePattern.includes('/') || /\[[^\]]*$/.test(namePattern) || /\\$/.test(namePattern)) {
    throw new ValidationError('LocalVolumePoolDiscoveryNamePatternInvalid',
      `discovery.namePattern '${namePattern}' is not a file name glob (non-empty, no '/', brackets closed), e.g. 'nvme*'`, scope);
  }
  const selectorError = labelsError('discovery.nodeSelector', o.nodeSelector);
  if (selectorError) throw new ValidationError('LocalVolumePoolDiscoveryNodeSelectorInvalid', selectorError, scope);
  for (const t of o.tolerations ?? []) {
    const e = tolerationError(t);
    if (e) throw new ValidationError('LocalVolumePoolDiscoveryTolerationInvalid', `discovery.tolerations: ${e}`, scope);
  }
  for (const [k, v] of [['image', o.image], ['nodeCleanupImage', o.nodeCleanupImage]] as const) {
    if (v !== undefined && (typeof v !== 'string' || !v || /\s/.test(v))) {
      throw new ValidationError('LocalVolumePoolDiscoveryImageInvalid', `discovery.${k} '${v}' is not an image reference; give e.g. '${k === 'image' ? PROVISIONER_IMAGE : NODE_CLEANUP_IMAGE}'`, scope);
    }
  }
  if (o.fsType !== undefined && volumeMode === VolumeMode.BLOCK) {
    throw new ValidationError('LocalVolumePoolFsTypeWithBlock',
      'discovery.fsType formats block devices consumed as Filesystem volumes; with volumeMode Block leave it out', scope);
  }
  const passes = o.blockCleaner?.passCount;
  if (passes !== undefined && (!Number.isInteger(passes) || passes < 1 || passes > 10)) {
    throw new ValidationError('LocalVolumePoolBlockCleanerPassesInvalid', `blockCleaner passes must be a whole number from 1 to 10, got ${passes}`, scope);
  }
  const namespace = o.namespace ?? 'kube-system';
  Names.assertDns1123Label(scope, 'discovery.namespace', namespace);
  const base = `${className}-provisioner`;
  if (base.length > 63 - '-node-cleanup'.length) {
    throw new ValidationError('LocalVolumePoolNameTooLong',
      `storageClassName '${className}' is too long to name the provisioner objects; use at most ${63 - '-provisioner-node-cleanup'.length} characters`, scope);
  }

  // storageClassMap as in the upstream chart's configmap.yaml; JSON strings are valid YAML scalars.
  const q = JSON.stringify;
  const lines = [
    `${className}:`,
    `  hostDir: ${q(hostDir)}`,
    `  mountDir: ${q(mountDir)}`,
    `  volumeMode: ${volumeMode}`,
    ...(o.fsType ? [`  fsType: ${o.fsType}`] : []),
    `  namePattern: ${q(namePattern)}`,
    '  blockCleanerCommand:',
    ...(o.blockCleaner ?? BlockCleaner.quickReset()).command.map((c) => `    - ${q(c)}`),
  ];
  const storageClassMap = lines.join('\n') + '\n';
  const recommended = poolLabels(className, 'provisioner');
  const labels = recommended.stable;

  const serviceAccount = new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name: base, namespace, labels } });
  const configMap = new k8s.KubeConfigMap(scope, 'Config', {
    metadata: { name: `${base}-config`, namespace, labels },
    data: { storageClassMap },
  });
  // Rules: docs/provisioner.md (PVs, storage classes, events, nodes).
  const access = newClusterAccess(scope, '', base, labels, serviceAccount, [
    { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['watch', 'create', 'update', 'patch'] },
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'update'] },
  ]);

  const image = o.image ?? PROVISIONER_IMAGE;
  const tolerations = (o.tolerations ?? []).map(tolerationToKube);
  const daemonSet = new k8s.KubeDaemonSet(scope, 'DaemonSet', {
    metadata: { name: base, namespace, labels },
    spec: {
      selector: { matchLabels: recommended.selector },
      template: {
        metadata: {
          labels,
          // Roll the pods when the class map changes (the provisioner reads it at start).
          annotations: { 'checksum/config': shortHash(storageClassMap, 64) },
        },
        spec: {
          serviceAccountName: serviceAccount.name,
          nodeSelector: { 'kubernetes.io/os': 'linux', ...(o.nodeSelector ?? {}) },
          tolerations: tolerations.length ? tolerations : undefined,
          containers: [{
            name: 'provisioner',
            image,
            imagePullPolicy: 'IfNotPresent',
            // Privileged: it formats, wipes and inspects host block devices.
            securityContext: { privileged: true },
            env: [
              { name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'MY_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'JOB_CONTAINER_IMAGE', value: image },
            ],
            ports: [{ name: 'metrics', containerPort: 8080 }],
            volumeMounts: [
              { name: 'provisioner-config', mountPath: CONFIG_DIR, readOnly: true },
              { name: 'provisioner-dev', mountPath: '/dev' },
              // HostToContainer: disks mounted on the host after the pod started become visible.
              { name: 'disks', mountPath: mountDir, mountPropagation: 'HostToContainer' },
            ],
          }],
          volumes: [
            { name: 'provisioner-config', configMap: { name: configMap.name } },
            { name: 'provisioner-dev', hostPath: { path: '/dev' } },
            { name: 'disks', hostPath: { path: hostDir } },
          ],
        },
      },
    },
  });

  const nodeCleanup = o.nodeCleanup ? newNodeCleanup(scope, className, base, namespace, o.nodeCleanupImage ?? NODE_CLEANUP_IMAGE) : undefined;
  return { serviceAccount, configMap, ...access, daemonSet, nodeCleanup };
}

/**
 * Host directories whose entries must never become volumes: the provisioner offers every entry of
 * `hostDir` as a disk, and with reclaim Delete it wipes it. `hostDir` may be none of these, nor
 * an ancestor of one, nor inside one (except below /dev, with a `namePattern` that picks devices).
 */
const SYSTEM_HOST_DIRS = ['/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root', '/run', '/sbin',
  '/srv', '/sys', '/tmp', '/usr', '/var', '/var/lib/containerd', '/var/lib/docker', '/var/lib/etcd', '/var/lib/kubelet', '/var/log', '/var/run'];
const NEVER_INSIDE_HOST = SYSTEM_HOST_DIRS.filter((d) => !['/dev', '/home', '/opt', '/srv', '/tmp', '/var', '/run', '/var/run', '/var/log'].includes(d));
/** Paths the provisioner container needs: `mountDir` must not be, contain or sit inside one. */
const CONTAINER_DIRS = ['/bin', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run/secrets', '/sbin', '/scripts', '/sys', '/usr', '/var/run/secrets'];

/** `hostDir` and `mountDir` as the provisioner can safely use them (see the lists above). */
function checkDirs(scope: Construct, hostDir: string, mountDir: string, namePattern: string): void {
  const normal: { [k: string]: string } = {};
  for (const [k, v] of [['hostDir', hostDir], ['mountDir', mountDir]]) {
    const n = typeof v === 'string' && !/\s/.test(v) ? normalizeMountPath(`discovery.${k}`, v) : { error: 'white space' };
    if (n.error) {
      throw new ValidationError('LocalVolumePoolDiscoveryDirInvalid',
        `discovery.${k} '${v}' must be an absolute directory other than '/', without '..' or white space, e.g. /mnt/disks`, scope);
    }
    normal[k] = n.path!;
  }
  const host = normal.hostDir;
  const sys = SYSTEM_HOST_DIRS.find((d) => isWithin(d, host)) ?? NEVER_INSIDE_HOST.find((d) => isWithin(host, d));
  if (sys) {
    throw new ValidationError('LocalVolumePoolDiscoveryDirInvalid',
      `discovery.hostDir '${hostDir}' is or contains the system directory ${sys}: the provisioner would offer its entries as volumes and, with reclaim Delete, wipe them; ` +
        'mount the disks under a directory of their own, e.g. /mnt/disks', scope);
  }
  if (isWithin(host, '/dev') && namePattern === '*') {
    throw new ValidationError('LocalVolumePoolDiscoveryDirInvalid',
      `discovery.hostDir '${hostDir}' is under /dev and namePattern is '*': every device there (the OS disk too) would become a volume; ` +
        "set namePattern to the devices to offer (e.g. 'nvme-Amazon_EC2_NVMe_Instance_Storage_*') and mountDir outside /dev, or symlink them into /mnt/disks", scope);
  }
  const mount = normal.mountDir;
  const clash = CONTAINER_DIRS.find((d) => isWithin(d, mount) || isWithin(mount, d)) ?? (isWithin(CONFIG_DIR, mount) ? CONFIG_DIR : undefined);
  if (clash) {
    throw new ValidationError('LocalVolumePoolDiscoveryDirInvalid',
      `discovery.mountDir '${mountDir}' is, contains or sits inside ${clash}, which the provisioner container needs; use a directory of its own, e.g. /mnt/disks`, scope);
  }
}

/** Error text unless the API server accepts the toleration (as the workload's placement checks). */
function tolerationError(t: Toleration): string | undefined {
  if (typeof t.key !== 'string') return `key '${t.key}' is not a string`;
  if (t.key === '' && t.value !== undefined) return `a toleration with an empty key matches every taint and cannot have a value ('${t.value}'); give the taint's key`;
  if (t.key !== '' && !isQualifiedName(t.key)) return `key '${t.key}' is not a taint key (a label key: optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.')`;
  if (t.value !== undefined && !isLabelValue(t.value)) return `value '${t.value}' of key '${t.key}' is not a taint value (at most 63 letters, digits, '-', '_' and '.')`;
  return undefined;
}

/** The node-cleanup controller, as the upstream chart's node-cleanup-controller templates. */
function newNodeCleanup(scope: Construct, className: string, base: string, namespace: string, image: string): NodeCleanupObjects {
  const name = `${base}-node-cleanup`;
  const recommended = poolLabels(className, 'node-cleanup-controller');
  const labels = recommended.stable;
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'NodeCleanupServiceAccount', { metadata: { name, namespace, labels } });
  const access = newClusterAccess(scope, 'NodeCleanup', name, labels, serviceAccount, [
    { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'delete'] },
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'delete'] },
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  ]);
  const deployment = new k8s.KubeDeployment(scope, 'NodeCleanup', {
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: recommended.selector },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: serviceAccount.name,
          containers: [{
            name: 'node-cleanup-controller',
            image,
            imagePullPolicy: 'IfNotPresent',
            args: [`--storageclass-names=${className}`, '--pvc-deletion-delay=60s', '--stale-pv-discovery-interval=10s'],
            ports: [{ name: 'metrics', containerPort: 8080 }],
            // It only talks to the API server.
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          }],
        },
      },
    },
  });
  return { serviceAccount, ...access, deployment };
}

/** A ClusterRole `name` with `rules`, bound to the ServiceAccount (ids `<idPrefix>ClusterRole[Binding]`). */
function newClusterAccess(
  scope: Construct, idPrefix: string, name: string, labels: { [key: string]: string }, sa: k8s.KubeServiceAccount, rules: k8s.PolicyRule[],
): ClusterAccess {
  const clusterRole = clusterScoped(new k8s.KubeClusterRole(scope, `${idPrefix}ClusterRole`, { metadata: { name, labels }, rules }));
  const clusterRoleBinding = clusterScoped(new k8s.KubeClusterRoleBinding(scope, `${idPrefix}ClusterRoleBinding`, {
    metadata: { name, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.name },
    subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.metadata.namespace }],
  }));
  return { clusterRole, clusterRoleBinding };
}
