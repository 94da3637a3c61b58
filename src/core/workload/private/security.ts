// The restricted Pod Security Standard, written once for every pod this library emits.
import { k8s } from 'cdk8s-plus-28';

/** The restricted Pod Security Standard for one container; the pod context sets the ids. */
export function restrictedContainerSecurity(): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The restricted Pod Security Standard for a pod running as `user`/`group`. */
export function restrictedPodSecurity(user: number, group: number, fsGroup?: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: group, fsGroup, seccompProfile: { type: 'RuntimeDefault' } };
}
