import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Certificate, CertificateSpecKeystoresPkcs12Profile, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyEncoding,
  CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages, Issuer,
} from '../../imports/cert-manager.io';
import { ValidationError } from '../errors';
import { LabelKeys, MANAGED_BY } from '../labels';
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN } from '../naming';
import { registerObjects } from '../registry';
import { StatefulWorkload } from '../workload/stateful-workload';
import { WorkloadVolume } from '../workload/volumes';

/** The kind of a cert-manager issuer. */
export enum TlsIssuerKind {
  /** A namespaced `Issuer` (in the certificate's namespace). */
  ISSUER = 'Issuer',
  /** A cluster-wide `ClusterIssuer`. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** A cert-manager issuer that signs the certificates. */
export interface TlsIssuerRef {
  /** The issuer's name. */
  readonly name: string;
  /** @default TlsIssuerKind.ISSUER */
  readonly kind?: TlsIssuerKind;
}

/** Options of `Tls.certManager()`. */
export interface CertManagerTlsOptions {
  /**
   * The issuer that signs the certificates (your CA, Vault, ACME… issuer). Exactly one of
   * `issuer` and `selfSignedCa` is set.
   * @default - none: set `selfSignedCa`
   */
  readonly issuer?: TlsIssuerRef;
  /**
   * Bootstrap a private CA in the namespace: a self-signing `Issuer`, a CA `Certificate`
   * (`<name>-ca`, 10 years, its key in Secret `<name>-ca`) and a CA `Issuer` (`<name>-ca`) that
   * signs the certificates. Clients trust `ca.crt` of the certificate Secret.
   * @default false
   */
  readonly selfSignedCa?: boolean;
  /** Validity of each certificate (cert-manager: at least 1 hour). @default Duration.days(90) */
  readonly duration?: Duration;
  /**
   * How long before expiry cert-manager renews (at least 5 minutes, less than `duration`).
   * @default Duration.days(30)
   */
  readonly renewBefore?: Duration;
}

/** Options of `Tls.fromSecret()`: a `kubernetes.io/tls` Secret made by you or another tool. */
export interface SecretTlsOptions {
  /** The Secret's name (in the workload's namespace). */
  readonly secretName: string;
  /** Key of the PEM certificate (chain). @default 'tls.crt' */
  readonly certKey?: string;
  /** Key of the PEM private key. @default 'tls.key' */
  readonly keyKey?: string;
  /** Key of the PEM CA certificate clients verify against. @default 'ca.crt' */
  readonly caKey?: string;
}

/** A PKCS#12 keystore cert-manager writes next to the PEM files (`keystore.p12`, `truststore.p12`). */
export interface TlsPkcs12Options {
  /** Name of the Secret with the keystore password (it must exist before the certificate is issued). */
  readonly passwordSecretName: string;
  /** @default 'password' */
  readonly passwordKey?: string;
}

/** What a system (or you) asks a `Tls` for. */
export interface TlsCertificateOptions {
  /** Name of the Certificate and of its Secret. */
  readonly name: string;
  /**
   * DNS names (subjectAltNames). A function of the workload: `Tls.workloadDnsNames()`.
   * Evaluated when the app synthesizes, so Services added later can be included by the caller.
   */
  readonly dnsNames: string[];
  /** Subject common name, at most 64 characters. @default - none (the DNS names identify the holder) */
  readonly commonName?: string;
  /** Server authentication (extended key usage). @default true */
  readonly serverAuth?: boolean;
  /** Client authentication (extended key usage): mutual TLS between peers, or a client certificate. @default false */
  readonly clientAuth?: boolean;
  /** Also write a PKCS#12 keystore and truststore (Java). @default - PEM only */
  readonly pkcs12?: TlsPkcs12Options;
  /** Labels of the Certificate. @default - none */
  readonly labels?: { [key: string]: string };
}

/** Options of `TlsCertificate.mount()`. */
export interface TlsMountOptions {
  /** Directory of the files. */
  readonly mountPath: string;
  /** Volume name. @default 'tls' */
  readonly volumeName?: string;
  /** Mount the private key too (a server); false mounts the CA certificate only (a client). @default true */
  readonly includeKey?: boolean;
}

const HOUR = 3600;

/** TlsCertificateOptions with the DNS names computed at synthesis. */
type LazyCertificateOptions = Omit<TlsCertificateOptions, 'dnsNames'> & { readonly dnsNames: () => string[] };

/**
 * TLS certificates for a workload: issued by cert-manager (`Tls.certManager`) or taken from a
 * Secret you manage (`Tls.fromSecret`). Systems take it as a `tls` prop; for a workload of your
 * own, `tls.issue(scope, id, { name, dnsNames: Tls.workloadDnsNames(workload) })` and
 * `certificate.mount(workload, { mountPath })`.
 */
export class Tls {
  /** Certificates issued by cert-manager (`cert-manager.io/v1` Certificate objects in the output). */
  public static certManager(options: CertManagerTlsOptions): Tls {
    return new Tls(options, undefined);
  }

