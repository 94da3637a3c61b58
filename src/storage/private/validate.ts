// Internal helpers for storage constructs: not re-exported from index.ts (jsii exports classes,
// interfaces and enums only).
export { clusterScoped } from '../../core/kit/cluster-scoped';
export { kibibytes } from '../../core/units';

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether a string is a DNS-1123 subdomain (object names, CSI driver names). */
export function isSubdomain(value: string, maxLength: number = 253): boolean {
  return DNS_1123_SUBDOMAIN.test(value) && value.length <= maxLength;
}

/** A DNS-1123 subdomain built from free text: lower-case, runs of other characters become '-'. */
export function toSubdomainPart(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/\.+/g, '.').replace(/^[-.]+|[-.]+$/g, '');
}
