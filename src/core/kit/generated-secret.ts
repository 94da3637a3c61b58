import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { loadAsset } from './assets';
import { DEFAULT_GENERATOR_IMAGE } from './credentials';
import { JobScript, ScriptJob } from './script-job';
import { isConfigKey } from '../api-rules';
import { ValidationError } from '../errors';
import { beforeWorkloadAnnotations } from '../keep-policy';
import { MANAGED_BY } from '../labels';
import { Names, shortHash } from '../naming';

/*
 * The script (assets/generate-secret.py): create-if-absent, add-if-missing. Exit 1 on any unexpected answer so the Job retries
 * (e.g. 409 when two runs race: the next attempt finds the Secret and only adds keys).
 *
 * The PATCH carries the resourceVersion of the Secret it read, which makes it conditional: the
 * API server answers 409 Conflict when the Secret changed in between (a resourceVersion in a patch
 * is a precondition: kubernetes/kubernetes#63104, #63146). Without it, two runs that both find a key missing would both set it, and the second
 * would replace a password the first already handed out (a pod may have started with it).
 */
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
    if (!props.keys.length) throw new ValidationError('GeneratedSecretNoKeys', 'a generated Secret needs at least one key', this);
    for (const k of props.keys) {
      if (!isConfigKey(k)) {
        throw new ValidationError('GeneratedSecretKeyInvalid', `Secret key '${k}' is invalid; use letters, digits, '-', '_' and '.'`, this);
      }
    }
    const keys = [...new Set(props.keys)].sort();
    this.secretName = props.secretName;
    const labels = { ...(props.labels ?? {}), 'app.kubernetes.io/managed-by': MANAGED_BY };
    const base = props.secretName.replace(/\./g, '-').slice(0, 40).replace(/-+$/, '');
    // Everything in the pod template: a Job's template is immutable, so any change needs a new name.
    const image = props.image ?? DEFAULT_GENERATOR_IMAGE;
    const GENERATOR_SCRIPT = loadAsset('core/kit/assets/generate-secret.py');
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
    this.job = new ScriptJob(this, 'Job', {
      name: `${base}-${hash}`,
      labels,
      podLabels: { 'app.kubernetes.io/component': 'secret-generator' },
      image,
      script: JobScript.python(GENERATOR_SCRIPT),
      containerName: 'generate',
      // The only pod of this library that talks to the API server with its own token.
      serviceAccountName: this.serviceAccount.name,
      user: 65534,
      group: 65534,
      backoffLimit: 10,
      env: {
        SECRET_NAME: kplus.EnvValue.fromValue(props.secretName),
        SECRET_KEYS: kplus.EnvValue.fromValue(keys.join(',')),
        SECRET_LABELS: kplus.EnvValue.fromValue(JSON.stringify(labels)),
        PYTHONDONTWRITEBYTECODE: kplus.EnvValue.fromValue('1'),
      },
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
    }).job!;
    // The StatefulSet's pods read this Secret: Argo CD runs the Job (and its RBAC) first (docs/gitops.md).
    for (const obj of [this.serviceAccount, this.role, this.roleBinding, this.job]) {
      for (const [k, v] of Object.entries(beforeWorkloadAnnotations())) obj.metadata.addAnnotation(k, v);
    }
  }
}