  /** A `kubernetes.io/tls` Secret made by you or another tool (cert-manager elsewhere, Vault…); nothing is issued. */
  public static fromSecret(options: SecretTlsOptions): Tls {
    return new Tls(undefined, options);
  }

  /**
   * Every name a client may use for a workload's pods and Services: per pod
   * `<pod>.<headless>.<ns>.svc.<clusterDomain>` and its shorter forms (`<pod>.<headless>.<ns>.svc`,
   * `<pod>.<headless>.<ns>`, `<pod>.<headless>`), and the same four forms of the headless
   * Service, of each client Service of `workload.services` and of `extraServices`. Needs the
   * chart's namespace (a certificate names it).
   */
  public static workloadDnsNames(workload: StatefulWorkload, extraServices: string[] = []): string[] {
    const ns = workload.namespace;
    if (!ns) {
      throw new ValidationError('TlsNamespaceMissing',
        `workload '${workload.name}': a certificate names the namespace (<pod>.<headless>.<namespace>.svc.${workload.clusterDomain}), ` +
          'and the chart sets none; set `namespace` on the Chart', workload);
    }
    const forms = (host: string) => [host, `${host}.${ns}`, `${host}.${ns}.svc`, `${host}.${ns}.svc.${workload.clusterDomain}`];
    const headless = workload.headlessService.name;
    const names: string[] = [];
    for (let i = 0; i < workload.replicas; i++) names.push(...forms(`${workload.podName(workload.ordinalsStart + i)}.${headless}`));
    for (const s of [headless, ...workload.services.all.map((x) => x.name), ...extraServices]) names.push(...forms(s));
    return [...new Set(names)];
  }

  /** Whether cert-manager issues the certificates. */
  public readonly issued: boolean;
  /** The issuer, when cert-manager issues with one of yours. */
  public readonly issuer?: TlsIssuerRef;
  /** Whether a private CA is bootstrapped. */
  public readonly selfSignedCa: boolean;

  private readonly cas = new Map<string, TlsCa>();

  private constructor(private readonly cm: CertManagerTlsOptions | undefined, private readonly secret: SecretTlsOptions | undefined) {
    this.issued = cm !== undefined;
    this.issuer = cm?.issuer;
    this.selfSignedCa = cm?.selfSignedCa ?? false;
  }

  /**
   * The certificate `options` describe: a cert-manager Certificate (and, with `selfSignedCa`, the
   * CA bootstrap once per namespace and Tls), or the Secret of `Tls.fromSecret` as it is.
   */
  public issue(scope: Construct, id: string, options: TlsCertificateOptions): TlsCertificate {
    return this._issueWith(scope, id, options, () => options.dnsNames);
  }

  /** @internal `issue()` with DNS names computed when the app synthesizes (e.g. of pools added later). */
  public _issueWith(scope: Construct, id: string, options: TlsCertificateOptions, dnsNames: () => string[]): TlsCertificate {
    this.check(scope);
    if (!DNS_1123_SUBDOMAIN.test(options.name) || options.name.length > 253) {
      throw new ValidationError('TlsCertificateNameInvalid', `certificate name '${options.name}' is not a DNS subdomain (lowercase letters, digits, '-', '.')`, scope);
    }
    const known = this.cas.size;
    const ca = this.ca(scope, options.name);
    return TlsCertificate._create(scope, id, this, { ...options, dnsNames }, ca, this.cas.size > known);
  }

  /** @internal The cert-manager settings, or undefined for a Secret. */
  public get _certManager(): CertManagerTlsOptions | undefined {
    return this.cm;
  }

  /** @internal The Secret settings, or undefined for cert-manager. */
  public get _secret(): SecretTlsOptions | undefined {
    return this.secret;
  }

