import { createHash } from 'crypto';
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EtcdBackupOptions, EtcdDefragOptions } from './etcd-maintenance';
import { EtcdVersion } from './etcd-version';
import { isEnvVarName, sizeError } from '../core/api-rules';
import { defaultQuotaBytes, initialCluster, memberFlags, MIN_VOLUME_BYTES, quotaError } from './private/flags';
import { EtcdBackupJob, EtcdDefragJob } from './private/maintenance';
import { bindEtcdCa, serveEtcdTls } from './private/tls';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { IStatefulService, ServiceEndpoint } from '../core/kit/stateful-service';
import { Tls, TlsCertificate } from '../core/kit/tls';
import { Connections } from '../core/workload/connections';
import { HealthProbe } from '../core/workload/container';
import { AntiAffinity } from '../core/workload/scheduling';
import { StatefulWorkload } from '../core/workload/stateful-workload';
import { PodManagementPolicy } from '../core/workload/update-strategy';
import { IStorageClass } from '../core/workload/volumes';

/** Props of an EtcdCluster. */
export interface EtcdClusterProps {
  /** The release (and its pinned official image). @default EtcdVersion.V3_5_21 */
  readonly version?: EtcdVersion;
  /**
   * Members: an odd number (a majority of an even count tolerates no more failures than one
   * member fewer). Lowering it later needs `etcdctl member remove` first: see docs/etcd.md.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * Name of the StatefulSet (and prefix of its Services, claims and CronJobs).
   * @default - the construct id
   */
  readonly name?: string;
  /** Size of each member's data volume. @default Size.gibibytes(8) */
  readonly storageSize?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: IStorageClass;
  /**
   * `--quota-backend-bytes`: the database size at which etcd raises the NOSPACE alarm and
   * accepts only reads and deletes. At most half the data volume (a defragmentation writes a
   * second copy) and at most 8 GiB.
   * @default - 40% of storageSize in whole MiB, at most 8 GiB (3276 MiB for the default 8 GiB)
   * @see https://etcd.io/docs/v3.5/op-guide/maintenance/#space-quota
   */
  readonly quotaBackend?: Size;
  /**
   * Periodic auto-compaction keeps this much history (`--auto-compaction-retention`, whole hours).
   * @default Duration.hours(1)
   * @see https://etcd.io/docs/v3.5/op-guide/maintenance/#auto-compaction
   */
  readonly compactionRetention?: Duration;
  /** @default - 250m CPU requested, 1 CPU limited, 512 MiB memory requested and limited */
  readonly resources?: kplus.ContainerResources;
  /**
   * Spread members over nodes: a node holding two members takes the majority of a 3-member
   * cluster with it.
   * @default AntiAffinity.HARD (AntiAffinity.SOFT for a single member)
   */
  readonly antiAffinity?: AntiAffinity;
  /** The defragmentation CronJob. @default - weekly, Sundays 03:30 */
  readonly defrag?: EtcdDefragOptions;
  /** Snapshot backups to a volume of their own. @default - none */
  readonly backup?: EtcdBackupOptions;
  /**
   * TLS on the client and peer ports (peers authenticate each other by certificate; clients verify
   * the members with the CA). Renewed certificates are used without a restart (etcd reads the files
   * for every new connection). Needs the chart's namespace. See docs/etcd.md, "Encrypt traffic".
   * @default - plain HTTP
   */
  readonly tls?: Tls;
}

/** Options of `EtcdCluster.bind()`. */
export interface EtcdBindOptions {
  /** The env var that receives the endpoint. @default 'ETCD_ENDPOINTS' */
  readonly envName?: string;
  /**
   * With `tls`, for a workload in another namespace: a Secret there with the CA certificate under
   * the cluster certificate's `caKey`.
   * @default - the certificate's Secret (same namespace only)
   */
  readonly caSecret?: kplus.ISecret;
}

