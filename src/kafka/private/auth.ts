// Authentication and authorization of the listeners beyond TLS: SCRAM-SHA-512 or mTLS on the
// client listener, StandardAuthorizer with the nodes' certificate identity as the only super
// user, and the checks of users and ACLs. Pure functions.
import { Problem } from './checks';
import { KafkaAclEntry, KafkaAclOperation, KafkaAclPatternType, KafkaAclResourceType } from '../acl';
import { KafkaAuthentication } from '../listeners';

/** The authorizer of KRaft clusters (brokers and controllers): org.apache.kafka.metadata.authorizer.StandardAuthorizer (KIP-801). */
export const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
/**
 * A certificate's subject DN (RFC 2253, CN first) → its CN: a node or a user is known by its CN.
 * @see https://kafka.apache.org/documentation/#security_authz_ssl (ssl.principal.mapping.rules)
 */
export const CN_MAPPING_RULE = 'RULE:^CN=([^,]+).*$/$1/,DEFAULT';
/** The ACL resource of the users Job's ownership marker (assets/converge-users.sh). */
export const USER_MARKER = '__cdk8s-stateful-managed-user';

/** Whether the mode keeps users and ACLs in the cluster (addUser, StandardAuthorizer). */
export function managesUsers(mode: KafkaAuthentication): boolean {
  return mode === KafkaAuthentication.SCRAM_SHA_512 || mode === KafkaAuthentication.MTLS;
}

/**
 * Broker and controller properties of the mode (property → value), on top of TLS: the client
 * listener's mechanism and the authorizer. Every node runs the authorizer: controllers authorize
 * requests forwarded to them (KIP-801).
 */
export function authProperties(
  mode: KafkaAuthentication, nodeCommonName: string, broker: boolean, adminCommonName?: string,
): Array<[string, string]> {
  if (!managesUsers(mode)) return [];
  const out: Array<[string, string]> = [];
  if (broker && mode === KafkaAuthentication.SCRAM_SHA_512) {
    out.push(['listener.name.client.sasl.enabled.mechanisms', 'SCRAM-SHA-512']);
    // The server side of SCRAM needs a (empty) login module entry (docs: security_sasl_scram_brokerconfig).
    out.push(['listener.name.client.scram-sha-512.sasl.jaas.config', 'org.apache.kafka.common.security.scram.ScramLoginModule required;']);
  }
  if (broker && mode === KafkaAuthentication.MTLS) out.push(['listener.name.client.ssl.client.auth', 'required']);
  out.push(
    ['authorizer.class.name', STANDARD_AUTHORIZER],
    // The nodes, and the Jobs' own client certificate (topics, users, rolls: private/tls.ts).
    ['super.users', [nodeCommonName, ...(adminCommonName ? [adminCommonName] : [])].map((cn) => `User:${cn}`).join(';')],
    ['allow.everyone.if.no.acl.found', 'false'],
    ['ssl.principal.mapping.rules', CN_MAPPING_RULE],
  );
  return out;
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** A user `addUser` may add. */
export function userProblem(u: {
  username: string;
  mode: KafkaAuthentication;
  nodeCommonName: string;
  taken: string[];
  acls: KafkaAclEntry[];
  hasPassword: boolean;
  passwordKey: string;
}): Problem | undefined {
  if (!managesUsers(u.mode)) {
    return {
      code: 'KafkaUserNeedsAuthentication',
      message: `addUser('${u.username}'): the client listener's authentication is '${u.mode}'; users and ACLs need ` +
        'listeners.authentication: KafkaAuthentication.SCRAM_SHA_512 or KafkaAuthentication.MTLS (with listeners.tls)',
    };
  }
  if (!NAME.test(u.username) || u.username.length > 64) {
    return { code: 'KafkaUserNameInvalid', message: `user name '${u.username}' may only hold letters, digits, '.', '_' and '-' (at most 64: it is a certificate CN with mTLS)` };
  }
  if (u.username === u.nodeCommonName) {
    return { code: 'KafkaUserNameReserved', message: `user name '${u.username}' is the nodes' identity (listeners.nodeCommonName), a super user; give the user another name` };
  }
  if (u.taken.includes(u.username)) return { code: 'KafkaUserDuplicate', message: `user '${u.username}' is added twice; add each user once` };
  if (u.mode === KafkaAuthentication.MTLS && u.hasPassword) {
    return { code: 'KafkaUserPasswordWithMtls', message: `user '${u.username}': a passwordSecret is set but the cluster authenticates clients by certificate (MTLS); drop passwordSecret` };
  }
  if (!/^[-._a-zA-Z0-9]+$/.test(u.passwordKey)) {
    return { code: 'KafkaSecretRefInvalid', message: `user '${u.username}': key '${u.passwordKey}' is not a Secret key (letters, digits, '-', '_' and '.')` };
  }
  for (const a of u.acls) {
    const bad = aclProblem(a);
    if (bad) return { code: 'KafkaAclInvalid', message: `user '${u.username}': ${bad}` };
  }
  return undefined;
}

/** What kafka-acls.sh would refuse, or a resource it would misread. */
export function aclProblem(a: KafkaAclEntry): string | undefined {
  if (!a.operations.length) return `the ACL on ${a.resourceType} '${a.resourceName}' names no operation; pass at least one to allow()/deny()`;
  if (!a.resourceName || /[\s|,]/.test(a.resourceName) || a.resourceName.length > 249) {
    return `ACL resource name '${a.resourceName}' is empty, too long or holds a space, ',' or '|'; use the ${a.resourceType} name (or a prefix with KafkaAclPatternType.PREFIXED)`;
  }
  if (a.patternType === KafkaAclPatternType.PREFIXED && a.resourceName.endsWith('*')) {
    return `prefixed ACL name '${a.resourceName}' ends with '*': a prefix matches by itself; drop the '*'`;
  }
  if (a.resourceName === USER_MARKER) return `'${USER_MARKER}' is the users Job's ownership marker; ACLs may not name it`;
  return undefined;
}

const TYPE: { [k: string]: string } = {
  [KafkaAclResourceType.TOPIC]: 'TOPIC',
  [KafkaAclResourceType.GROUP]: 'GROUP',
  [KafkaAclResourceType.CLUSTER]: 'CLUSTER',
  [KafkaAclResourceType.TRANSACTIONAL_ID]: 'TRANSACTIONAL_ID',
};

/** `DescribeConfigs` → `DESCRIBE_CONFIGS`, as `kafka-acls.sh --list` prints it. */
export function operationListed(op: KafkaAclOperation): string {
  return op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * The ACL lines of the users Job (assets/converge-users.sh `ACLS`), sorted:
 * `principal|TYPE|PATTERN|name|OPERATION|PERMISSION|CliOperation`.
 */
export function aclLines(users: Array<{ principal: string; acls: KafkaAclEntry[] }>): string[] {
  const lines = new Set<string>();
  for (const u of users) {
    for (const a of u.acls) {
      for (const op of a.operations) {
        lines.add([u.principal, TYPE[a.resourceType], a.patternType.toUpperCase(), a.resourceName, operationListed(op), a.permission.toUpperCase(), op].join('|'));
      }
    }
  }
  return [...lines].sort();
}
