// A leaf module (the workload writes them on expandable claims; kit and systems on theirs).
// One home for the annotations that keep data-holding objects alive when the tool that applies
// the output would otherwise delete them (a claim that leaves the output on scale-in, a release
// uninstalled, an Argo CD app pruned).

/**
 * Annotations for claims and other objects that hold data:
 * - Helm keeps the object on uninstall/upgrade (`helm.sh/resource-policy: keep`);
 * - Argo CD never prunes it (`argocd.argoproj.io/sync-options: Prune=false`);
 * - Flux kustomize-controller with `prune: true` leaves it (`kustomize.toolkit.fluxcd.io/prune: disabled`).
 * kubectl's own `--prune` has no opt-out; the README says so.
 */
export function keepAnnotations(): { [key: string]: string } {
  return {
    'helm.sh/resource-policy': 'keep',
    'argocd.argoproj.io/sync-options': 'Prune=false',
    'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  };
}
