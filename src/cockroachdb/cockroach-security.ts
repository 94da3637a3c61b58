/** Options of `CockroachSecurity.fromSecrets()`. */
export interface CockroachCertificateSecrets {
  /**
   * Secret with the node certificate: `ca.crt`, `node.crt`, `node.key` (as `cockroach cert
   * create-node` writes them) or `ca.crt`, `tls.crt`, `tls.key` (a cert-manager Certificate).
   * Its names must cover every node's stable DNS name, the client Service and `localhost`.
   */
  readonly nodeSecretName: string;
  /**
   * Secret with the `root` user's client certificate (`ca.crt`, `client.root.crt`,
   * `client.root.key`, or cert-manager's `tls.crt`/`tls.key` with common name `root`): the init
   * Job uses it.
   */
  readonly rootClientSecretName: string;
}

/**
 * How the nodes authenticate each other and their clients. Secure (certificates) is the only
 * mode for data that matters; insecure mode has no authentication and no encryption at all.
 */
export class CockroachSecurity {
  /** Certificates from Secrets you create (`cockroach cert`, cert-manager, or your PKI). */
  public static fromSecrets(secrets: CockroachCertificateSecrets): CockroachSecurity {
    return new CockroachSecurity(false, secrets);
  }

  /**
   * No TLS and no authentication (`--insecure`): anyone who reaches port 26257 is `root`.
   * For throwaway test clusters only; the construct adds a warning.
   */
  public static insecure(): CockroachSecurity {
    return new CockroachSecurity(true, undefined);
  }

  private constructor(
    /** Whether the cluster runs with `--insecure`. */
    public readonly isInsecure: boolean,
    /** The certificate Secrets (secure mode). */
    public readonly secrets: CockroachCertificateSecrets | undefined,
  ) {}
}
