/**
 * Secrets the examples expect the user to create (CockroachDB's certificates: docs/cockroachdb.md).
 * Secrets the example systems create at run time (in-cluster Jobs) resolve without being listed.
 * They are declared external to the validators; kustomize leaves references to them unprefixed
 * because they are not among its resources.
 */
export const EXAMPLE_RUNTIME_SECRETS: string[] = ['ledger-node', 'ledger-root'];
