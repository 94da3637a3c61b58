import { createHash } from 'crypto';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

// The one home of the apimachinery name rules (k8s.io/apimachinery/pkg/util/validation).
/** RFC 1035 label: Services, StatefulSets (and so pods and claims) are named this way. */
export const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 label: container, port and volume names. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: most object names (ConfigMaps, Secrets, StorageClasses, PVs). */
export const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `v` is a DNS-1123 subdomain of at most 253 characters. */
export function isDns1123Subdomain(v: string): boolean {
  return v.length <= 253 && DNS_1123_SUBDOMAIN.test(v);
}

/**
 * Longest StatefulSet name: its pods carry `controller-revision-hash=<name>-<10 char hash>`,
 * which must fit a 63 character label value.
 */
export const MAX_STATEFULSET_NAME = 52;

/** Short content hash for names that must change with their content (immutable Jobs, derived names). */
export function shortHash(value: string, length: number = 8): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/** Names of objects: stable, readable, validated. */
export class Names {
  /**
   * The name of a stateful object: the explicit `name` if given, else the construct id as-is.
   * Never hashed and never rewritten: a different name means new, empty disks.
   */
  public static stable(scope: IConstruct, name: string | undefined, maxLength: number = 63): string {
    const n = name ?? scope.node.id;
    const what = name === undefined ? `construct id '${n}' (used as the object name)` : `name '${n}'`;
    if (!DNS_1035.test(n) || n.length > maxLength) {
      const suggestion = n.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, maxLength) || 'my-db';
      throw new ValidationError(
        'NameInvalid',
        `${what} must be a DNS-1035 label of at most ${maxLength} characters (lower-case letters, digits and '-', starting with a letter, ending alphanumeric); ` +
          `use a name such as '${suggestion}'${name === undefined ? " or set the 'name' prop" : ''}`,
        scope,
      );
    }
    return n;
  }

  /** Throws unless `value` is a DNS-1035 label no longer than `maxLength`. */
  public static assertDns1035(scope: IConstruct, what: string, value: string, maxLength: number = 63): void {
    if (!DNS_1035.test(value) || value.length > maxLength) {
      throw new ValidationError(
        'NameNotDns1035',
        `${what} '${value}' must be a DNS-1035 label of at most ${maxLength} characters (lower-case letters, digits and '-', starting with a letter)`,
        scope,
      );
    }
  }

  /** Throws unless `value` is a DNS-1123 label (port names, container names...). */
  public static assertDns1123Label(scope: IConstruct, what: string, value: string, maxLength: number = 63): void {
    if (!DNS_1123_LABEL.test(value) || value.length > maxLength) {
      throw new ValidationError(
        'NameNotDns1123Label',
        `${what} '${value}' must be a DNS-1123 label of at most ${maxLength} characters (lower-case letters, digits and '-')`,
        scope,
      );
    }
  }

  /** Throws unless `value` is a DNS-1123 subdomain (object names such as ConfigMaps and StorageClasses). */
  public static assertDns1123Subdomain(scope: IConstruct, what: string, value: string): void {
    if (!DNS_1123_SUBDOMAIN.test(value) || value.length > 253) {
      throw new ValidationError(
        'NameNotDns1123Subdomain',
        `${what} '${value}' must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)`,
        scope,
      );
    }
  }

  private constructor() {}
}
