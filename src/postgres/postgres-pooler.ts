import { Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { pgbouncerIni } from './private/pgbouncer';
import { ValidationError } from '../core/errors';
import { loadAsset } from '../core/kit/assets';
import { RecommendedLabels } from '../core/labels';
import { shortHash } from '../core/naming';
import { registerObjects } from '../core/registry';
import { Warnings } from '../core/warnings';
import { Connections } from '../core/workload/connections';
import { envToKube, resourcesToKube } from '../core/workload/private/render';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/workload/private/security';

/**
 * PgBouncer image. CloudNativePG's pgbouncer-containers (github.com/cloudnative-pg/pgbouncer-containers):
 * Debian with PgBouncer from the PostgreSQL project's apt repository (pgdg), rebuilt on every
 * Debian and PgBouncer release (Renovate), what the CloudNativePG operator's Pooler runs; user
 * pgbouncer uid 998 / gid 996, bash included (the start script). Not Bitnami (its versioned
 * images stopped updating in 2025) and not edoburu/pgbouncer (one maintainer, config by env
 * templating we don't need).
 */
export const PGBOUNCER_IMAGE = 'ghcr.io/cloudnative-pg/pgbouncer:1.25.2';
const PGBOUNCER_UID = 998;
const PGBOUNCER_GID = 996;

/** PgBouncer's pool_mode. */
export enum PoolMode {
  /** A server connection per client connection, for as long as it stays (every feature works). */
  SESSION = 'session',
  /**
   * A server connection per transaction: many more clients per server connection, but session
   * state (SET, advisory locks, LISTEN, WITH HOLD cursors) does not survive a transaction.
   */
  TRANSACTION = 'transaction',
}

/** A PgBouncer pool in front of the cluster. See docs/postgres.md, "Connection pooling". */
export interface PostgresPoolerOptions {
  /** PgBouncer pods (spread over nodes; a PodDisruptionBudget keeps all but one). @default 2 */
  readonly instances?: number;
  /** @default PoolMode.TRANSACTION */
  readonly mode?: PoolMode;
  /** Client connections each PgBouncer accepts (`max_client_conn`). @default 1000 */
  readonly maxClientConnections?: number;
  /**
   * Server connections per database and user, per PgBouncer pod (`default_pool_size`). The
   * cluster checks that `instances × defaultPoolSize` fits under `max_connections`.
   * @default 20
   */
  readonly defaultPoolSize?: number;
  /** Resources of each PgBouncer container (two per pod: read-write and read-only). @default - 50m CPU, 64 MiB requested, 256 MiB memory limit */
  readonly resources?: kplus.ContainerResources;
  /** Image override, pinned. @default 'ghcr.io/cloudnative-pg/pgbouncer:1.25.2' */
  readonly image?: string;
}

/** Props of a PostgresPooler: the options plus what the cluster wires. */
export interface PostgresPoolerProps extends PostgresPoolerOptions {
  /** The cluster's name; the objects are `<instance>-pooler` and `<instance>-pooler-ro`. */
  readonly instance: string;
  /** Read-write Service of the cluster (short name). */
  readonly primaryHost: string;
  /** Read-only Service of the cluster (short name). */
  readonly replicaHost: string;
  /** The cluster's PostgreSQL port. */
  readonly port: number;
  /** The pooled databases. */
  readonly databases: string[];
  /** sslmode towards the server. */
  readonly serverSslMode: string;
  /** Secret and key of the `pgbouncer` role's password. */
  readonly secret: kplus.ISecret;
  readonly passwordKey: string;
  /** The server's max_connections (checked against instances × defaultPoolSize). */
  readonly maxConnections: number;
}

const RW_PORT = 6432;
const RO_PORT = 6433;
const CONFIG_DIR = '/etc/pgbouncer-config';

/**
 * PgBouncer as a Deployment: each pod runs one PgBouncer for the read-write Service (port name
 * `pgbouncer`) and one for the read-only Service (`pgbouncer-ro`), exposed as the Services
 * `<cluster>-pooler` and `<cluster>-pooler-ro` on 5432. Clients log in with their own role and
 * password: PgBouncer looks the SCRAM verifier up with `auth_query` (no password list).
 * Invalid options are reported on `scope` (the cluster whose `pooler` prop they are).
 */
export class PostgresPooler extends Construct {
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The ConfigMap with both pgbouncer.ini files. */
  public readonly configMap: k8s.KubeConfigMap;
  /** Read-write Service `<cluster>-pooler`. */
  public readonly service: k8s.KubeService;
  /** Read-only Service `<cluster>-pooler-ro`. */
  public readonly readOnlyService: k8s.KubeService;
  /** The PodDisruptionBudget. */
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy of the PgBouncer pods: only peers allowed through `connections` (`bind(app, { pooled: true })` adds the app). */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** Ingress into the PgBouncer pods (ports `pgbouncer`, `pgbouncer-ro`). */
  public readonly connections: Connections;
  /** Labels that select the PgBouncer pods. */
  public readonly podSelector: { [key: string]: string };
  /** Number of PgBouncer pods. */
  public readonly instances: number;
  /** The pool mode. */
  public readonly mode: PoolMode;

  constructor(scope: Construct, id: string, props: PostgresPoolerProps) {
    const instances = props.instances ?? 2;
    const mode = props.mode ?? PoolMode.TRANSACTION;
    const maxClients = props.maxClientConnections ?? 1000;
    const poolSize = props.defaultPoolSize ?? 20;
    validate(scope, props, instances, mode, maxClients, poolSize);
    super(scope, id);
    this.instances = instances;
    this.mode = mode;
    const name = `${props.instance}-pooler`;
    const labels = new RecommendedLabels({ appName: 'pgbouncer', instance: props.instance, component: 'pooler', partOf: props.instance });
    this.podSelector = labels.selector;
    const authFile = '/run/pgbouncer/userlist.txt';
    const ini = (host: string, listenPort: number) => pgbouncerIni({
      host,
      port: props.port,
      listenPort,
      databases: props.databases,
      poolMode: mode,
      maxClientConnections: maxClients,
      defaultPoolSize: poolSize,
      serverSslMode: props.serverSslMode,
      authFile,
      authUser: 'pgbouncer',
    });
    const files = { 'pgbouncer-rw.ini': ini(props.primaryHost, RW_PORT), 'pgbouncer-ro.ini': ini(props.replicaHost, RO_PORT) };
    this.configMap = new k8s.KubeConfigMap(this, 'Config', { metadata: { name, labels: labels.stable }, data: files });
    const start = loadAsset('postgres/assets/pgbouncer-start.sh');
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(50) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
    };
    const container = (cname: string, port: number, file: string, run: string): k8s.Container => ({
      name: cname,
      image: props.image ?? PGBOUNCER_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      command: ['bash', '-ec', start, 'pgbouncer-start', `${CONFIG_DIR}/${file}`],
      ports: [{ name: cname, containerPort: port }],
      env: envToKube({
        AUTH_USER: kplus.EnvValue.fromValue('pgbouncer'),
        AUTH_FILE: kplus.EnvValue.fromValue(authFile),
        PGBOUNCER_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: props.secret, key: props.passwordKey }),
      }),
      readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString(cname) }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString(cname) }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
      resources: resourcesToKube(resources),
      securityContext: restrictedContainerSecurity(),
      volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, { name: run, mountPath: '/run/pgbouncer' }],
    });
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name, labels: labels.stable },
      spec: {
        replicas: instances,
        selector: { matchLabels: labels.selector },
        // A new pod is ready before an old one stops: capacity never dips during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: {
            labels: labels.stable,
            // A config change rolls the pods (PgBouncer reads its file at start).
            annotations: { 'checksum/config': shortHash(JSON.stringify(files), 16) },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(PGBOUNCER_UID, PGBOUNCER_GID),
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels.selector } },
                }],
              },
            },
            containers: [container('pgbouncer', RW_PORT, 'pgbouncer-rw.ini', 'run-rw'), container('pgbouncer-ro', RO_PORT, 'pgbouncer-ro.ini', 'run-ro')],
            volumes: [
              { name: 'config', configMap: { name, defaultMode: 0o444 } },
              // Each PgBouncer's auth_file, memory-backed: it holds the pgbouncer role's password.
              { name: 'run-rw', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
              { name: 'run-ro', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
            ],
          },
        },
      },
    });
    this.node.defaultChild = this.deployment;
    const service = (sid: string, sname: string, target: string) => new k8s.KubeService(this, sid, {
      metadata: { name: sname, labels: labels.stable },
      spec: { selector: labels.selector, ports: [{ name: 'postgresql', port: props.port, targetPort: k8s.IntOrString.fromString(target) }] },
    });
    this.service = service('Service', name, 'pgbouncer');
    this.readOnlyService = service('ReadOnlyService', `${name}-ro`, 'pgbouncer-ro');
    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata: { name, labels: labels.stable },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels.selector } },
    });
    this.connections = new Connections(this, labels.selector, [{ name: 'pgbouncer', port: RW_PORT }, { name: 'pgbouncer-ro', port: RO_PORT }]);
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name, labels: labels.stable },
      spec: Lazy.any({ produce: () => this.connections._toKube() }),
    });
    registerObjects(this, this.configMap, this.deployment, this.service, this.readOnlyService, this.podDisruptionBudget, this.networkPolicy);
    if (instances === 1) {
      Warnings.of(scope).add('@cdk8s-stateful/postgres:singlePooler',
        'pooler.instances is 1: a node drain or a PgBouncer restart cuts every pooled client off; use at least 2');
    }
  }
}

