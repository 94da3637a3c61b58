import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';

/** A named container port. */
export interface WorkloadPort {
  /** IANA_SVC_NAME: at most 15 lower-case letters, digits and '-'. Services refer to it. */
  readonly name: string;
  /** Port number, 1-65535. */
  readonly port: number;
  /** @default kplus.Protocol.TCP */
  readonly protocol?: kplus.Protocol;
}

/** Timing of a probe. */
export interface HealthProbeOptions {
  /** @default - none */
  readonly initialDelay?: Duration;
  /** @default Duration.seconds(10) */
  readonly period?: Duration;
  /** @default Duration.seconds(5) */
  readonly timeout?: Duration;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default 1 */
  readonly successThreshold?: number;
}

/** A readiness, liveness or startup probe. */
export class HealthProbe {
  /** HTTP GET on a port of the container. */
  public static httpGet(path: string, port: number, options: HealthProbeOptions = {}): HealthProbe {
    return new HealthProbe({ httpGet: { path, port: k8s.IntOrString.fromNumber(port) } }, options);
  }

  /**
   * HTTPS GET on a port of the container. The kubelet does not verify the certificate, so a
   * server that only speaks TLS (CockroachDB's `/health` in secure mode) can be probed.
   */
  public static httpsGet(path: string, port: number, options: HealthProbeOptions = {}): HealthProbe {
    return new HealthProbe({ httpGet: { path, port: k8s.IntOrString.fromNumber(port), scheme: 'HTTPS' } }, options);
  }

  /** A TCP connection to a port of the container. */
  public static tcpSocket(port: number, options: HealthProbeOptions = {}): HealthProbe {
    return new HealthProbe({ tcpSocket: { port: k8s.IntOrString.fromNumber(port) } }, options);
  }

  /** A command run in the container; exit code 0 is healthy. */
  public static exec(command: string[], options: HealthProbeOptions = {}): HealthProbe {
    return new HealthProbe({ exec: { command } }, options);
  }

  private rendered?: k8s.Probe;

  private constructor(private readonly handler: k8s.Probe, private readonly options: HealthProbeOptions) {}

  /** @internal The probe as the Kubernetes API spells it (computed once: a probe is immutable). */
  public _toKube(): k8s.Probe {
    if (this.rendered) return this.rendered;
    const o = this.options;
    return this.rendered = {
      ...this.handler,
      initialDelaySeconds: o.initialDelay?.toSeconds(),
      periodSeconds: (o.period ?? Duration.seconds(10)).toSeconds(),
      timeoutSeconds: (o.timeout ?? Duration.seconds(5)).toSeconds(),
      failureThreshold: o.failureThreshold ?? 3,
      successThreshold: o.successThreshold ?? 1,
    };
  }

  /** @internal The timing options, for checks. */
  public get _options(): HealthProbeOptions {
    return this.options;
  }

  /** @internal The port the probe connects to, for checks. */
  public get _port(): number | undefined {
    const p = this.handler.httpGet?.port ?? this.handler.tcpSocket?.port;
    return p === undefined ? undefined : Number(p.value);
  }
}

/** A volume mounted into a container. */
export interface WorkloadMount {
  /** Name of a data volume, config volume, scratch volume or volume added with `addVolume`. */
  readonly volume: string;
  /** Where it is mounted. */
  readonly mountPath: string;
  /** @default - the volume root */
  readonly subPath?: string;
  /** @default false */
  readonly readOnly?: boolean;
}

/** Overrides of the restricted container security context. */
export interface ContainerSecurityOptions {
  /** @default - the pod's user */
  readonly user?: number;
  /** @default - the pod's group */
  readonly group?: number;
  /** @default - the workload's `security.readOnlyRootFilesystem` */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Privileged mode; breaks the restricted Pod Security Standard.
   * @default false
   */
  readonly privileged?: boolean;
}

/** An init or sidecar container. */
export interface ContainerOptions {
  /** Container name (DNS-1123 label), unique in the pod. */
  readonly name: string;
  /** Image with a pinned tag or digest. */
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - the image's cmd */
  readonly args?: string[];
  /** Environment, in order (later entries may refer to earlier ones with `$(NAME)`). @default - none */
  readonly env?: { [name: string]: kplus.EnvValue };
  /** @default - none */
  readonly ports?: WorkloadPort[];
  /** @default - none */
  readonly resources?: kplus.ContainerResources;
  /** @default - none */
  readonly mounts?: WorkloadMount[];
  /** @default - none */
  readonly readiness?: HealthProbe;
  /** @default - none */
  readonly liveness?: HealthProbe;
  /** @default - none */
  readonly startup?: HealthProbe;
  /** @default - the restricted profile with the pod's user */
  readonly security?: ContainerSecurityOptions;
  /** @default - none */
  readonly workingDir?: string;
}

