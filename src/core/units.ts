// Internal helpers for quantities: not re-exported from index.ts.
import { Size, SizeRoundingBehavior } from 'cdk8s';

/** cdk8s `Size` → Kubernetes quantity, in the largest binary unit that keeps it integral. */
export function sizeToQuantity(size: Size): string {
  const ki = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  const units: Array<[string, number]> = [['Ti', 1024 ** 3], ['Gi', 1024 ** 2], ['Mi', 1024], ['Ki', 1]];
  for (const [u, f] of units) {
    if (ki >= f && Number.isInteger(ki / f)) return `${ki / f}${u}`;
  }
  return `${Math.round(ki * 1024)}`;
}

/** Size in KiB without rounding; NaN when it is fractional. */
export function kibibytes(size: Size): number {
  try {
    return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  } catch {
    return NaN;
  }
}