function validate(scope: Construct, props: PostgresPoolerOptions, instances: number, mode: string, maxClients: number, poolSize: number): void {
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(instances, 1, 100)) {
    throw new ValidationError('PostgresPoolerInstancesInvalid', `pooler.instances must be a whole number from 1 to 100 (2 or more for availability), got ${instances}`, scope);
  }
  if (mode !== PoolMode.SESSION && mode !== PoolMode.TRANSACTION) {
    throw new ValidationError('PostgresPoolerModeInvalid', `pooler.mode '${mode}' is not a pool mode; use PoolMode.SESSION or PoolMode.TRANSACTION`, scope);
  }
  if (!whole(maxClients, 1, 100_000)) {
    throw new ValidationError('PostgresPoolerMaxClientsInvalid', `pooler.maxClientConnections must be a whole number from 1 to 100000, got ${maxClients}`, scope);
  }
  if (!whole(poolSize, 1, maxClients)) {
    throw new ValidationError('PostgresPoolerPoolSizeInvalid',
      `pooler.defaultPoolSize must be a whole number from 1 to maxClientConnections (${maxClients}), got ${poolSize}`, scope);
  }
  const max = (props as PostgresPoolerProps).maxConnections;
  // max_connections minus superuser_reserved_connections (3) is what non-superusers may open.
  if (max !== undefined && instances * poolSize > max - 3) {
    throw new ValidationError('PostgresPoolerPoolTooLarge',
      `pooler: ${instances} instances × defaultPoolSize ${poolSize} = ${instances * poolSize} server connections per database and user, more than max_connections ${max} − 3 reserved; `
      + `lower defaultPoolSize to at most ${Math.floor((max - 3) / instances)}, or raise max_connections in 'parameters'`, scope);
  }
}
