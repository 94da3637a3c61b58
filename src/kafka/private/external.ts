// Internal: access from outside Kubernetes (listeners.external). Per broker: a Service selecting
// its pod (`statefulset.kubernetes.io/pod-name`), the EXTERNAL listener, and the address it
// advertises, static (ingress host names) or found at start by an init container
// (assets/external-address.sh) and appended by the start wrapper (assets/external-start.sh).
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problem } from './checks';
import { CLUSTER_LABEL } from './labels';
import { NodeEnvInput } from './node-env';
import { ValidationError } from '../../core/errors';
import { loadAsset } from '../../core/kit/assets';
import { clusterScoped } from '../../core/kit/cluster-scoped';
import { NODE_LABELS_IMAGE } from '../../core/kit/node-labels';
import { LabelKeys } from '../../core/labels';
import { Warnings } from '../../core/warnings';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { WorkloadVolume } from '../../core/workload/volumes';
import { ExternalListener, ExternalListenerType } from '../external-listener';
import { KafkaAuthentication } from '../listeners';

/** The pod label the StatefulSet controller sets to the pod's name (kubernetes pkg/controller/statefulset/stateful_set_utils.go). */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** Suffix of a broker's external Service: `<pod>-external`. */
export const EXTERNAL_SERVICE_SUFFIX = '-external';
/** Where the init container writes `host:port`, mounted read-only in the broker. */
const ADDRESS_DIR = '/mnt/external';
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** What the cluster knows when it checks its external listener. */
export interface ExternalContext {
  readonly tls: boolean;
  readonly mode: KafkaAuthentication;
  /** The other listeners' ports, by prop name. */
  readonly ports: Array<[string, number]>;
  readonly namespace?: string;
}

const validPort = (p: number | undefined) => p === undefined || (Number.isInteger(p) && p >= 1 && p <= 65535);

/** TLS and authentication are mandatory; ports, node ports and the host template are checked. */
export function externalProblem(e: ExternalListener | undefined, c: ExternalContext): Problem | undefined {
  if (!e) return undefined;
  if (!c.tls) {
    return {
      code: 'KafkaExternalNeedsTls',
      message: `listeners.external (${e.type}) is set but listeners.tls is not: traffic from outside Kubernetes must be encrypted; ` +
        'set listeners.tls (KafkaTls.certManager(...) or KafkaTls.fromPkcs12Secret(...))',
    };
  }
  if (c.mode === KafkaAuthentication.NONE) {
    return {
      code: 'KafkaExternalNeedsAuthentication',
      message: `listeners.external (${e.type}) is set but listeners.authentication is 'none': anyone on the internet could produce and consume; ` +
        'set listeners.authentication to KafkaAuthentication.SCRAM_SHA_512 or KafkaAuthentication.MTLS',
    };
  }
  if (!validPort(e.port) || !validPort(e.advertisedPort)) {
    return { code: 'KafkaExternalPortInvalid', message: `listeners.external port ${e.port} / advertisedPort ${e.advertisedPort} must be whole numbers in 1-65535` };
  }
  const taken = c.ports.find(([, p]) => p === e.port);
  if (taken) {
    return { code: 'KafkaExternalPortInvalid', message: `listeners.external port ${e.port} is the ${taken[0]} already; give the external listener its own port (default 9095)` };
  }
  if (e.type === ExternalListenerType.NODE_PORT) {
    const b = e.basePort!;
    if (!Number.isInteger(b) || b < NODE_PORT_MIN || b > NODE_PORT_MAX) {
      return {
        code: 'KafkaExternalNodePortInvalid',
        message: `listeners.external basePort ${b} is outside the default node port range ${NODE_PORT_MIN}-${NODE_PORT_MAX}; broker n gets basePort + n: pick a base in that range`,
      };
    }
    if (!c.namespace) {
      return {
        code: 'KafkaExternalNeedsNamespace',
        message: "ExternalListener.nodePort() reads each broker's node with a ClusterRole whose binding names the ServiceAccount's namespace; set `namespace` on the Chart",
      };
    }
  }
  if (e.type === ExternalListenerType.INGRESS) {
    const t = e.hostTemplate ?? '';
    if (!t.includes('{id}') || !DNS_NAME.test(t.split('{id}').join('0'))) {
      return {
        code: 'KafkaExternalHostTemplateInvalid',
        message: `listeners.external hostTemplate '${t}' must be a lower-case DNS name holding '{id}' (the broker's node id), e.g. 'broker-{id}.kafka.example.com'`,
      };
    }
  }
  return undefined;
}

