import { formatFindings } from './private/format';
import type { UpgradeFinding } from './upgrade-finding';

// Not re-exported from index.ts: jsii cannot expose a subclass of Error (aws/jsii#50), as with
// core/errors.ts. TypeScript users import it from `cdk8s-stateful/lib/upgrade/unsafe-upgrade-error`.

/** Thrown by `UpgradeSafety.assertSafe()`: lists every unsafe change with its migration. */
export class UnsafeUpgradeError extends Error {
  /** The findings. */
  public readonly findings: UpgradeFinding[];

  constructor(findings: UpgradeFinding[]) {
    super(`upgrade-safety: ${findings.length} unsafe change(s):\n${formatFindings(findings)}`);
    this.name = 'UnsafeUpgradeError';
    this.findings = findings;
    Object.setPrototypeOf(this, UnsafeUpgradeError.prototype);
  }
}

