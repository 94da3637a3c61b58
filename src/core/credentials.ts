import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ValidationError } from './errors';
import { Names } from './naming';
import { MANAGED_BY, restrictedContainerSecurity, restrictedPodSecurity, shortHash } from './util';

/**
 * Image of the create-if-absent Job. The script needs only Python's standard library
 * (`secrets` for the passwords, `urllib` + `ssl` for the Kubernetes API with the pod's
 * ServiceAccount token): the official python image has it, runs as any uid and writes nothing,
 * so the Job meets the restricted Pod Security Standard with a read-only root.
 */
const DEFAULT_GENERATOR_IMAGE = 'docker.io/library/python:3.13.7-alpine3.22';

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
}

/** Props of a GeneratedSecret. */
export interface GeneratedSecretProps {
  /** Name of the Secret to create (DNS-1123 subdomain). */
  readonly secretName: string;
  /** Keys that get a random password (32 URL-safe characters: no quoting problems in YAML, pgpass or URLs). */
  readonly keys: string[];
  /** Labels of every object, the Secret included. @default - managed-by only */
  readonly labels?: { [key: string]: string };
  /** @default 'docker.io/library/python:3.13.7-alpine3.22' */
  readonly image?: string;
}

/**
 * A Secret whose values are generated once, in the cluster, by a Job: never at synth, so the
 * YAML in Git holds no secret and stays byte-identical.
 *
 * The Job creates the Secret when it is absent and adds missing keys; existing values are never
 * changed, so re-running it is safe. Its name carries a hash of the key list, because a Job's pod
 * template is immutable: a new key gives a new Job instead of a rejected apply.
 *
 * RBAC: `get` and `patch` are limited to the one Secret with `resourceNames`. Kubernetes cannot
 * limit `create` by name (the name is not known when the request is authorized), so the Role
 * allows creating Secrets in the namespace; it does not allow reading, listing or changing any
 * other Secret. The ServiceAccount is used by this Job only. Where that is too much, create the
 * Secret yourself and use `Credentials.fromSecret`.
 */
export class GeneratedSecret extends Construct {
  /** The Secret's name (created at run time, not part of the synthesized output). */
  public readonly secretName: string;
  /** The Job that creates the Secret. */
  public readonly job: k8s.KubeJob;
  /** The Job's ServiceAccount. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The Role: get/patch on the one Secret, create on Secrets. */
  public readonly role: k8s.KubeRole;
  /** Binds the Role to the ServiceAccount. */
  public readonly roleBinding: k8s.KubeRoleBinding;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    Names.assertDns1123Subdomain(this, 'Secret name', props.secretName);
    if (!props.keys.length) throw new ValidationError('a generated Secret needs at least one key', this);
    for (const k of props.keys) {
      if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253) {
        throw new ValidationError(`Secret key '${k}' is invalid; use letters, digits, '-', '_' and '.'`, this);
      }
    }
    const keys = [...new Set(props.keys)].sort();
    this.secretName = props.secretName;
    const labels = { ...(props.labels ?? {}), 'app.kubernetes.io/managed-by': MANAGED_BY };
    const base = props.secretName.replace(/\./g, '-').slice(0, 40).replace(/-+$/, '');
    // Everything in the pod template: a Job's template is immutable, so any change needs a new name.
    const image = props.image ?? DEFAULT_GENERATOR_IMAGE;
    const hash = shortHash(JSON.stringify([props.secretName, keys, image, labels, GENERATOR_SCRIPT]));
    Names.assertDns1035(this, 'generator name', base, 40);

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: `${base}-gen`, labels },
      automountServiceAccountToken: false,
    });
    this.role = new k8s.KubeRole(this, 'Role', {
      metadata: { name: `${base}-gen`, labels },
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: [props.secretName], verbs: ['get', 'patch'] },
        // `create` cannot be restricted by resourceNames (see the class comment).
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      ],
    });
    this.roleBinding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: `${base}-gen`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.role.name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccount.name, namespace: Chart.of(this).namespace }],
    });
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: { name: `${base}-${hash}`, labels },
      spec: {
        backoffLimit: 10,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'secret-generator' } },
          spec: {
            serviceAccountName: this.serviceAccount.name,
            // The only pod of this library that talks to the API server with its own token.
            automountServiceAccountToken: true,
            restartPolicy: 'OnFailure',
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(65534, 65534),
            containers: [{
              name: 'generate',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['python3', '-c', GENERATOR_SCRIPT],
              env: [
                { name: 'SECRET_NAME', value: props.secretName },
                { name: 'SECRET_KEYS', value: keys.join(',') },
                { name: 'SECRET_LABELS', value: JSON.stringify(labels) },
                { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
              ],
              resources: {
                requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
                limits: { memory: k8s.Quantity.fromString('64Mi') },
              },
              securityContext: restrictedContainerSecurity(),
            }],
          },
        },
      },
    });
  }
}

/**
 * Create-if-absent, add-if-missing. Exit 1 on any unexpected answer so the Job retries
 * (e.g. 409 when two runs race: the next attempt finds the Secret and only adds keys).
 *
 * The PATCH carries the resourceVersion of the Secret it read, which makes it conditional: the
 * API server answers 409 Conflict when the Secret changed in between (a resourceVersion in a patch
 * is a precondition: kubernetes/kubernetes#63104, #63146). Without it, two runs that both find a key missing would both set it, and the second
 * would replace a password the first already handed out (a pod may have started with it).
 */
const GENERATOR_SCRIPT: string = `
import base64, json, os, secrets, ssl, sys, urllib.error, urllib.request
SA = '/var/run/secrets/kubernetes.io/serviceaccount'
ns = open(SA + '/namespace').read().strip()
token = open(SA + '/token').read().strip()
ctx = ssl.create_default_context(cafile=SA + '/ca.crt')
host = os.environ['KUBERNETES_SERVICE_HOST']
if ':' in host:
    host = '[' + host + ']'
api = 'https://%s:%s/api/v1/namespaces/%s/secrets' % (host, os.environ['KUBERNETES_SERVICE_PORT'], ns)
name = os.environ['SECRET_NAME']
keys = [k for k in os.environ['SECRET_KEYS'].split(',') if k]

def call(method, url, body=None, ctype='application/json'):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        'Authorization': 'Bearer ' + token, 'Content-Type': ctype, 'Accept': 'application/json'})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None

def password():
    return base64.b64encode(secrets.token_urlsafe(24).encode()).decode()

code, current = call('GET', api + '/' + name)
if code == 404:
    body = {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'Opaque',
            'metadata': {'name': name, 'labels': json.loads(os.environ['SECRET_LABELS'])},
            'data': {k: password() for k in keys}}
    code, _ = call('POST', api, body)
    if code != 201:
        sys.exit('creating Secret %s failed with HTTP %s; retrying' % (name, code))
    print('created Secret %s with keys %s' % (name, ', '.join(keys)))
elif code == 200:
    missing = [k for k in keys if k not in (current.get('data') or {})]
    if missing:
        code, _ = call('PATCH', api + '/' + name,
                       {'metadata': {'resourceVersion': current['metadata']['resourceVersion']},
                        'data': {k: password() for k in missing}},
                       'application/merge-patch+json')
        if code != 200:
            sys.exit('adding keys to Secret %s failed with HTTP %s; retrying' % (name, code))
        print('added keys %s to Secret %s' % (', '.join(missing), name))
    else:
        print('Secret %s exists with every key; nothing to do' % name)
else:
    sys.exit('reading Secret %s failed with HTTP %s; retrying' % (name, code))
`;
