// Internal: cassandra.yaml and the checks of a CassandraCluster, as pure functions. Not re-exported.
import { Size } from 'cdk8s';
import { kibibytes } from '../../core/units';

export interface Problem {
  readonly code: string;
  readonly message: string;
}

export interface CassandraYamlInput {
  readonly clusterName: string;
  readonly major: number;
  readonly numTokens: number;
  readonly dataDir: string;
}

/**
 * cassandra.yaml: every setting Cassandra requires (partitioner, commitlog_sync, seed_provider,
 * the directories) plus authentication and the snitch, in the 4.1+ setting names (Config.java
 * `@Replaces` the old `_in_ms` names). 5.0 reads `authenticator` as a ParameterizedClass (a map
 * with class_name), 4.1 as a class name. The `@POD_IP@`, `@SEEDS@` placeholders are filled in by
 * start.sh at run time; the DC and rack go to cassandra-rackdc.properties.
 */
export function cassandraYaml(i: CassandraYamlInput): string {
  const auth = i.major >= 5
    ? ['authenticator:', '  class_name: org.apache.cassandra.auth.PasswordAuthenticator']
    : ['authenticator: PasswordAuthenticator'];
  return [
    `cluster_name: '${i.clusterName}'`,
    `num_tokens: ${i.numTokens}`,
    'allocate_tokens_for_local_replication_factor: 3',
    'partitioner: org.apache.cassandra.dht.Murmur3Partitioner',
    ...auth,
    'authorizer: CassandraAuthorizer',
    'role_manager: CassandraRoleManager',
    'data_file_directories:',
    `  - ${i.dataDir}/data`,
    `commitlog_directory: ${i.dataDir}/commitlog`,
    `saved_caches_directory: ${i.dataDir}/saved_caches`,
    `hints_directory: ${i.dataDir}/hints`,
    'commitlog_sync: periodic',
    'commitlog_sync_period: 10000ms',
    'seed_provider:',
    '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
    '    parameters:',
    '      - seeds: "@SEEDS@"',
    'listen_address: @POD_IP@',
    'broadcast_address: @POD_IP@',
    'rpc_address: 0.0.0.0',
    'broadcast_rpc_address: @POD_IP@',
    'storage_port: 7000',
    'native_transport_port: 9042',
    'endpoint_snitch: GossipingPropertyFileSnitch',
    'disk_failure_policy: stop',
    'commit_failure_policy: stop',
    '',
  ].join('\n');
}

/**
 * Heap: half the memory limit, at most 8 GiB (Cassandra's guidance for G1); the young generation
 * a quarter of it, at most 800 MiB (cassandra-env.sh requires MAX_HEAP_SIZE and HEAP_NEWSIZE in pairs).
 */
export function heapSizes(limit: Size | undefined): { maxHeapMi: number; newSizeMi: number } {
  const limitMi = limit ? Math.floor(kibibytes(limit) / 1024) : 4096;
  const maxHeapMi = Math.min(8192, Math.floor(limitMi / 2));
  return { maxHeapMi, newSizeMi: Math.min(800, Math.floor(maxHeapMi / 4)) };
}

export function versionProblem(version: string): Problem | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m || Number(m[1]) < 4 || (Number(m[1]) === 4 && Number(m[2]) < 1)) {
    return { code: 'CassandraVersionInvalid', message: `version '${version}' is not a Cassandra release x.y.z of 4.1 or later; use e.g. CassandraVersion.V5_0_3` };
  }
  return undefined;
}

export const CQL_NAME = /^[a-z][a-z0-9_]{0,47}$/;
const RESERVED_ROLES = new Set(['cassandra']);
const RESERVED_KEYSPACES = new Set(['system', 'system_auth', 'system_schema', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema']);

export interface KeyspaceSpec {
  readonly name: string;
  readonly replicationFactor: number;
  readonly role: string;
}

export function keyspacesProblem(ks: KeyspaceSpec[], replicas: number): Problem | undefined {
  const seen = new Set<string>();
  for (const k of ks) {
    if (!CQL_NAME.test(k.name) || RESERVED_KEYSPACES.has(k.name)) {
      return { code: 'CassandraKeyspaceInvalid', message: `keyspace '${k.name}' must be a lower-case CQL name ([a-z][a-z0-9_]*, at most 48 characters) and not a system keyspace` };
    }
    if (!CQL_NAME.test(k.role) || RESERVED_ROLES.has(k.role)) {
      return { code: 'CassandraKeyspaceInvalid', message: `keyspace '${k.name}': role '${k.role}' must be a lower-case CQL name other than 'cassandra'` };
    }
    if (!Number.isInteger(k.replicationFactor) || k.replicationFactor < 1 || k.replicationFactor > replicas) {
      return {
        code: 'CassandraReplicationFactorInvalid',
        message: `keyspace '${k.name}': replicationFactor must be a whole number from 1 to the node count (${replicas}), got ${k.replicationFactor}`,
      };
    }
    if (seen.has(k.name)) return { code: 'CassandraKeyspaceInvalid', message: `keyspace '${k.name}' is listed twice` };
    seen.add(k.name);
  }
  return undefined;
}
