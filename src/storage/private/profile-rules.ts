// Rules and parameter helpers the driver profiles share: not re-exported from index.ts.
import { Duration, Size } from 'cdk8s';
import { kibibytes } from '../../core/units';
import { FsType, SecretReference, StorageProfileConfig } from '../profiles/common';

export const ZONE = 'topology.kubernetes.io/zone';
export const FSTYPE = 'csi.storage.k8s.io/fstype';

/** What a driver's options resolve to: its config, and every broken rule (undefined where none). */
export interface ProfileSpec {
  /** The ValidationError code of a broken rule, e.g. `StorageProfileAwsEbsInvalid`. */
  readonly code: string;
  readonly config: StorageProfileConfig;
  readonly problems: Array<string | undefined>;
  /** Fewest zones a class of this profile must list. */
  readonly minZones: number;
}

/** A driver's spec; `code` is the ValidationError code of its broken rules (`StorageProfileAwsEbsInvalid`). */
export function profileSpec(code: string, config: StorageProfileConfig, problems: Array<string | undefined>, minZones: number = 1): ProfileSpec {
  return { code, config, problems, minZones };
}

export function fsTypeIn(profile: string, fs: FsType | undefined, allowed: FsType[]): string | undefined {
  if (fs !== undefined && !allowed.includes(fs)) {
    return `${profile}: fsType '${fs}' is not supported by this driver; use one of ${allowed.join(', ')}`;
  }
  return undefined;
}

export function secretParams(prefix: string, s: SecretReference): { [key: string]: string } {
  return { [`${prefix}-name`]: s.name, [`${prefix}-namespace`]: s.namespace };
}

export function powerOfTwoKib(what: string, size: Size | undefined, minKib: number, maxKib: number): string | undefined {
  if (size === undefined) return undefined;
  const k = kibibytes(size);
  if (!Number.isInteger(k) || k < minKib || k > maxKib || !Number.isInteger(Math.log2(k))) {
    return `${what} must be a power of two from ${minKib}Ki to ${maxKib}Ki, e.g. Size.kibibytes(128)`;
  }
  return undefined;
}

/** A whole number within [min, max], or an error message naming the value and the range. */
export function checkInt(what: string, value: number | undefined, min: number, max: number, why: string = ''): string | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    return `${what} must be a whole number from ${min} to ${max}${why ? ` (${why})` : ''}, got ${value}`;
  }
  return undefined;
}

/** Whole minutes of a Duration, or undefined when it is not a whole positive number of minutes. */
export function wholeMinutes(d: Duration): number | undefined {
  const m = d.toMinutes({ integral: false });
  return Number.isInteger(m) && m >= 1 ? m : undefined;
}