/** The external listener of one cluster: its Services, init containers, RBAC and NetworkPolicy rules. */
export class ExternalAccess {
  /** The per-broker Services, in pool and node id order. */
  public readonly services: k8s.KubeService[] = [];
  /** `get nodes` (node port only). */
  public clusterRole?: k8s.KubeClusterRole;
  public readonly clusterRoleBindings: k8s.KubeClusterRoleBinding[] = [];
  private readonly peers: kplus.INetworkPolicyPeer[];
  private readonly hosts: string[] = [];

  constructor(
    private readonly scope: Construct,
    public readonly listener: ExternalListener,
    private readonly clusterName: string,
    private readonly labels: { [key: string]: string },
    private readonly namespace: string | undefined,
  ) {
    if (listener.type !== ExternalListenerType.INGRESS) {
      // A certificate is issued before the address exists: clients that verify host names (the
      // default, ssl.endpoint.identification.algorithm=https) refuse it (docs/kafka.md).
      Warnings.of(scope).add('@cdk8s-stateful/kafka:externalAddressNotInCertificate',
        `listeners.external (${listener.type}) advertises addresses known only at run time, which the brokers' certificate does not name: ` +
          'clients verifying host names fail; prefer ExternalListener.ingress({ hostTemplate }) with external-dns, or see docs/kafka.md, Access from outside Kubernetes');
    }
    this.peers = listener.allowFrom ?? [kplus.NetworkPolicyIpBlock.anyIpv4(scope, 'ExternalAnyIpv4'), kplus.NetworkPolicyIpBlock.anyIpv6(scope, 'ExternalAnyIpv6')];
  }

  /** The EXTERNAL part of a broker's environment: the port, a static address (ingress) and the mode's properties. */
  public nodeInput(mode: KafkaAuthentication): NodeEnvInput['external'] {
    const l = this.listener;
    const properties: Array<[string, string]> = [];
    // As on CLIENT (private/auth.ts); SASL/PLAIN's JAAS line is repeated by node-env.ts.
    if (mode === KafkaAuthentication.SCRAM_SHA_512) {
      properties.push(['listener.name.external.sasl.enabled.mechanisms', 'SCRAM-SHA-512']);
      properties.push(['listener.name.external.scram-sha-512.sasl.jaas.config', 'org.apache.kafka.common.security.scram.ScramLoginModule required;']);
    }
    if (mode === KafkaAuthentication.MTLS) properties.push(['listener.name.external.ssl.client.auth', 'required']);
    // KAFKA_NODE_ID is defined before KAFKA_ADVERTISED_LISTENERS (node-env.ts): the kubelet expands it.
    const advertised = l.type === ExternalListenerType.INGRESS
      ? `${l.hostTemplate!.split('{id}').join('$(KAFKA_NODE_ID)')}:${l.advertisedPort}` : undefined;
    return { port: l.port, advertised, properties };
  }

  /** Host names the node certificate must cover (ingress: one per broker; otherwise unknown at synth). */
  public get dnsNames(): string[] {
    return [...this.hosts];
  }

  /** Adds a broker pool: port, NetworkPolicy rule, a Service per broker, and the address finder. */
  public addPool(poolId: string, w: StatefulWorkload, nodeIds: number[]): void {
    const l = this.listener;
    w.addPort({ name: 'external', port: l.port });
    for (const peer of this.peers) w.connections.allowFrom(peer, ['external']);
    const names: string[] = [];
    for (const id of nodeIds) {
      const pod = w.podName(id);
      const name = `${pod}${EXTERNAL_SERVICE_SUFFIX}`;
      if (name.length > 63) {
        throw new ValidationError('KafkaExternalServiceNameTooLong',
          `the external Service of broker '${pod}' would be named '${name}' (${name.length} characters, at most 63); shorten the cluster or pool name`, this.scope);
      }
      names.push(name);
      this.services.push(this.service(poolId, id, pod, name));
      if (l.type === ExternalListenerType.INGRESS) this.hosts.push(l.hostTemplate!.split('{id}').join(String(id)));
    }
    if (l.type === ExternalListenerType.INGRESS) return;
    if (l.type === ExternalListenerType.LOAD_BALANCER) {
      // Least privilege: `get` on this pool's own Services, by name, in the namespace.
      w.rbac.addRule({ apiGroups: [''], resources: ['services'], verbs: ['get'], resourceNames: names });
    } else {
      this.bindNodeReader(poolId, w);
    }
    this.addAddressFinder(w);
  }

