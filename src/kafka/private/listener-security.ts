import { Problem, secretRefsProblem, usersProblem } from './checks';
import { NodeUser } from './node-env';
import { KafkaAuthentication, KafkaListenersOptions, KafkaTls } from '../listeners';

/**
 * How the listeners are secured (TLS on or off, SASL/PLAIN or no authentication): the one
 * place these modes change the protocols, the nodes' users and what a bound client gets.
 */
export class ListenerSecurity {
  public readonly tls?: KafkaTls;
  public readonly sasl: boolean;
  public readonly mode: KafkaAuthentication;
  private readonly users: NodeUser[];
  private readonly nodeCommonName?: string;

  constructor(l: KafkaListenersOptions) {
    this.tls = l.tls;
    this.nodeCommonName = l.nodeCommonName;
    this.mode = l.authentication ?? KafkaAuthentication.NONE;
    this.sasl = this.mode === KafkaAuthentication.SASL_PLAIN;
    this.users = (l.users ?? []).map((u) => ({ username: u.username, passwordSecret: u.passwordSecret, passwordKey: u.passwordKey ?? 'password' }));
  }

  /** The client listener's protocol. */
  public get clientProtocol(): string {
    const sasl = this.sasl || this.mode === KafkaAuthentication.SCRAM_SHA_512;
    if (this.tls) return sasl ? 'SASL_SSL' : 'SSL';
    return this.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  }

  /** The protocol of INTERNAL and CONTROLLER: nodes authenticate each other by certificate, never by SASL. */
  public get nodeProtocol(): string {
    return this.tls ? 'SSL' : 'PLAINTEXT';
  }

  /** Users present exactly with SASL, each valid and listed once. */
  public get problem(): Problem | undefined {
    if (this.mode !== KafkaAuthentication.NONE && !this.tls) {
      // Without TLS, INTERNAL and CONTROLLER would accept anyone who reaches the ports: an unauthenticated path around the client listener.
      return {
        code: 'KafkaAuthenticationNeedsTls',
        message: `listeners.authentication is '${this.mode}' but listeners.tls is not set: brokers and controllers authenticate each other ` +
          'by certificate (mTLS), so an authenticated cluster needs TLS; set listeners.tls: KafkaTls.fromPkcs12Secret(...)',
      };
    }
    const cn = this.nodeCommonName;
    if (cn !== undefined && (!/^[A-Za-z0-9._-]+$/.test(cn) || cn.length > 64)) {
      return { code: 'KafkaNodeCommonNameInvalid', message: `listeners.nodeCommonName '${cn}' may only hold letters, digits, '.', '_' and '-' (at most 64: a certificate CN)` };
    }
    return usersProblem(this.sasl, this.users.map((u) => u.username)) ?? secretRefsProblem([
      ...this.users.map((u): [string, string, string] => [`SASL user '${u.username}'`, u.passwordSecret.name, u.passwordKey]),
      ...(this.tls ? [
        ['TLS keystore', this.tls.secret.name, 'keystore.p12'] as [string, string, string],
        ['TLS password', this.tls.passwordSecret.name, this.tls.passwordKey] as [string, string, string],
      ] : []),
    ]);
  }

  /** The users a node's client listener accepts (brokers with SASL only). */
  public nodeUsers(broker: boolean): NodeUser[] {
    return this.sasl && broker ? [...this.users] : [];
  }

  /** The user a bound client logs in as: the named one, or the only one; none without SASL. */
  public clientUser(name: string | undefined): NodeUser | Problem | undefined {
    if (!this.sasl) {
      return name === undefined ? undefined
        : { code: 'KafkaBindUserWithoutSasl', message: `bind() got user '${name}' but the client listener has no SASL; leave out 'user'` };
    }
    if (name === undefined) {
      if (this.users.length === 1) return this.users[0];
      return { code: 'KafkaBindUserRequired', message: `bind() needs a SASL user: pass { user: '...' } with one of ${this.users.map((u) => `'${u.username}'`).join(', ')}` };
    }
    return this.users.find((x) => x.username === name)
      ?? { code: 'KafkaBindUserUnknown', message: `bind() got unknown user '${name}'; users are: ${this.users.map((x) => x.username).join(', ')}` };
  }
}
