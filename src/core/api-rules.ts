// Rules the API server (k8s.io/apimachinery validation, pkg/apis/core/validation, the CronJob
// controller) applies to values users give us, as pure functions returning an error text or
// undefined. Constructs turn a text into a ValidationError with their own code; the property
// tests (test/property/) check synthesized output against the same rules.
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { isLabelValue, isQualifiedName } from './labels';
import { kibibytes, sizeToQuantity } from './units';

/** Largest int32: the API's limit for counts, ids and seconds. */
export const MAX_INT32 = 2 ** 31 - 1;

/** Largest size a quantity written by this library may hold: 1 PiB per volume or container. */
export const MAX_SIZE_KIB = 1024 ** 4;

/**
 * An env var name as the API server accepts it (IsEnvVarName, k8s.io/apimachinery
 * pkg/util/validation): letters, digits, '_', '-' and '.', not starting with a digit.
 */
export function isEnvVarName(name: string): boolean {
  return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name);
}

/**
 * A Secret or ConfigMap key (IsConfigMapKey): 1-253 characters from [-._a-zA-Z0-9], not '.' or '..'.
 */
export function isConfigKey(key: string): boolean {
  return key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key) && key !== '.' && key !== '..';
}

/** Error text unless `d` is a whole number of seconds within [min, max]. */
export function wholeSecondsError(what: string, d: Duration, min: number, max: number = MAX_INT32): string | undefined {
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms % 1000 !== 0 || ms / 1000 < min || ms / 1000 > max) {
    return `${what} must be a whole number of seconds from ${min} to ${max}, got ${Number.isFinite(ms) ? `${ms / 1000}s` : String(ms)}; ` +
      `use e.g. Duration.seconds(${Math.min(Math.max(min, 1), max)})`;
  }
  return undefined;
}

/** Error text unless `n` is a whole number within [min, max]. */
export function intError(what: string, n: number, min: number, max: number = MAX_INT32): string | undefined {
  if (!Number.isInteger(n) || n < min || n > max) return `${what} must be a whole number from ${min} to ${max}, got ${n}`;
  return undefined;
}

/** Error text unless `size` is finite and within [minKiB, MAX_SIZE_KIB]. */
export function sizeError(what: string, size: Size, minKiB: number): string | undefined {
  const kib = kibibytes(size);
  if (!Number.isFinite(kib) || kib < minKiB || kib > MAX_SIZE_KIB) {
    const shown = Number.isFinite(kib) ? sizeToQuantity(size) : String(kib);
    return `${what} is ${shown}; give a size from ${minKiB >= 1024 ? `${minKiB / 1024}Mi` : `${minKiB}Ki`} to 1Pi, e.g. Size.gibibytes(10)`;
  }
  return undefined;
}

/** Millicores of a cdk8s-plus Cpu amount ('500m', '2', '0.5'); NaN when it is not a quantity. */
export function millicores(amount: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(amount);
  if (!m) return NaN;
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Error text for requests above limits, or quantities the API cannot hold. */
export function resourcesError(what: string, r: kplus.ContainerResources | undefined): string | undefined {
  if (!r) return undefined;
  for (const [k, q] of [['cpu request', r.cpu?.request], ['cpu limit', r.cpu?.limit]] as const) {
    if (q && !(millicores(q.amount) > 0 && Number.isFinite(millicores(q.amount)))) {
      return `${what}: ${k} '${q.amount}' is not a positive CPU quantity; use e.g. Cpu.millis(250)`;
    }
  }
  for (const [k, s] of [
    ['memory request', r.memory?.request], ['memory limit', r.memory?.limit],
    ['ephemeral-storage request', r.ephemeralStorage?.request], ['ephemeral-storage limit', r.ephemeralStorage?.limit],
  ] as const) {
    if (s) {
      const e = sizeError(`${what}: ${k}`, s, 1);
      if (e) return e;
    }
  }
  const cpuReq = r.cpu?.request && millicores(r.cpu.request.amount);
  const cpuLim = r.cpu?.limit && millicores(r.cpu.limit.amount);
  if (cpuReq && cpuLim && cpuReq > cpuLim) {
    return `${what}: cpu request ${r.cpu!.request!.amount} is above its limit ${r.cpu!.limit!.amount}; the API server rejects it. Lower the request or raise the limit`;
  }
  for (const [k, req, lim] of [['memory', r.memory?.request, r.memory?.limit], ['ephemeral-storage', r.ephemeralStorage?.request, r.ephemeralStorage?.limit]] as const) {
    if (req && lim && kibibytes(req) > kibibytes(lim)) {
      return `${what}: ${k} request ${sizeToQuantity(req)} is above its limit ${sizeToQuantity(lim)}; the API server rejects it. Lower the request or raise the limit`;
    }
  }
  return undefined;
}

/** Error text unless every key is a qualified name and every value a label value. */
export function labelsError(what: string, labels: { [key: string]: string } | undefined): string | undefined {
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!isQualifiedName(k)) return `${what} key '${k}' is not a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.'`;
    if (typeof v !== 'string' || !isLabelValue(v)) return `${what} '${k}' has value '${v}', which is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric`;
  }
  return undefined;
}

