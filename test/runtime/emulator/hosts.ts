/**
 * The /etc/hosts each emulated pod sees: the kubelet's own lines plus what cluster DNS would
 * answer, restricted to what a pod can resolve (its namespace's short names, every fully
 * qualified name).
 */
import { serviceSelects, Labels } from './selectors';

export interface HostsPod {
  readonly name: string;
  readonly namespace: string;
  /** Empty while the pod has no sandbox (not running). */
  readonly ip?: string;
  readonly ready: boolean;
  readonly labels: Labels;
  /** spec.subdomain; a StatefulSet pod gets its serviceName. */
  readonly subdomain?: string;
}

export interface HostsService {
  readonly name: string;
  readonly namespace: string;
  readonly selector?: Labels;
  /** clusterIP: None */
  readonly headless: boolean;
  readonly publishNotReadyAddresses?: boolean;
}

/** The pods a Service's Endpoints list: selected, running, and Ready unless publishNotReadyAddresses. */
export function endpointsOf(svc: HostsService, pods: HostsPod[]): HostsPod[] {
  return pods.filter((p) => p.namespace === svc.namespace && p.ip && serviceSelects(svc.selector, p.labels)
    && (p.ready || svc.publishNotReadyAddresses === true));
}

/** Every name a pod in `fromNamespace` may use for a Service (search path: ns.svc.domain, svc.domain, domain). */
function serviceNames(name: string, namespace: string, domain: string, fromNamespace: string): string[] {
  const fqdn = `${name}.${namespace}.svc.${domain}`;
  const names = [fqdn, `${name}.${namespace}.svc`, `${name}.${namespace}`];
  if (namespace === fromNamespace) names.push(name);
  return names;
}

export function generateHosts(self: HostsPod, pods: HostsPod[], services: HostsService[], domain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file (emulated).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
  ];
  if (self.ip) {
    // What the kubelet writes for a pod with hostname and subdomain.
    lines.push(self.subdomain
      ? `${self.ip}\t${self.name}.${self.subdomain}.${self.namespace}.svc.${domain}\t${self.name}`
      : `${self.ip}\t${self.name}`);
  }
  const seen = new Set(lines);
  const add = (line: string) => {
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  };
  for (const svc of services) {
    const eps = endpointsOf(svc, pods);
    for (const p of eps) {
      // Per-pod records exist only on a headless Service the pod names as its subdomain.
      if (svc.headless && p.subdomain === svc.name) {
        const podNames = serviceNames(`${p.name}.${svc.name}`, svc.namespace, domain, self.namespace);
        add(`${p.ip}\t${podNames.join(' ')}`);
      }
    }
    // A ClusterIP is emulated by the addresses behind it (no virtual IP, no port translation).
    for (const p of eps) add(`${p.ip}\t${serviceNames(svc.name, svc.namespace, domain, self.namespace).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}
