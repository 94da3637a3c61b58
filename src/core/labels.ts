import { DNS_1123_SUBDOMAIN } from './naming';

/** What `managed-by` says on every object this library writes. */
export const MANAGED_BY = 'cdk8s-stateful';

/** A label value: at most 63 chars of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function sanitizeLabelValue(v: string): string {
  return v.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Whether `v` is a valid label value (k8s.io/apimachinery IsValidLabelValue). */
export function isLabelValue(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE.test(v);
}

/** Whether `k` is a qualified name, `[prefix/]name` (label and annotation keys: IsQualifiedName). */
export function isQualifiedName(k: string): boolean {
  const parts = k.split('/');
  const name = parts.pop()!;
  const prefix = parts.join('/');
  const prefixOk = parts.length === 0 || (parts.length === 1 && prefix.length <= 253 && DNS_1123_SUBDOMAIN.test(prefix));
  return prefixOk && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** A valid label value close to `v`, for error messages. */
export function suggestLabelValue(v: string, fallback: string = 'my-app'): string {
  return v.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63) || fallback;
}

/** The recommended `app.kubernetes.io/*` label keys. */
export class LabelKeys {
  public static readonly NAME = 'app.kubernetes.io/name';
  public static readonly INSTANCE = 'app.kubernetes.io/instance';
  public static readonly COMPONENT = 'app.kubernetes.io/component';
  public static readonly PART_OF = 'app.kubernetes.io/part-of';
  public static readonly MANAGED_BY = 'app.kubernetes.io/managed-by';
  public static readonly VERSION = 'app.kubernetes.io/version';
  /** Set by the StatefulSet controller on every pod (beta in 1.28, GA in 1.32). */
  public static readonly POD_INDEX = 'apps.kubernetes.io/pod-index';
  /** Set by the StatefulSet controller on every pod. */
  public static readonly POD_NAME = 'statefulset.kubernetes.io/pod-name';
  private constructor() {}
}


/** Inputs to the recommended labels of one workload. */
export interface RecommendedLabelsProps {
  /** app.kubernetes.io/name: the application, e.g. `postgres`. */
  readonly appName: string;
  /** app.kubernetes.io/instance: this installation, e.g. `orders-db`. */
  readonly instance: string;
  /** app.kubernetes.io/component, e.g. `database`. @default - none */
  readonly component?: string;
  /** app.kubernetes.io/part-of. @default - none */
  readonly partOf?: string;
  /** app.kubernetes.io/version: on pods and Services only, never in selectors or claim templates. @default - none */
  readonly version?: string;
}

/** Builds the recommended labels; selectors only ever use the immutable subset. */
export class RecommendedLabels {
  constructor(private readonly props: RecommendedLabelsProps) {}

  /** name, instance and component: what never changes for the life of the workload. */
  public get selector(): { [key: string]: string } {
    const l: { [key: string]: string } = {
      [LabelKeys.NAME]: this.props.appName,
      [LabelKeys.INSTANCE]: this.props.instance,
    };
    if (this.props.component) l[LabelKeys.COMPONENT] = this.props.component;
    return l;
  }

  /** Selector plus part-of and managed-by: safe on claim templates (no version). */
  public get stable(): { [key: string]: string } {
    const l = { ...this.selector };
    if (this.props.partOf) l[LabelKeys.PART_OF] = this.props.partOf;
    l[LabelKeys.MANAGED_BY] = MANAGED_BY;
    return l;
  }

  /** All recommended labels, including the version. */
  public get all(): { [key: string]: string } {
    const l = { ...this.stable };
    if (this.props.version) l[LabelKeys.VERSION] = sanitizeLabelValue(this.props.version);
    return l;
  }
}
