// Internal: not re-exported from index.ts.
import type { UpgradeFinding } from '../upgrade-finding';

/** Findings as readable text, one block each, with numbered migration steps. */
export function formatFindings(findings: UpgradeFinding[]): string {
  return findings.map((f) => {
    const where = `${f.kind}/${f.name}${f.namespace ? ` (namespace ${f.namespace})` : ''}`;
    const steps = f.migration.map((s, i) => `     ${i + 1}. ${s}`).join('\n');
    return `  - [${f.risk}] ${where}: ${f.message} [${f.id}]\n${steps}`;
  }).join('\n');
}
