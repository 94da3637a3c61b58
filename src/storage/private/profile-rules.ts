// Rules and parameter helpers the driver profiles share: not re-exported from index.ts.
import { Duration, Size } from 'cdk8s';
import { isLabelValue, isQualifiedName } from '../../core/labels';
import { isDns1123Subdomain } from '../../core/naming';
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
  /**
   * The driver's rules for one volume of a known size (whole GiB, as the driver rounds it), e.g.
   * EBS IOPS per GiB: an error text, or undefined. Checked by the StorageClass over the claims of
   * its class at synth.
   */
  readonly volumeProblem?: (gib: number) => string | undefined;
}

/** Optional parts of a driver's spec. */
export interface ProfileSpecExtras {
  /** Fewest zones a class must list. @default 1 */
  readonly minZones?: number;
  /** Rules for one volume of a known size. @default - none */
  readonly volumeProblem?: (gib: number) => string | undefined;
  /** Whether parameter values may be empty (`custom`: the driver's own business). @default false */
  readonly allowEmptyValues?: boolean;
}

/**
 * A driver's spec; `code` is the ValidationError code of its broken rules (`StorageProfileAwsEbsInvalid`).
 * Besides the driver's own `problems`, every profile gets the API server's StorageClass rules
 * (ValidateStorageClass): a provisioner that is a qualified name, at most 512 parameters of
 * 256 KiB in all with non-empty keys, a zone topology key that is a label key; and no empty
 * parameter value (the API accepts `""`, the driver fails at run time).
 */
export function profileSpec(
  code: string, config: StorageProfileConfig, problems: Array<string | undefined>, extras: ProfileSpecExtras = {},
): ProfileSpec {
  return {
    code,
    config,
    problems: [...problems, ...configProblems(config, extras.allowEmptyValues ?? false)],
    minZones: extras.minZones ?? 1,
    volumeProblem: extras.volumeProblem,
  };
}

const MAX_PARAMETERS = 512;
const MAX_PARAMETER_BYTES = 256 * 1024;

function configProblems(config: StorageProfileConfig, allowEmptyValues: boolean): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  const provisioner = config.provisioner;
  if (typeof provisioner !== 'string' || !isQualifiedName(provisioner.toLowerCase())) {
    out.push(`provisioner '${provisioner}' is not a provisioner name (a qualified name: at most 63 characters, or '<domain>/<name>'); the API server rejects the StorageClass`);
  }
  const entries = Object.entries(config.parameters);
  if (entries.length > MAX_PARAMETERS) out.push(`${entries.length} parameters; the API server allows at most ${MAX_PARAMETERS}`);
  let bytes = 0;
  for (const [k, v] of entries) {
    if (!k) out.push('parameter keys must not be empty');
    if (typeof v !== 'string') out.push(`parameter '${k}' must be a string, got ${v}`);
    else if (v === '' && !allowEmptyValues) out.push(`parameter '${k}' is empty; give a value or leave the option out`);
    bytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (bytes > MAX_PARAMETER_BYTES) out.push(`parameters hold ${bytes} bytes; the API server allows ${MAX_PARAMETER_BYTES} (256 KiB)`);
  const key = config.zoneTopologyKey;
  if (key !== undefined && (typeof key !== 'string' || !isQualifiedName(key))) {
    out.push(`zoneTopologyKey '${key}' is not a node label key (e.g. 'topology.kubernetes.io/zone'); the API server rejects allowedTopologies under it`);
  }
  return out;
}

export function fsTypeIn(profile: string, fs: FsType | undefined, allowed: FsType[]): string | undefined {
  if (fs !== undefined && !allowed.includes(fs)) {
    return `${profile}: fsType '${fs}' is not supported by this driver; use one of ${allowed.join(', ')}`;
  }
  return undefined;
}

/**
 * The `<prefix>-name` and `<prefix>-namespace` parameters of a CSI secret, after checking the
 * reference: an empty or invalid name would be written as `""` and fail every provisioning (or
 * mount) at run time, so the broken rule is pushed to `problems`. The external-provisioner's
 * templates (`${pvc.namespace}`, `${pvc.name}`, `${pv.name}`, `${pvc.annotations['…']}`) are kept.
 * @see https://kubernetes-csi.github.io/docs/secrets-and-credentials-storage-class.html
 */
export function secretParams(problems: Array<string | undefined>, what: string, prefix: string, s: SecretReference): { [key: string]: string } {
  problems.push(secretReferenceError(what, s));
  return { [`${prefix}-name`]: s.name, [`${prefix}-namespace`]: s.namespace };
}

const CSI_TEMPLATE = /\$\{(pv\.name|pvc\.name|pvc\.namespace|pvc\.annotations\['[^'\]]+'\])\}/g;

/** `what` names the option, e.g. `longhorn: encryptionSecret`. */
function secretReferenceError(what: string, s: SecretReference): string | undefined {
  // A template stands for a valid name at run time: check the literal text around it.
  const literal = (v: string, filler: string) => (typeof v === 'string' ? v.replace(CSI_TEMPLATE, filler) : '');
  if (typeof s.name !== 'string' || !isDns1123Subdomain(literal(s.name, 'x'))) {
    return `${what} name '${s.name}' is not a Secret name (a non-empty DNS-1123 subdomain, e.g. 'longhorn-crypto'); the driver could not read it`;
  }
  const ns = literal(s.namespace, 'x');
  if (typeof s.namespace !== 'string' || !(isDns1123Subdomain(ns) && ns.length <= 63 && !ns.includes('.'))) {
    return `${what} namespace '${s.namespace}' is not a namespace name (a non-empty DNS-1123 label, e.g. 'longhorn-system')`;
  }
  return undefined;
}

/** Error text unless `zone` can match a node's zone label (a non-empty label value). */
export function zoneValueError(zone: string): string | undefined {
  return typeof zone === 'string' && zone !== '' && isLabelValue(zone) ? undefined : `zone '${zone}' is not a zone label value (e.g. 'eu-west-1a'); no node can match it`;
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
