/**
 * Kafka ACLs as code (`kafka-acls.sh` semantics): what a user may do on which resources.
 * @see https://kafka.apache.org/documentation/#security_authz_cli
 */

/** An operation an ACL allows or denies (Kafka's `AclOperation`, spelled as `kafka-acls.sh --operation` takes it). */
export enum KafkaAclOperation {
  ALL = 'All',
  READ = 'Read',
  WRITE = 'Write',
  CREATE = 'Create',
  DELETE = 'Delete',
  ALTER = 'Alter',
  DESCRIBE = 'Describe',
  CLUSTER_ACTION = 'ClusterAction',
  DESCRIBE_CONFIGS = 'DescribeConfigs',
  ALTER_CONFIGS = 'AlterConfigs',
  IDEMPOTENT_WRITE = 'IdempotentWrite',
}

/** How an ACL's resource name matches. */
export enum KafkaAclPatternType {
  /** The name exactly (or `*`: every resource of the type). */
  LITERAL = 'literal',
  /** Every resource whose name starts with the given name. */
  PREFIXED = 'prefixed',
}

/** The kind of resource an ACL applies to. */
export enum KafkaAclResourceType {
  TOPIC = 'topic',
  GROUP = 'group',
  CLUSTER = 'cluster',
  TRANSACTIONAL_ID = 'transactional-id',
}

/** Whether an ACL allows or denies. */
export enum KafkaAclPermission {
  ALLOW = 'allow',
  DENY = 'deny',
}

/** One ACL entry of a user: one resource pattern, one or more operations. */
export interface KafkaAclEntry {
  readonly resourceType: KafkaAclResourceType;
  /** Resource name (`kafka-cluster` for the cluster). */
  readonly resourceName: string;
  readonly patternType: KafkaAclPatternType;
  readonly operations: KafkaAclOperation[];
  readonly permission: KafkaAclPermission;
}

/**
 * A resource pattern an ACL names: `KafkaAcl.topic('orders').allow(KafkaAclOperation.WRITE)`,
 * `KafkaAcl.group('orders-', KafkaAclPatternType.PREFIXED).allow(KafkaAclOperation.READ)`.
 */
export class KafkaAcl {
  /** A topic (or, with `PREFIXED`, every topic whose name starts with `name`). */
  public static topic(name: string, patternType: KafkaAclPatternType = KafkaAclPatternType.LITERAL): KafkaAcl {
    return new KafkaAcl(KafkaAclResourceType.TOPIC, name, patternType);
  }

  /** A consumer group (or, with `PREFIXED`, every group whose id starts with `name`). */
  public static group(name: string, patternType: KafkaAclPatternType = KafkaAclPatternType.LITERAL): KafkaAcl {
    return new KafkaAcl(KafkaAclResourceType.GROUP, name, patternType);
  }

  /** A transactional id (or, with `PREFIXED`, every id that starts with `name`). */
  public static transactionalId(name: string, patternType: KafkaAclPatternType = KafkaAclPatternType.LITERAL): KafkaAcl {
    return new KafkaAcl(KafkaAclResourceType.TRANSACTIONAL_ID, name, patternType);
  }

  /** The cluster itself (`IdempotentWrite`, `DescribeConfigs`, ...). */
  public static cluster(): KafkaAcl {
    return new KafkaAcl(KafkaAclResourceType.CLUSTER, 'kafka-cluster', KafkaAclPatternType.LITERAL);
  }

  private constructor(
    /** The kind of resource. */
    public readonly resourceType: KafkaAclResourceType,
    /** The resource name or prefix. */
    public readonly resourceName: string,
    /** Literal or prefixed. */
    public readonly patternType: KafkaAclPatternType,
  ) {}

  /** Allow these operations on the resource. */
  public allow(...operations: KafkaAclOperation[]): KafkaAclEntry {
    return this.entry(operations, KafkaAclPermission.ALLOW);
  }

  /** Deny these operations on the resource (a deny wins over any allow). */
  public deny(...operations: KafkaAclOperation[]): KafkaAclEntry {
    return this.entry(operations, KafkaAclPermission.DENY);
  }

  private entry(operations: KafkaAclOperation[], permission: KafkaAclPermission): KafkaAclEntry {
    const { resourceType, resourceName, patternType } = this;
    return { resourceType, resourceName, patternType, operations: [...operations], permission };
  }
}