  private service(poolId: string, id: number, pod: string, name: string): k8s.KubeService {
    const l = this.listener;
    const nodePort = l.type === ExternalListenerType.NODE_PORT;
    const annotations = l.type === ExternalListenerType.LOAD_BALANCER && l.annotations ? { ...l.annotations } : undefined;
    return new k8s.KubeService(this.scope, `External-${poolId}-${id}`, {
      metadata: { name, labels: this.labels, annotations },
      spec: {
        type: l.type,
        selector: { [CLUSTER_LABEL]: this.clusterName, [POD_NAME_LABEL]: pod },
        ports: [{
          name: 'external',
          port: l.port,
          targetPort: k8s.IntOrString.fromString('external'),
          protocol: 'TCP',
          // Fixed: the broker advertises it (assets/external-address.sh computes the same sum).
          nodePort: nodePort ? this.nodePort(id) : undefined,
        }],
        // Node port: only the node running the broker answers, the one it advertises (and the client's address is kept).
        externalTrafficPolicy: nodePort ? 'Local' : undefined,
        loadBalancerSourceRanges: l.type === ExternalListenerType.LOAD_BALANCER && l.sourceRanges ? [...l.sourceRanges] : undefined,
      },
    });
  }

  private nodePort(id: number): number {
    const p = this.listener.basePort! + id;
    if (p > NODE_PORT_MAX) {
      throw new ValidationError('KafkaExternalNodePortInvalid',
        `broker ${id} would get node port ${this.listener.basePort} + ${id} = ${p}, above ${NODE_PORT_MAX}; lower listeners.external basePort or the pools' firstNodeId`, this.scope);
    }
    return p;
  }

  /** `get nodes`: one ClusterRole per cluster, a binding per pool (as rack awareness does). */
  private bindNodeReader(poolId: string, w: StatefulWorkload): void {
    const ns = this.namespace!;
    this.clusterRole ??= clusterScoped(new k8s.KubeClusterRole(this.scope, 'ExternalNodeReader', {
      metadata: { name: `${ns}-${this.clusterName}-external-node-reader`, labels: this.labels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
    }));
    this.clusterRoleBindings.push(clusterScoped(new k8s.KubeClusterRoleBinding(this.scope, `ExternalNodeReader-${poolId}`, {
      metadata: { name: `${ns}-${w.name}-external-node-reader`, labels: this.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.clusterRole.name },
      subjects: [{ kind: 'ServiceAccount', name: w.serviceAccount.name, namespace: ns }],
    })));
    // The token is needed by the init container only; the pod-level switch is all there is.
    w.rbac.mountServiceAccountToken();
  }

  /** The init container writing `host:port`, and the start wrapper appending it to the advertised listeners. */
  private addAddressFinder(w: StatefulWorkload): void {
    const l = this.listener;
    const lb = l.type === ExternalListenerType.LOAD_BALANCER;
    w.volumes.add('external-address', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    w.volumes.add('external-tmp', WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(1) }));
    w.addMount({ volume: 'external-address', mountPath: ADDRESS_DIR, readOnly: true });
    w.addInitContainer({
      name: 'external-address',
      image: l.image ?? NODE_LABELS_IMAGE,
      command: ['sh', '-c', loadAsset('kafka/assets/external-address.sh')],
      env: {
        MODE: kplus.EnvValue.fromValue(lb ? 'loadbalancer' : 'nodeport'),
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
        KAFKA_NODE_ID: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: LabelKeys.POD_INDEX }),
        // The pod's own Service is <pod><suffix>.
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        SERVICE_SUFFIX: kplus.EnvValue.fromValue(EXTERNAL_SERVICE_SUFFIX),
        ...(lb ? { SERVICE_PORT: kplus.EnvValue.fromValue(String(l.port)) } : { BASE_PORT: kplus.EnvValue.fromValue(String(l.basePort)) }),
        OUT_FILE: kplus.EnvValue.fromValue('/out/address'),
      },
      mounts: [{ volume: 'external-address', mountPath: '/out' }, { volume: 'external-tmp', mountPath: '/tmp' }],
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) } },
    });
    w.addEnv('ADDRESS_FILE', kplus.EnvValue.fromValue(`${ADDRESS_DIR}/address`));
    // No `command`: these args replace the image's CMD (apache/kafka docker/jvm/Dockerfile:
    // CMD ["/etc/kafka/docker/run"], no ENTRYPOINT of its own; an ENTRYPOINT of the base image,
    // eclipse-temurin's /__cacert_entrypoint.sh, execs its args), and the wrapper execs that CMD.
    w.addArgs('bash', '-c', loadAsset('kafka/assets/external-start.sh'));
  }
}
