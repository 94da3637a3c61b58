import { k8s } from 'cdk8s-plus-28';
import { ContainerSecurityOptions } from './container';

/** Pod and container security. Defaults satisfy the restricted Pod Security Standard. */
export interface WorkloadSecurityProps {
  /** runAsUser. @default 1000 */
  readonly user?: number;
  /** runAsGroup. @default 1000 */
  readonly group?: number;
  /** fsGroup: group ownership of mounted volumes. @default - the group */
  readonly fsGroup?: number;
  /**
   * Read-only root filesystem; give the paths the image writes with `scratchPaths`.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Enforce the restricted profile (runAsNonRoot, drop ALL, no privilege escalation, seccomp
   * RuntimeDefault). Turn off only for an image that must start as root, and say why.
   * @default true
   */
  readonly restricted?: boolean;
}

/** The pod security context of a workload. */
export function podSecurityContext(s: WorkloadSecurityProps = {}): k8s.PodSecurityContext {
  const group = s.group ?? 1000;
  return {
    runAsNonRoot: s.restricted ?? true ? true : undefined,
    runAsUser: s.user ?? 1000,
    runAsGroup: group,
    fsGroup: s.fsGroup ?? group,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The security context of one container of a workload. */
export function containerSecurityContext(s: WorkloadSecurityProps = {}, o: ContainerSecurityOptions = {}): k8s.SecurityContext {
  const restricted = s.restricted ?? true;
  return {
    runAsNonRoot: restricted && !o.privileged ? true : undefined,
    runAsUser: o.user,
    runAsGroup: o.group,
    privileged: o.privileged ? true : undefined,
    allowPrivilegeEscalation: o.privileged ? true : false,
    readOnlyRootFilesystem: o.readOnlyRootFilesystem ?? s.readOnlyRootFilesystem ?? true,
    capabilities: restricted && !o.privileged ? { drop: ['ALL'] } : undefined,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