  private check(scope: Construct): void {
    const s = this.secret;
    if (s) {
      if (!DNS_1123_SUBDOMAIN.test(s.secretName)) {
        throw new ValidationError('TlsSecretNameInvalid', `Tls.fromSecret: secretName '${s.secretName}' is not a valid Secret name (a DNS subdomain)`, scope);
      }
      for (const [k, v] of [['certKey', s.certKey], ['keyKey', s.keyKey], ['caKey', s.caKey]] as const) {
        if (v !== undefined && (!/^[-._a-zA-Z0-9]+$/.test(v) || v === '.' || v === '..')) {
          throw new ValidationError('TlsSecretKeyInvalid', `Tls.fromSecret: ${k} '${v}' is not a Secret key (letters, digits, '-', '_', '.')`, scope);
        }
      }
      return;
    }
    const o = this.cm!;
    if (o.issuer && o.selfSignedCa) {
      throw new ValidationError('TlsIssuerConflict',
        `Tls.certManager: both 'issuer' (${o.issuer.name}) and 'selfSignedCa' are set; use your issuer, or drop it to bootstrap a private CA`, scope);
    }
    if (!o.issuer && !o.selfSignedCa) {
      throw new ValidationError('TlsIssuerMissing',
        "Tls.certManager: no issuer; set issuer: { name: '<issuer>', kind: TlsIssuerKind.CLUSTER_ISSUER } or selfSignedCa: true", scope);
    }
    if (o.issuer && (!DNS_1123_SUBDOMAIN.test(o.issuer.name) || o.issuer.name.length > 253)) {
      throw new ValidationError('TlsIssuerNameInvalid', `Tls.certManager: issuer name '${o.issuer.name}' is not a valid object name (a DNS subdomain)`, scope);
    }
    const duration = seconds(o.duration ?? Duration.days(90));
    if (!(duration >= HOUR) || duration % 1 !== 0) {
      throw new ValidationError('TlsDurationInvalid',
        `Tls.certManager: duration ${duration}s is shorter than cert-manager's minimum of 1 hour or not whole seconds; use e.g. Duration.days(90)`, scope);
    }
    const renew = seconds(o.renewBefore ?? Duration.days(30));
    if (!(renew >= 300 && renew < duration) || renew % 1 !== 0) {
      throw new ValidationError('TlsRenewBeforeInvalid',
        `Tls.certManager: renewBefore ${renew}s must be whole seconds, at least 5 minutes and less than duration (${duration}s); use e.g. a third of duration`, scope);
    }
  }

  /** The CA bootstrap of a namespace (created once per Tls and namespace), when `selfSignedCa`. */
  private ca(scope: Construct, certificateName: string): TlsCa | undefined {
    if (!this.selfSignedCa) return undefined;
    const ns = Chart.of(scope).namespace ?? '';
    let ca = this.cas.get(ns);
    if (!ca) {
      ca = new TlsCa(scope, `TlsCa-${certificateName}`, `${certificateName}-ca`);
      this.cas.set(ns, ca);
    }
    return ca;
  }
}

/** The private CA of `selfSignedCa`: SelfSigned Issuer → CA Certificate → CA Issuer. */
class TlsCa extends Construct {
  public readonly selfSignedIssuer: ApiObject;
  public readonly certificate: ApiObject;
  public readonly issuer: ApiObject;

  constructor(scope: Construct, id: string, public readonly name: string) {
    super(scope, id);
    const labels = { [LabelKeys.MANAGED_BY]: MANAGED_BY };
    this.selfSignedIssuer = new Issuer(this, 'SelfSigned', { metadata: { name: `${name}-selfsigned`, labels }, spec: { selfSigned: {} } });
    this.certificate = new Certificate(this, 'Certificate', {
      metadata: { name, labels },
      spec: {
        isCa: true,
        commonName: name.slice(0, 64), // cert-manager: at most 64 characters
        secretName: name,
        duration: goDuration(Duration.days(3650)),
        renewBefore: goDuration(Duration.days(365)),
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        issuerRef: { name: `${name}-selfsigned`, kind: TlsIssuerKind.ISSUER, group: 'cert-manager.io' },
      },
    });
    this.issuer = new Issuer(this, 'Issuer', { metadata: { name, labels }, spec: { ca: { secretName: name } } });
    registerObjects(this, this.selfSignedIssuer, this.certificate, this.issuer);
  }
}

/**
 * A certificate a workload serves or presents: its Secret (PEM `tls.crt`, `tls.key`, `ca.crt`,
 * and with PKCS#12 `keystore.p12`, `truststore.p12`), and the cert-manager objects that keep it
 * renewed.
 */
export class TlsCertificate extends Construct {
  /** @internal */
  public static _create(
    scope: Construct, id: string, tls: Tls, options: LazyCertificateOptions, ca: TlsCa | undefined, caCreated: boolean,
  ): TlsCertificate {
    return new TlsCertificate(scope, id, tls, options, ca, caCreated);
  }

