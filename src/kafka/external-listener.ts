import * as kplus from 'cdk8s-plus-28';

/** Options every kind of external listener has. */
export interface ExternalListenerCommonOptions {
  /** The EXTERNAL listener's container port on every broker. @default 9095 */
  readonly port?: number;
  /**
   * Who may reach the external port (NetworkPolicy peers, e.g. `kplus.NetworkPolicyIpBlock.ipv4(scope, id, '203.0.113.0/24')`).
   * Only that port is opened to them. Behind a LoadBalancer or NodePort with
   * `externalTrafficPolicy: Cluster` the source is often a node's address: allow the nodes too.
   * @default - anywhere (0.0.0.0/0 and ::/0)
   */
  readonly allowFrom?: kplus.INetworkPolicyPeer[];
}

/** Options of `ExternalListener.loadBalancer()`. */
export interface ExternalLoadBalancerOptions extends ExternalListenerCommonOptions {
  /** Annotations of every per-broker Service (cloud LB type, internal LB, external-dns...). @default - none */
  readonly annotations?: { [key: string]: string };
  /** `spec.loadBalancerSourceRanges` of every per-broker Service. @default - none (the cloud's default: anywhere) */
  readonly sourceRanges?: string[];
  /**
   * Image of the init container that reads the Service's address from the API server (a shell and curl).
   * @default 'docker.io/curlimages/curl:8.16.0'
   */
  readonly image?: string;
}

/** Options of `ExternalListener.nodePort()`. */
export interface ExternalNodePortOptions extends ExternalListenerCommonOptions {
  /**
   * Broker `n` gets node port `basePort + n` (its node id), fixed so that a restart keeps the
   * advertised address. Every port must lie in the API server's node port range (30000-32767 by default).
   * @default 31000
   */
  readonly basePort?: number;
  /**
   * Image of the init container that reads its node's address from the API server (a shell and curl).
   * @default 'docker.io/curlimages/curl:8.16.0'
   */
  readonly image?: string;
}

/** Options of `ExternalListener.ingress()`. */
export interface ExternalIngressOptions extends ExternalListenerCommonOptions {
  /**
   * Each broker's external host name, `{id}` standing for its node id, e.g.
   * `broker-{id}.kafka.example.com`. You route each name to the broker's Service
   * (`<pod>-external`, ClusterIP) with a TLS-passthrough ingress, a Gateway TLSRoute or a
   * load balancer per broker, and publish it in DNS (external-dns).
   */
  readonly hostTemplate: string;
  /** The port clients connect to on those names (the ingress' or LB's port). @default 443 */
  readonly advertisedPort?: number;
}

/** What kind of per-broker Service an external listener gets. */
export enum ExternalListenerType {
  /** A `LoadBalancer` Service per broker, its address read from the Service status at start. */
  LOAD_BALANCER = 'LoadBalancer',
  /** A `NodePort` Service per broker on a fixed port, advertised with its node's address. */
  NODE_PORT = 'NodePort',
  /** A `ClusterIP` Service per broker behind your ingress, advertised with static host names. */
  INGRESS = 'ClusterIP',
}

/**
 * Access to the brokers from outside Kubernetes (`listeners.external`): an EXTERNAL listener on
 * every broker, a Service per broker (clients talk to each partition leader directly, so each
 * broker needs its own address), the address each broker advertises, and a NetworkPolicy rule
 * for that port only. Needs `listeners.tls` and an authentication (docs/kafka.md, "Access from
 * outside Kubernetes").
 */
export class ExternalListener {
  /** A cloud load balancer per broker: simplest where LoadBalancer Services are cheap. */
  public static loadBalancer(options: ExternalLoadBalancerOptions = {}): ExternalListener {
    return new ExternalListener(ExternalListenerType.LOAD_BALANCER, options.port ?? 9095, options.allowFrom, {
      annotations: options.annotations, sourceRanges: options.sourceRanges, image: options.image,
    });
  }

  /** A fixed node port per broker, advertised with the address of the node the broker runs on. */
  public static nodePort(options: ExternalNodePortOptions = {}): ExternalListener {
    return new ExternalListener(ExternalListenerType.NODE_PORT, options.port ?? 9095, options.allowFrom, {
      basePort: options.basePort ?? 31000, image: options.image,
    });
  }

  /** Static per-broker host names (external-dns, TLS-passthrough ingress or LB per broker). */
  public static ingress(options: ExternalIngressOptions): ExternalListener {
    return new ExternalListener(ExternalListenerType.INGRESS, options.port ?? 9095, options.allowFrom, {
      hostTemplate: options.hostTemplate, advertisedPort: options.advertisedPort ?? 443,
    });
  }

  /** The kind of per-broker Service. */
  public readonly type: ExternalListenerType;
  /** The EXTERNAL listener's container port. */
  public readonly port: number;
  /** NetworkPolicy peers allowed on the port; none given means anywhere. */
  public readonly allowFrom?: kplus.INetworkPolicyPeer[];
  /** Annotations of the per-broker Services (load balancer). */
  public readonly annotations?: { [key: string]: string };
  /** `loadBalancerSourceRanges` (load balancer). */
  public readonly sourceRanges?: string[];
  /** First node port (node port). */
  public readonly basePort?: number;
  /** Host name template (ingress). */
  public readonly hostTemplate?: string;
  /** Advertised port (ingress). */
  public readonly advertisedPort?: number;
  /** Init container image (load balancer, node port). */
  public readonly image?: string;

  private constructor(type: ExternalListenerType, port: number, allowFrom: kplus.INetworkPolicyPeer[] | undefined, o: {
    annotations?: { [key: string]: string };
    sourceRanges?: string[];
    basePort?: number;
    hostTemplate?: string;
    advertisedPort?: number;
    image?: string;
  }) {
    this.type = type;
    this.port = port;
    this.allowFrom = allowFrom;
    this.annotations = o.annotations;
    this.sourceRanges = o.sourceRanges;
    this.basePort = o.basePort;
    this.hostTemplate = o.hostTemplate;
    this.advertisedPort = o.advertisedPort;
    this.image = o.image;
  }
}
