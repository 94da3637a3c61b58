import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { WorkloadPort } from './container';
import { ValidationError } from '../errors';

/** Something whose ingress can be opened to peers: a workload, or a cluster of several. */
export interface IConnectable {
  /** Ingress rules of its NetworkPolicy (or policies). */
  readonly connections: Connections;
}

interface PeerRule {
  readonly peer: k8s.NetworkPolicyPeer;
  readonly ports?: string[];
}

/**
 * Ingress allowed into a workload's pods, rendered as its NetworkPolicy: the workload's own pods,
 * plus each peer you allow (optionally on named ports only). Mirrors cdk8s-plus
 * `pod.connections` and aws-ec2 `IConnectable`. A cluster made of several workloads forwards
 * every call to each of them (`Connections.of(...)`).
 */
export class Connections {
  /**
   * Connections that forward every call to each of `targets` (e.g. every node pool of a
   * cluster), including targets added later with `addTarget`, which get every earlier call.
   */
  public static of(scope: IConstruct, targets: IConnectable[]): Connections {
    return new Connections(scope, {}, [], [...targets], true);
  }

  private readonly peers: PeerRule[] = [];
  private readonly calls: Array<(t: IConnectable) => void> = [];

  /**
   * @param scope the construct errors are reported on
   * @param selector labels of the pods the policy protects
   * @param ports the ports of those pods (read when rendering; the list may still grow)
   */
  constructor(
    private readonly scope: IConstruct,
    private readonly selector: { [key: string]: string },
    private readonly ports: WorkloadPort[],
    private readonly targets: IConnectable[] = [],
    private readonly forwarding: boolean = false,
  ) {}

  /** Forward to another target, replaying every earlier call (a forwarding `Connections.of` only). */
  public addTarget(target: IConnectable): void {
    if (!this.forwarding) throw new ValidationError('ConnectionsNotForwarding', 'addTarget() needs Connections made with Connections.of()', this.scope);
    for (const call of this.calls) call(target);
    this.targets.push(target);
  }

  /**
   * Allow ingress from a peer: a cdk8s-plus-28 workload or pod selector (`kplus.Pods.select`),
   * namespaces (`kplus.Namespaces.select`) or an IP block. Only `ports` (names) when given.
   */
  public allowFrom(peer: kplus.INetworkPolicyPeer, ports?: string[]): void {
    if (this.forwarding) return this.forward((t) => t.connections.allowFrom(peer, ports));
    this.checkPorts(ports);
    this.peers.push({ peer: peerToKube(peer), ports });
  }

  /** Allow ingress from pods with these labels in the same namespace. */
  public allowFromLabels(labels: { [key: string]: string }, ports?: string[]): void {
    if (this.forwarding) return this.forward((t) => t.connections.allowFromLabels(labels, ports));
    this.checkPorts(ports);
    this.peers.push({ peer: { podSelector: { matchLabels: { ...labels } } }, ports });
  }

  /** @internal The number of a port the policy can open (main container or sidecar), by name. */
  public _port(name: string): number {
    this.checkPorts([name]);
    return this.ports.find((p) => p.name === name)!.port;
  }

  /** @internal The NetworkPolicy spec. */
  public _toKube(): k8s.NetworkPolicySpec {
    const portsOf = (names?: string[]): k8s.NetworkPolicyPort[] | undefined => names?.map((n) => {
      const port = this.ports.find((x) => x.name === n)!;
      return { port: k8s.IntOrString.fromNumber(port.port), protocol: port.protocol ?? kplus.Protocol.TCP };
    });
    return {
      podSelector: { matchLabels: this.selector },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: this.selector } }] },
        ...this.peers.map((r) => ({ from: [r.peer], ports: portsOf(r.ports) })),
      ],
    };
  }

  private forward(call: (t: IConnectable) => void): void {
    for (const t of this.targets) call(t);
    this.calls.push(call);
  }

  private checkPorts(names: string[] | undefined): void {
    for (const n of names ?? []) {
      if (!this.ports.some((p) => p.name === n)) {
        throw new ValidationError('WorkloadPortUnknown', `no port named '${n}'; ports are: ${this.ports.map((x) => x.name).join(', ') || 'none'}`, this.scope);
      }
    }
  }
}

function peerToKube(peer: kplus.INetworkPolicyPeer): k8s.NetworkPolicyPeer {
  const cfg = peer.toNetworkPolicyPeerConfig();
  if (cfg.ipBlock) return { ipBlock: { cidr: cfg.ipBlock.cidr, except: cfg.ipBlock.except } };
  const ps = cfg.podSelector!;
  const podSelector = labelSelectorToKube(ps.labelSelector);
  const ns = ps.namespaces;
  if (!ns) return { podSelector };
  const nsSelector: k8s.LabelSelector = ns.labelSelector ? labelSelectorToKube(ns.labelSelector) : {};
  const names = ns.names ?? [];
  const namespaceSelector: k8s.LabelSelector = names.length
    ? { ...nsSelector, matchExpressions: [...(nsSelector.matchExpressions ?? []), { key: 'kubernetes.io/metadata.name', operator: 'In', values: names }] }
    : nsSelector;
  const isAllPods = !podSelector.matchLabels && !podSelector.matchExpressions;
  return isAllPods && (names.length || ns.labelSelector) ? { namespaceSelector } : { podSelector, namespaceSelector };
}

/**
 * kplus.LabelSelector → k8s.LabelSelector. cdk8s-plus-28 (frozen at 2.5.6) has no public
 * accessor for a selector's labels and expressions; its `_toKube()` is declared in its typings,
 * so it is called as typed (no cast), and the test of `allowFrom` pins the result.
 */
function labelSelectorToKube(s: kplus.LabelSelector): k8s.LabelSelector {
  return s._toKube();
}