  /** The Secret holding the certificate. */
  public readonly secretName: string;
  /** Key of the PEM certificate. */
  public readonly certKey: string;
  /** Key of the PEM private key. */
  public readonly keyKey: string;
  /** Key of the PEM CA certificate. */
  public readonly caKey: string;
  /** The cert-manager Certificate, when issued. */
  public readonly certificate?: ApiObject;
  /** The CA bootstrap objects (SelfSigned Issuer, CA Certificate, CA Issuer), when this certificate created them. */
  public readonly caObjects: ApiObject[];

  private constructor(scope: Construct, id: string, tls: Tls, options: LazyCertificateOptions, ca: TlsCa | undefined, caCreated: boolean) {
    super(scope, id);
    const s = tls._secret;
    this.secretName = s ? s.secretName : options.name;
    this.certKey = s?.certKey ?? 'tls.crt';
    this.keyKey = s?.keyKey ?? 'tls.key';
    this.caKey = s?.caKey ?? 'ca.crt';
    this.caObjects = ca && caCreated ? [ca.selfSignedIssuer, ca.certificate, ca.issuer] : [];
    const cm = tls._certManager;
    if (!cm) return;
    const issuerRef = ca
      ? { name: ca.name, kind: TlsIssuerKind.ISSUER, group: 'cert-manager.io' }
      : { name: cm.issuer!.name, kind: cm.issuer!.kind ?? TlsIssuerKind.ISSUER, group: 'cert-manager.io' };
    const usages = [CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.KEY_ENCIPHERMENT];
    if (options.serverAuth ?? true) usages.push(CertificateSpecUsages.SERVER_AUTH);
    if (options.clientAuth) usages.push(CertificateSpecUsages.CLIENT_AUTH);
    const p12 = options.pkcs12;
    this.certificate = new Certificate(this, 'Resource', {
      metadata: { name: options.name, labels: options.labels },
      spec: Lazy.any({
        produce: () => {
          const dnsNames = options.dnsNames();
          return {
            secretName: options.name,
            // No default common name: the subjectAltNames are what TLS checks, and cert-manager's webhook
            // refuses a common name over 64 characters (a pod's full name can be longer).
            commonName: options.commonName,
            dnsNames: dnsNames.length ? dnsNames : undefined,
            duration: goDuration(cm.duration ?? Duration.days(90)),
            renewBefore: goDuration(cm.renewBefore ?? Duration.days(30)),
            usages,
            // PKCS#8: what Kafka's PEM keystore and every TLS library read; a new key at each renewal.
            privateKey: {
              algorithm: CertificateSpecPrivateKeyAlgorithm.RSA,
              size: 2048,
              encoding: CertificateSpecPrivateKeyEncoding.PKCS8,
              rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
            },
            issuerRef,
            secretTemplate: { labels: { [LabelKeys.MANAGED_BY]: MANAGED_BY } },
            keystores: p12 ? {
              pkcs12: {
                create: true,
                passwordSecretRef: { name: p12.passwordSecretName, key: p12.passwordKey ?? 'password' },
                profile: CertificateSpecKeystoresPkcs12Profile.MODERN2023,
              },
            } : undefined,
          };
        },
      }),
    });
    if (ca) this.certificate.addDependency(ca.issuer);
    registerObjects(this, this.certificate);
  }

  /**
   * Mount the certificate in a workload's main container, read-only, files mode 0440 (owner
   * root, group the pod's fsGroup: PostgreSQL, for one, accepts a root-owned key only without
   * group write or other access). `includeKey: false` mounts `ca.crt` only.
   */
  public mount(workload: StatefulWorkload, options: TlsMountOptions): void {
    const name = options.volumeName ?? 'tls';
    if (!DNS_1123_LABEL.test(name)) {
      throw new ValidationError('TlsVolumeNameInvalid', `volume name '${name}' is not a DNS label (lowercase letters, digits and '-')`, workload);
    }
    const secret = kplus.Secret.fromSecretName(workload, `TlsSecret-${name}`, this.secretName);
    workload.volumes.add(name, WorkloadVolume.fromSecret(secret, {
      defaultMode: 0o440,
      items: (options.includeKey ?? true) ? undefined : { [this.caKey]: this.caKey },
    }));
    workload.addMount({ volume: name, mountPath: options.mountPath, readOnly: true });
  }
}

function seconds(d: Duration): number {
  return d.toMilliseconds({ integral: false }) / 1000;
}

/** A Go duration cert-manager parses (`2160h`, `90m`, `3600s`). */
function goDuration(d: Duration): string {
  const s = seconds(d);
  if (s % HOUR === 0) return `${s / HOUR}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