const CLIENT_PORT = 2379;
const PEER_PORT = 2380;
const METRICS_PORT = 2381;
const DATA_MOUNT = '/var/lib/etcd';
/** A sub directory: etcd wants its data dir 0700, and a volume root may hold lost+found. */
const DATA_DIR = `${DATA_MOUNT}/data`;
/** Static busybox (musl build): the shell that runs the join script in the distroless image. */
const TOOLS_IMAGE = 'docker.io/library/busybox:1.37.0-musl';

/**
 * An etcd cluster on a StatefulSet: static bootstrap from the members' stable DNS names, and a
 * start script (assets/etcd-join.sh) with which a member that lost its volume, or one added by
 * raising `replicas`, joins the running cluster by itself (`member remove`/`member add`, then
 * `--initial-cluster-state=existing`). Plain HTTP between members and clients unless `tls` is
 * set (docs/etcd.md, "Encrypt traffic").
 * @see https://etcd.io/docs/v3.5/op-guide/clustering/
 */
export class EtcdCluster extends Construct implements IStatefulService {
  /** The members' StatefulSet and its Services, PDB and NetworkPolicy. */
  public readonly workload: StatefulWorkload;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The client Service (every Ready member, port `client`). */
  public readonly clientService: k8s.KubeService;
  /** Ingress into the members: `cluster.connections.allowFrom(peer)`. */
  public readonly connections: Connections;
  /** The release. */
  public readonly version: EtcdVersion;
  /** Members at this synth. */
  public readonly replicas: number;
  /** `--quota-backend-bytes`. */
  public readonly quotaBackendBytes: number;
  /** The defragmentation CronJob, unless disabled. */
  public readonly defragCronJob?: k8s.KubeCronJob;
  /** The snapshot CronJob, when `backup` is set. */
  public readonly backupCronJob?: k8s.KubeCronJob;
  /** The claim the snapshots are written to, when `backup` is set. */
  public readonly backupClaim?: k8s.KubePersistentVolumeClaim;
  /** The members' certificate, when `tls` is set. */
  public readonly tlsCertificate?: TlsCertificate;
  private readonly bindings: kplus.Workload[] = [];

  constructor(scope: Construct, id: string, props: EtcdClusterProps = {}) {
    super(scope, id);
    const name = props.name ?? id;
    this.version = props.version ?? EtcdVersion.V3_5_21;
    if (!this.version.supported) {
      throw new ValidationError('EtcdVersionInvalid', `version '${this.version.version}' is not an etcd release of the form x.y.z, 3.5.0 or later`, this);
    }
    const replicas = props.replicas ?? 3;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas % 2 === 0) {
      throw new ValidationError('EtcdReplicasInvalid',
        `replicas must be an odd whole number (1, 3, 5, 7), got ${replicas}: a majority of ${replicas} tolerates no more failures than one member fewer`, this);
    }
    this.replicas = replicas;
    const storageSize = props.storageSize ?? Size.gibibytes(8);
    const badStorage = sizeError('storageSize', storageSize, 1);
    if (badStorage) throw new ValidationError('EtcdStorageTooSmall', badStorage, this);
    const badQuotaSize = props.quotaBackend && sizeError('quotaBackend', props.quotaBackend, 1);
    if (badQuotaSize) throw new ValidationError('EtcdQuotaInvalid', badQuotaSize, this);
    const volumeBytes = storageSize.toKibibytes() * 1024;
    if (volumeBytes < MIN_VOLUME_BYTES) {
      throw new ValidationError('EtcdStorageTooSmall', `storageSize must be at least 1 GiB (the database, its WAL and a defragmentation copy), got ${volumeBytes} bytes`, this);
    }
    this.quotaBackendBytes = props.quotaBackend ? props.quotaBackend.toKibibytes() * 1024 : defaultQuotaBytes(volumeBytes);
    const badQuota = props.quotaBackend && quotaError(this.quotaBackendBytes, volumeBytes);
    if (badQuota) throw new ValidationError('EtcdQuotaInvalid', badQuota, this);
    const compaction = props.compactionRetention ?? Duration.hours(1);
    const hours = compaction.toHours({ integral: false });
    if (!Number.isInteger(hours) || hours < 1) {
      throw new ValidationError('EtcdCompactionInvalid', `compactionRetention must be a whole number of hours ≥ 1, got ${hours} h`, this);
    }

