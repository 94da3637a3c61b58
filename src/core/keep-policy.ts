// A leaf module (the workload writes them on expandable claims; kit and systems on theirs).
// One home for the annotations that tell the tool applying the output how to treat an object:
// keep data-holding objects alive when it would otherwise delete them (a claim that leaves the
// output on scale-in, a release uninstalled, an Argo CD app pruned or deleted), and apply what a
// workload needs before the workload (docs/gitops.md).

/** Argo CD's sync-wave annotation: lower waves are applied, and healthy, before higher ones (default 0). */
export const ARGO_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * Annotations for claims and other objects that hold data:
 * - Helm keeps the object on uninstall/upgrade (`helm.sh/resource-policy: keep`);
 * - Argo CD never prunes it, and leaves it when the Application is deleted
 *   (`argocd.argoproj.io/sync-options: Prune=false,Delete=false`);
 * - Flux kustomize-controller with `prune: true` leaves it (`kustomize.toolkit.fluxcd.io/prune: disabled`).
 * kubectl's own `--prune` has no opt-out; the README says so.
 */
export function keepAnnotations(): { [key: string]: string } {
  return {
    'helm.sh/resource-policy': 'keep',
    'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
    'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  };
}

/**
 * Annotations for objects a StatefulSet's pods need before they start (the Job that generates
 * their Secret, and its RBAC): Argo CD applies them in wave -1 and waits until the Job has
 * completed before it applies the StatefulSets (wave 0, Argo CD's default, left unannotated).
 */
export function beforeWorkloadAnnotations(): { [key: string]: string } {
  return { [ARGO_SYNC_WAVE]: '-1' };
}
