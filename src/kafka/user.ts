import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KafkaAclEntry } from './acl';
import { KafkaTls } from './listeners';
import { GeneratedSecret } from '../core/kit/generated-secret';

/** A user of the cluster, added with `KafkaCluster.addUser`. */
export interface KafkaUserOptions {
  /**
   * User name (the principal is `User:<name>`): letters, digits, '.', '_' and '-'.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * SCRAM-SHA-512: the Secret holding the password (it must not contain ',', '[' or ']', which
   * `kafka-configs.sh` cannot pass). Change the value to rotate it: the users CronJob sets it
   * within its schedule, without a broker restart.
   * @default - generated in the cluster once (Secret `<cluster>-user-<name>`, key `password`)
   */
  readonly passwordSecret?: kplus.ISecret;
  /** Key of the password in `passwordSecret`. @default 'password' */
  readonly passwordKey?: string;
  /**
   * mTLS: the user's client certificate as a PKCS#12 keystore (cert-manager `keystores.pkcs12`), its
   * subject's CN equal to the user name. Only `bind()` reads it.
   * @default - none (a workload bound as this user then needs SCRAM)
   */
  readonly certificate?: KafkaTls;
  /**
   * What the user may do. Anything not allowed is denied (`allow.everyone.if.no.acl.found=false`).
   * @default - no ACLs: the user can authenticate and do nothing
   */
  readonly acls?: KafkaAclEntry[];
}

/** Props of a KafkaUser (created by `KafkaCluster.addUser`). */
export interface KafkaUserProps extends KafkaUserOptions {
  /** Name of the cluster (prefix of the generated Secret). */
  readonly clusterName: string;
  /** Whether the user logs in with SCRAM-SHA-512 (a password is needed). */
  readonly scram: boolean;
  /** Labels of the password generator. */
  readonly labels: { [key: string]: string };
}

/**
 * A Kafka user and its ACLs, created and changed at run time by the cluster's users Job
 * (assets/converge-users.sh): no broker restart.
 */
export class KafkaUser extends Construct {
  /** The user name. */
  public readonly username: string;
  /** The principal ACLs name: `User:<name>`. */
  public readonly principal: string;
  /** The password Secret (SCRAM only). */
  public readonly passwordSecret?: kplus.ISecret;
  /** The key of the password in `passwordSecret`. */
  public readonly passwordKey: string;
  /** The client certificate (mTLS). */
  public readonly certificate?: KafkaTls;
  /** The ACLs. */
  public readonly acls: KafkaAclEntry[];
  /** The in-cluster generator of the password, when no `passwordSecret` is given. */
  public readonly generatedPassword?: GeneratedSecret;

  constructor(scope: Construct, id: string, props: KafkaUserProps) {
    super(scope, id);
    this.username = props.name ?? id;
    this.principal = `User:${this.username}`;
    this.passwordKey = props.passwordKey ?? 'password';
    this.certificate = props.certificate;
    this.acls = [...(props.acls ?? [])];
    if (props.scram && props.passwordSecret) {
      this.passwordSecret = props.passwordSecret;
    } else if (props.scram) {
      const secretName = `${props.clusterName}-user-${this.username.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;
      this.generatedPassword = new GeneratedSecret(this, 'Password', { secretName, keys: [this.passwordKey], labels: props.labels });
      this.passwordSecret = kplus.Secret.fromSecretName(this, 'PasswordSecret', secretName);
    }
  }
}
