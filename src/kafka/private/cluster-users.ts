import { Construct } from 'constructs';
import { managesUsers, userProblem } from './auth';
import { Problem } from './checks';
import { topicJobLabels } from './labels';
import { ListenerSecurity } from './listener-security';
import { NodeUser } from './node-env';
import { UsersJobs, usersJobs } from './users-job';
import { IKafkaCluster } from '../kafka-cluster-ref';
import { KafkaAuthentication, KafkaTls } from '../listeners';
import { KafkaUser, KafkaUserOptions } from '../user';

/** How a bound workload authenticates. */
export interface BoundUser {
  readonly sasl?: NodeUser & { readonly mechanism?: string };
  readonly certificate?: KafkaTls;
}

/** The cluster's users (addUser) and the Jobs that make Kafka converge on them. */
export class ClusterUsers {
  private readonly users = new Map<string, KafkaUser>();
  private jobs?: UsersJobs;

  constructor(private readonly cluster: IKafkaCluster, private readonly mode: KafkaAuthentication, private readonly nodeCommonName: string) {
    if (managesUsers(mode)) this.render();
  }

  public get list(): KafkaUser[] {
    return [...this.users.values()];
  }

  public get current(): UsersJobs | undefined {
    return this.jobs;
  }

  /** Adds a user and renders the Jobs again (their name hashes the whole spec). */
  public add(id: string, options: KafkaUserOptions): KafkaUser | Problem {
    const username = options.name ?? id;
    const problem = userProblem({
      username,
      mode: this.mode,
      nodeCommonName: this.nodeCommonName,
      taken: this.list.map((u) => u.username),
      acls: options.acls ?? [],
      hasPassword: options.passwordSecret !== undefined,
      passwordKey: options.passwordKey ?? 'password',
    });
    if (problem) return problem;
    const scope = this.scope();
    if (scope.node.tryFindChild(id)) return { code: 'KafkaUserIdDuplicate', message: `a user with id '${id}' exists already; give each user its own id` };
    const user = new KafkaUser(scope, id, {
      ...options,
      clusterName: this.cluster.name,
      scram: this.mode === KafkaAuthentication.SCRAM_SHA_512,
      labels: topicJobLabels(this.cluster.name).stable,
    });
    this.users.set(username, user);
    this.render();
    return user;
  }

  /** The user a workload is bound as (SCRAM or mTLS clusters). */
  public find(name: string | undefined): KafkaUser | Problem {
    if (name === undefined) {
      if (this.users.size === 1) return this.list[0];
      return { code: 'KafkaBindUserRequired', message: `bind() needs a user: pass { user: '...' } with one of ${this.list.map((u) => `'${u.username}'`).join(', ') || '(none: add one with addUser)'}` };
    }
    return this.users.get(name)
      ?? { code: 'KafkaBindUserUnknown', message: `bind() got unknown user '${name}'; users are: ${this.list.map((u) => u.username).join(', ') || '(none: add one with addUser)'}` };
  }

  /** What a workload bound as `name` logs in with: a SCRAM password or a client certificate (SCRAM or mTLS clusters). */
  public bindUser(name: string | undefined, security: ListenerSecurity): BoundUser | Problem {
    if (!managesUsers(this.mode)) {
      const plain = security.clientUser(name);
      return plain && 'code' in plain ? plain : { sasl: plain };
    }
    const u = this.find(name);
    if ('code' in u) return u;
    if (this.mode === KafkaAuthentication.SCRAM_SHA_512) {
      return { sasl: { username: u.username, passwordSecret: u.passwordSecret!, passwordKey: u.passwordKey, mechanism: 'SCRAM-SHA-512' } };
    }
    if (!u.certificate) {
      return { code: 'KafkaBindUserCertificateMissing', message: `bind() as user '${u.username}': the cluster authenticates clients by certificate (MTLS) and the user has none; set certificate on addUser('${u.username}', ...)` };
    }
    return { certificate: u.certificate };
  }

  private scope(): Construct {
    return (this.cluster.node.tryFindChild('Users') as Construct | undefined) ?? new Construct(this.cluster, 'Users');
  }

  private render(): void {
    const parent = (this.cluster.node.tryFindChild('UsersJob') as Construct | undefined);
    if (parent) this.cluster.node.tryRemoveChild('UsersJob');
    this.jobs = usersJobs(new Construct(this.cluster, 'UsersJob'), this.cluster, this.cluster.tls!, this.list, this.mode === KafkaAuthentication.SCRAM_SHA_512);
  }
}