/** Error text unless every key is a qualified name and all annotations fit 256 KiB (ValidateAnnotations). */
export function annotationsError(what: string, annotations: { [key: string]: string } | undefined): string | undefined {
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (!isQualifiedName(k)) return `${what} key '${k}' is not an annotation key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.'`;
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > 256 * 1024) return `${what} total ${total} bytes; the API server allows 262144 (256 KiB). Move large values into a ConfigMap`;
  return undefined;
}

/** Already normal: absolute, no empty, '.' or '..' segment, no trailing slash. */
const NORMAL_PATH = /^(\/(?!\.\.?(\/|$))[^/]+)+$/;

/**
 * A mount path as the kubelet sees it: absolute, without `..`, `.`, `//` or a trailing slash.
 * Returns the normal form, or an error text.
 */
export function normalizeMountPath(what: string, p: string): { path?: string; error?: string } {
  if (typeof p === 'string' && NORMAL_PATH.test(p)) return { path: p };
  if (typeof p !== 'string' || !p.startsWith('/')) return { error: `${what} '${p}' is not an absolute path; give e.g. '/data'` };
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) return { error: `${what} '${p}' contains '..'; give the path without it` };
  if (!parts.length) return { error: `${what} '${p}' is the root directory; mount below it, e.g. '/data'` };
  return { path: '/' + parts.join('/') };
}

/** Whether `inner` is `outer` or a path below it (both normalized). */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer + '/');
}

/** Error text unless `p` is a relative path without `..` (subPath, ValidateSubPath). */
export function subPathError(what: string, p: string): string | undefined {
  if (p.startsWith('/')) return `${what} '${p}' must be a relative path; give e.g. 'pgdata'`;
  if (p.split('/').includes('..')) return `${what} '${p}' must not contain '..'`;
  return undefined;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: Array<[string, number, number, string[]]> = [
  ['minute', 0, 59, []], ['hour', 0, 23, []], ['day of month', 1, 31, []], ['month', 1, 12, MONTHS], ['day of week', 0, 7, DAYS],
];
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Error text unless `expr` is a schedule the CronJob controller parses (robfig/cron v3
 * ParseStandard: five fields of `*`, numbers, names, ranges, lists and steps; or a descriptor).
 */
export function cronError(expr: string): string | undefined {
  const e = (expr ?? '').trim();
  if (DESCRIPTORS.has(e)) return undefined;
  if (/^(TZ|CRON_TZ)=/.test(e)) return `schedule '${expr}' sets its time zone inline; use the timeZone option instead`;
  const fields = e.split(/\s+/);
  if (fields.length !== 5) return `schedule '${expr}' must have five fields (minute hour day-of-month month day-of-week), e.g. '0 2 * * *'`;
  for (let i = 0; i < 5; i++) {
    const [name, min, max, names] = CRON_FIELDS[i];
    for (const part of fields[i].split(',')) {
      const bad = cronPartError(part, min, max, names);
      if (bad) return `schedule '${expr}': ${name} '${part}' ${bad} (${min}-${max})`;
    }
  }
  return undefined;
}

function cronPartError(part: string, min: number, max: number, names: string[]): string | undefined {
  const [range, step, ...rest] = part.split('/');
  if (rest.length) return 'has more than one step';
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return 'has a step that is not a whole number ≥ 1';
  if (range === '*' || range === '?') return undefined;
  const value = (s: string): number => {
    const idx = names.indexOf(s.toUpperCase());
    if (idx >= 0) return idx + min;
    return /^\d+$/.test(s) ? Number(s) : NaN;
  };
  const ends = range.split('-');
  if (ends.length > 2) return 'is not a value or a range';
  const lo = value(ends[0]);
  const hi = ends.length === 2 ? value(ends[1]) : lo;
  if (!(lo >= min && hi <= max && lo <= hi)) return 'is out of range';
  return undefined;
}

/** Error text unless `tz` is an IANA time zone name (the CronJob controller loads it with time.LoadLocation). */
export function timeZoneError(tz: string): string | undefined {
  if (tz === 'Local' || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz ?? '')) {
    return `timeZone '${tz}' is not an IANA time zone name; use e.g. 'Etc/UTC' or 'Europe/Berlin'`;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `timeZone '${tz}' is not an IANA time zone name; use e.g. 'Etc/UTC' or 'Europe/Berlin'`;
  }
}
