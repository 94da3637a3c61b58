import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkloadPort } from './container';
import { annotationsError, labelsError } from '../api-rules';
import { ValidationError } from '../errors';
import { Names } from '../naming';
import { registerObjects } from '../registry';

/** A client Service. */
export interface WorkloadServiceOptions {
  /** @default `<workload name>-<id>` */
  readonly name?: string;
  /** Names of the workload ports to expose. @default - all ports */
  readonly ports?: string[];
  /** Labels selected on top of the workload's selector (e.g. a role label). @default - none */
  readonly selector?: { [key: string]: string };
  /** @default kplus.ServiceType.CLUSTER_IP */
  readonly type?: kplus.ServiceType;
  /** @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** @default - none */
  readonly annotations?: { [key: string]: string };
}

/**
 * The Services of a workload: the headless Service every StatefulSet needs (its
 * `serviceName`, `<name>-headless`) and client Services selecting its pods, e.g. read-write
 * and read-only endpoints by a role label.
 */
export class WorkloadServices {
  /** The headless Service. */
  public readonly headless: k8s.KubeService;
  private readonly byId = new Map<string, k8s.KubeService>();

  /**
   * @param scope the workload (Services are created as its children)
   * @param name the workload name (Service names are `<name>-<id>`)
   * @param selector the workload's selector labels
   * @param labels labels of every Service
   * @param ports the workload's ports (read when rendering; the list may still grow)
   */
  constructor(
    private readonly scope: Construct,
    private readonly name: string,
    private readonly selector: { [key: string]: string },
    private readonly labels: { [key: string]: string },
    private readonly ports: WorkloadPort[],
    publishNotReadyAddresses: boolean = false,
  ) {
    this.headless = new k8s.KubeService(scope, 'HeadlessService', {
      metadata: { name: `${name}-headless`, labels },
      spec: Lazy.any({
        produce: () => ({
          clusterIp: 'None',
          publishNotReadyAddresses: publishNotReadyAddresses ? true : undefined,
          selector: this.selector,
          ports: this.ports.map(servicePort),
        }),
      }),
    });
  }

  /** Client Services by id, in the order they were added. */
  public get all(): k8s.KubeService[] {
    return [...this.byId.values()];
  }

  /** A client Service by id. */
  public get(id: string): k8s.KubeService {
    const s = this.byId.get(id);
    if (!s) throw new ValidationError('WorkloadServiceUnknown', `no Service with id '${id}'; add it with services.add('${id}', ...)`, this.scope);
    return s;
  }

  /**
   * A client Service selecting the workload's pods (plus `selector` labels, e.g. a role).
   * `services.add('ro', { selector: { role: 'replica' } })` → Service `<name>-ro`.
   */
  public add(id: string, options: WorkloadServiceOptions = {}): k8s.KubeService {
    if (this.byId.has(id)) throw new ValidationError('WorkloadServiceDuplicate', `a Service with id '${id}' exists already`, this.scope);
    const name = options.name ?? `${this.name}-${id}`;
    Names.assertDns1035(this.scope, 'Service name', name);
    const bad = labelsError(`Service '${id}' selector`, options.selector) ?? annotationsError(`Service '${id}' annotations`, options.annotations);
    if (bad) throw new ValidationError('WorkloadServiceInvalid', bad, this.scope);
    for (const n of options.ports ?? []) {
      if (!this.ports.some((p) => p.name === n)) {
        throw new ValidationError('WorkloadPortUnknown', `no port named '${n}'; ports are: ${this.ports.map((x) => x.name).join(', ') || 'none'}`, this.scope);
      }
    }
    const svc = new k8s.KubeService(this.scope, `Service-${id}`, {
      metadata: { name, labels: this.labels, annotations: options.annotations },
      spec: Lazy.any({
        produce: () => ({
          type: options.type ?? kplus.ServiceType.CLUSTER_IP,
          publishNotReadyAddresses: options.publishNotReadyAddresses ? true : undefined,
          selector: { ...this.selector, ...(options.selector ?? {}) },
          ports: this.ports.filter((p) => !options.ports || options.ports.includes(p.name)).map(servicePort),
        }),
      }),
    });
    registerObjects(this.scope, svc);
    this.byId.set(id, svc);
    return svc;
  }
}

function servicePort(p: WorkloadPort): k8s.ServicePort {
  return { name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol ?? kplus.Protocol.TCP };
}
