// "Build your own stateful system": a 3-member etcd ensemble on StatefulWorkload.
// Follows etcd's own guide "Run etcd clusters as a Kubernetes StatefulSet"
// (etcd.io/docs/v3.6/op-guide/kubernetes): static bootstrap with --initial-cluster built from
// the pods' stable DNS names. Every value is passed as a flag and the kubelet expands $(VAR)
// references from the env. The image is distroless (no shell): an init container copies a static
// busybox in, so assets/etcd-join.sh can start the member and let one that lost its disk rejoin.
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AntiAffinity, HealthProbe, PodManagementPolicy, StatefulWorkload,
} from 'cdk8s-stateful';

export interface EtcdEnsembleProps {
  /** Members: odd, 3 or 5. @default 3 */
  readonly members?: number;
  /** @default Size.gibibytes(8) */
  readonly storageSize?: Size;
}

export class EtcdEnsemble extends Construct {
  /** Pinned official release image (distroless). */
  public static readonly IMAGE = 'gcr.io/etcd-development/etcd:v3.6.6';
  /** Static busybox (musl build): the shell that runs the join script in the distroless image. */
  public static readonly TOOLS_IMAGE = 'busybox:1.37.0-musl';
  public readonly workload: StatefulWorkload;

  constructor(scope: Construct, id: string, props: EtcdEnsembleProps = {}) {
    super(scope, id);
    const members = props.members ?? 3;
    if (members % 2 === 0) throw new Error(`${this.node.path}: etcd needs an odd number of members, got ${members}`);

    this.workload = new StatefulWorkload(this, 'etcd', {
      name: id,
      appName: 'etcd',
      component: 'kv-store',
      version: '3.6.6',
      image: EtcdEnsemble.IMAGE,
      // The join script execs /usr/local/bin/etcd with the args below (see assets/etcd-join.sh).
      command: ['/tools/busybox', 'sh', '/scripts/etcd-join.sh'],
      replicas: members,
      // Members must resolve each other before any is Ready: start all at once and publish
      // not-ready addresses on the headless Service.
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      publishNotReadyAddresses: true,
      ports: [
        { name: 'client', port: 2379 },
        { name: 'peer', port: 2380 },
        { name: 'metrics', port: 2381 },
      ],
      env: {
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        CLIENT_PORT: kplus.EnvValue.fromValue('2379'),
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
      },
      dataVolumes: { data: { mountPath: '/var/lib/etcd', size: props.storageSize ?? Size.gibibytes(8) } },
      // /livez and /readyz are served on the metrics listener too (etcd 3.6).
      readiness: HealthProbe.httpGet('/readyz', 2381),
      liveness: HealthProbe.httpGet('/livez', 2381, { initialDelay: Duration.seconds(10), failureThreshold: 8 }),
      placement: { antiAffinity: members > 1 ? AntiAffinity.HARD : AntiAffinity.SOFT },
    });

    const w = this.workload;
    w.volumes.addConfigFiles('scripts', {
      mountPath: '/scripts',
      files: { 'etcd-join.sh': readFileSync(join(__dirname, 'assets', 'etcd-join.sh'), 'utf8') },
    });
    const tools = w.volumes.addScratch('/tools');
    w.addInitContainer({
      name: 'tools',
      image: EtcdEnsemble.TOOLS_IMAGE,
      command: ['cp', '/bin/busybox', '/tools/busybox'],
      mounts: [{ volume: tools, mountPath: '/tools' }],
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) },
      },
    });
    const peerUrl = (ordinal: number) => `${w.podName(ordinal)}=http://${w.runtimeDnsName(w.podName(ordinal))}:2380`;
    const initialCluster = Array.from({ length: members }, (_, i) => peerUrl(i)).join(',');
    // Deterministic and distinct per ensemble, so two ensembles never join each other.
    const token = createHash('sha256').update(this.node.path).digest('hex').slice(0, 16);
    w.addArgs(
      '--name=$(POD_NAME)',
      // A sub directory: etcd wants its data dir 0700 and the volume root holds lost+found.
      '--data-dir=/var/lib/etcd/data',
      '--listen-peer-urls=http://0.0.0.0:2380',
      '--listen-client-urls=http://0.0.0.0:2379',
      '--listen-metrics-urls=http://0.0.0.0:2381',
      `--advertise-client-urls=http://${w.runtimeDnsName()}:2379`,
      `--initial-advertise-peer-urls=http://${w.runtimeDnsName()}:2380`,
      `--initial-cluster=${initialCluster}`,
      '--initial-cluster-state=new',
      `--initial-cluster-token=etcd-${token}`,
      '--auto-compaction-mode=periodic',
      '--auto-compaction-retention=1h',
    );
    w.services.add('client', { ports: ['client'] });
  }

  /** Client endpoint for applications. */
  public get endpoint(): string {
    return `http://${this.workload.qualify(`${this.workload.name}-client`)}:2379`;
  }
}

export class EtcdExampleChart extends Chart {
  public readonly etcd: EtcdEnsemble;
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'coordination' });
    this.etcd = new EtcdEnsemble(this, 'etcd');
  }
}