    this.workload = new StatefulWorkload(this, 'Resource', {
      name,
      appName: 'etcd',
      component: 'kv-store',
      version: this.version.version,
      image: this.version.image,
      // The join script execs /usr/local/bin/etcd with the args below.
      command: ['/tools/busybox', 'sh', '/scripts/etcd-join.sh'],
      replicas,
      // Members must resolve each other before any is Ready: start all at once and publish
      // not-ready addresses on the headless Service.
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      publishNotReadyAddresses: true,
      ports: [
        { name: 'client', port: CLIENT_PORT },
        { name: 'peer', port: PEER_PORT },
        { name: 'metrics', port: METRICS_PORT },
      ],
      env: {
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        CLIENT_PORT: kplus.EnvValue.fromValue(`${CLIENT_PORT}`),
        BUSYBOX: kplus.EnvValue.fromValue('/tools/busybox'),
      },
      resources: props.resources ?? {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
      },
      dataVolumes: { data: { mountPath: DATA_MOUNT, size: storageSize, storageClass: props.storageClass } },
      // Served on the metrics listener (3.5+): /readyz fails without a leader or while the
      // member is a learner; /livez only when the process is stuck.
      readiness: HealthProbe.httpGet('/readyz', METRICS_PORT),
      liveness: HealthProbe.httpGet('/livez', METRICS_PORT, { initialDelay: Duration.seconds(10), failureThreshold: 8 }),
      placement: { antiAffinity: props.antiAffinity ?? (replicas > 1 ? AntiAffinity.HARD : AntiAffinity.SOFT) },
    });
    const w = this.workload;
    this.statefulSet = w.statefulSet;
    this.node.defaultChild = w.statefulSet;
    w.volumes.addConfigFiles('scripts', { mountPath: '/scripts', files: { 'etcd-join.sh': loadAsset('etcd/assets/etcd-join.sh') } });
    const tools = w.volumes.addScratch('/tools');
    w.addInitContainer({
      name: 'tools',
      image: TOOLS_IMAGE,
      command: ['cp', '/bin/busybox', '/tools/busybox'],
      mounts: [{ volume: tools, mountPath: '/tools' }],
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) },
      },
    });
    // ---- TLS (issue 12): the members' certificate (private/tls.ts).
    const tls = props.tls && serveEtcdTls(this, props.tls, w);
    this.tlsCertificate = tls?.cert;
    const scheme = tls ? 'https' : 'http';
    const members = Array.from({ length: replicas }, (_, i) => ({ name: w.podName(i), peerHost: w.runtimeDnsName(w.podName(i)) }));
    // Deterministic and distinct per cluster, so two clusters never join each other.
    const token = createHash('sha256').update(this.node.path).digest('hex').slice(0, 16);
    w.addArgs(...memberFlags({
      dataDir: DATA_DIR,
      clientPort: CLIENT_PORT,
      peerPort: PEER_PORT,
      metricsPort: METRICS_PORT,
      selfHost: w.runtimeDnsName(),
      initialCluster: initialCluster(members, PEER_PORT, scheme),
      token: `etcd-${token}`,
      quotaBytes: this.quotaBackendBytes,
      compactionHours: hours,
      tls: tls?.files,
    }));
    this.clientService = w.services.add('client', { ports: ['client'] });
    this.connections = Connections.of(this, [w]);

    const endpoints = Array.from({ length: replicas }, (_, i) => `${scheme}://${w.runtimeDnsName(w.podName(i))}:${CLIENT_PORT}`);
    const ca = tls && { secretName: tls.cert.secretName, key: tls.cert.caKey };
    if (props.defrag?.enabled ?? true) {
      const defrag = new EtcdDefragJob(this, 'Defrag', { ...props.defrag, instance: name, endpoints, ca });
      this.defragCronJob = defrag.scriptJob.cronJob;
      w.connections.allowFromLabels(defrag.podSelector, ['client']);
    }
    if (props.backup) {
      const backup = new EtcdBackupJob(this, 'Backup', { ...props.backup, instance: name, endpoints, ca });
      this.backupCronJob = backup.scriptJob.cronJob;
      this.backupClaim = backup.claim;
      w.connections.allowFromLabels(backup.podSelector, ['client']);
    }
  }

  /** The client Service and port (qualified when the chart sets a namespace). */
  public get endpoint(): ServiceEndpoint {
    return { host: this.workload.qualify(this.clientService.name), port: CLIENT_PORT };
  }

  /** The client URL, `http://<client service>:2379` (`https://` with `tls`). */
  public get clientUrl(): string {
    return `${this.tlsCertificate ? 'https' : 'http'}://${this.endpoint.host}:${CLIENT_PORT}`;
  }

  /**
   * Connect a cdk8s-plus workload: `ETCD_ENDPOINTS` (or `envName`) in every container, and a
   * NetworkPolicy rule letting its pods reach the client port. A client in the cluster's
   * namespace gets the client Service's short name (portable under a kustomize `namespace:`);
   * one in another namespace the qualified name and a rule naming its namespace.
   */
  public bind(workload: kplus.Workload, options: EtcdBindOptions = {}): void {
    const envName = options.envName ?? 'ETCD_ENDPOINTS';
    if (!isEnvVarName(envName)) {
      throw new ValidationError('EtcdBindEnvNameInvalid', `bind: envName '${envName}' is not an env var name (letters, digits, '_', '-' and '.', not starting with a digit)`, this);
    }
    if (this.bindings.includes(workload)) {
      throw new ValidationError('EtcdBindDuplicate', `bind: workload '${workload.node.path}' is bound to this cluster already; bind it once`, this);
    }
    if (!workload.containers.length) {
      throw new ValidationError('EtcdBindNoContainers', `bind: workload '${workload.node.path}' has no containers yet; add them before calling bind()`, this);
    }
    const taken = workload.containers.find((c) => envName in c.env.variables);
    if (taken) {
      throw new ValidationError('EtcdBindEnvConflict',
        `bind: container '${taken.name}' of '${workload.node.path}' sets ${envName} already (bound to another cluster, or set by hand); ` +
          "bind one etcd cluster per env var: pass { envName: 'OTHER_ETCD_ENDPOINTS' } for a second one", this);
    }
    const here = Chart.of(this).namespace;
    const there = Chart.of(workload).namespace;
    if ((here === undefined) !== (there === undefined)) {
      throw new ValidationError('EtcdBindNamespaceUnknown',
        `bind: '${workload.node.path}' is in namespace ${there ? `'${there}'` : '(none set)'} and the cluster in ${here ? `'${here}'` : '(none set)'}; `
          + 'set the namespace on both charts (or on neither), so the host name and the NetworkPolicy peer can name the right namespace', this);
    }
    const remote = here !== there;
    const host = remote ? this.endpoint.host : this.clientService.name;
    const scheme = this.tlsCertificate ? 'https' : 'http';
    for (const c of workload.containers) c.env.addVariable(envName, kplus.EnvValue.fromValue(`${scheme}://${host}:${CLIENT_PORT}`));
    if (this.tlsCertificate) bindEtcdCa(this, workload, this.tlsCertificate, options.caSecret, remote, `Bind${this.bindings.length}`);
    const peer = kplus.Pods.select(workload, `${this.node.id}-etcd-peer`, {
      labels: workload.matchLabels,
      namespaces: remote ? kplus.Namespaces.select(workload, `${this.node.id}-etcd-peer-ns`, { names: [there!] }) : undefined,
    });
    this.bindings.push(workload);
    this.workload.connections.allowFrom(peer, ['client']);
  }
}
