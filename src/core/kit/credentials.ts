import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { isConfigKey } from '../api-rules';
import { ValidationError } from '../errors';
import { isDns1123Subdomain } from '../naming';

/**
 * Image of the create-if-absent Job. The script needs only Python's standard library
 * (`secrets` for the passwords, `urllib` + `ssl` for the Kubernetes API with the pod's
 * ServiceAccount token): the official python image has it, runs as any uid and writes nothing,
 * so the Job meets the restricted Pod Security Standard with a read-only root.
 */
export const DEFAULT_GENERATOR_IMAGE = 'docker.io/library/python:3.13.7-alpine3.22';

/** Options of generated credentials. */
export interface GeneratedCredentialsOptions {
  /**
   * Name of the Secret the Job creates.
   * @default `<cluster name>-credentials`
   */
  readonly secretName?: string;
  /**
   * Image that runs the generator script (needs `python3` with its standard library).
   * @default 'docker.io/library/python:3.13.7-alpine3.22'
   */
  readonly image?: string;
}

/**
 * Where a stateful system's passwords come from. Never a value at synth time: either a Job in
 * the cluster generates them once, or an existing Secret (External Secrets, Sealed Secrets,
 * your own tooling) holds them.
 */
export class Credentials {
  /**
   * Generate the passwords in the cluster: a Job creates the Secret if it does not exist and
   * adds keys that are missing; it never changes an existing value.
   */
  public static generate(options: GeneratedCredentialsOptions = {}): Credentials {
    return new Credentials(options.secretName, options.image, undefined, {});
  }

  /**
   * Use a Secret managed elsewhere.
   * @param secret the Secret (e.g. `kplus.Secret.fromSecretName(this, 'Pw', 'orders-db-pw')`)
   * @param keys rename keys: the construct's key name (e.g. `superuser-password`) → the key in your Secret.
   *   Keys not listed keep their default name.
   */
  public static fromSecret(secret: kplus.ISecret, keys: { [key: string]: string } = {}): Credentials {
    return new Credentials(secret.name, undefined, secret, keys);
  }

  /** Image of the generator Job, when generated and overridden. */
  public readonly generatorImage?: string;
  private readonly name?: string;
  private readonly secret?: kplus.ISecret;
  private readonly keyMap: { [key: string]: string };

  private constructor(
    name: string | undefined,
    generatorImage: string | undefined,
    secret: kplus.ISecret | undefined,
    keyMap: { [key: string]: string },
  ) {
    this.name = name;
    this.generatorImage = generatorImage;
    this.secret = secret;
    this.keyMap = { ...keyMap };
  }

  /** Whether a Job generates the Secret in the cluster. */
  public get isGenerated(): boolean {
    return this.secret === undefined;
  }

  /** The Secret name: the given one, or `defaultName` for generated credentials without one. */
  public secretName(defaultName: string): string {
    return this.name ?? defaultName;
  }

  /** The key in the Secret that holds `key` (renamed with `fromSecret`'s map, else unchanged). */
  public key(key: string): string {
    return this.keyMap[key] ?? key;
  }

  /**
   * @internal Checks the credentials against the keys `scope` reads (`known`): the Secret name is
   * an object name, every renamed key is one `scope` knows and maps to a valid Secret key, and an
   * overridden generator image is an image reference. Throws a ValidationError naming the fix.
   */
  public _assertValid(scope: IConstruct, known: string[], defaultName: string): void {
    const fail = (message: string) => { throw new ValidationError('CredentialsInvalid', message, scope); };
    const name = this.secretName(defaultName);
    if (!isDns1123Subdomain(name)) fail(`credentials: Secret name '${name}' is not a Secret name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')`);
    for (const [k, v] of Object.entries(this.keyMap)) {
      if (!known.includes(k)) fail(`credentials: the key map renames '${k}', which this construct does not read; it reads ${known.map((x) => `'${x}'`).join(', ')}`);
      if (!isConfigKey(v)) fail(`credentials: key '${k}' maps to '${v}', which is not a Secret key (letters, digits, '-', '_' and '.')`);
    }
    if (this.generatorImage !== undefined && (!this.generatorImage || /\s/.test(this.generatorImage))) {
      fail(`credentials: generator image '${this.generatorImage}' is not an image reference; leave it out for the default`);
    }
  }
}
