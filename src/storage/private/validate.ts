// Internal helpers for storage constructs: not re-exported from index.ts (jsii exports classes,
// interfaces and enums only).
import { Duration } from 'cdk8s';
export { clusterScoped } from '../../core/kit/cluster-scoped';
export { kibibytes } from '../../core/units';

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

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether a string is a DNS-1123 subdomain (object names, CSI driver names). */
export function isSubdomain(value: string, maxLength: number = 253): boolean {
  return DNS_1123_SUBDOMAIN.test(value) && value.length <= maxLength;
}

/** A DNS-1123 subdomain built from free text: lower-case, runs of other characters become '-'. */
export function toSubdomainPart(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/\.+/g, '.').replace(/^[-.]+|[-.]+$/g, '');
}
