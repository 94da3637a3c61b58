/**
 * Secrets the example systems create at run time (in-cluster Jobs), never at synth. They are
 * declared external to the validators; kustomize leaves references to them unprefixed because
 * they are not among its resources.
 */
export const EXAMPLE_RUNTIME_SECRETS: string[] = [];
