// Internal helpers of the Kafka constructs: not re-exported (jsii exports classes, interfaces and enums only).
import { createHash } from 'crypto';
import { Size, SizeRoundingBehavior } from 'cdk8s';

/**
 * A KRaft cluster id derived from a stable string: base64url (no padding) of the first 16
 * bytes of sha256, i.e. the 22-character form of a Kafka `Uuid`. Deterministic: the same
 * seed (`<namespace>/<name>`) always gives the same id, so a re-synth never "forgets" the cluster.
 */
export function deriveClusterId(seed: string): string {
  return createHash('sha256').update(seed).digest().subarray(0, 16).toString('base64url');
}

/** A valid KRaft cluster id: 22 base64url characters that decode to 16 bytes. */
export function isValidClusterId(id: string): boolean {
  return /^[A-Za-z0-9_-]{21}[AQgw]$/.test(id);
}

/**
 * Property name → env var name as the apache/kafka image maps it back
 * (KafkaDockerWrapper.getServerConfigsFromEnv: `_`→`.`, `__`→`_`, `___`→`-`, lower-cased).
 */
export function propertyToEnv(key: string): string {
  return 'KAFKA_' + key.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase();
}

/**
 * Env var name → property name exactly as the apache/kafka image computes it
 * (KafkaDockerWrapper.getServerConfigsFromEnv): `key.replace("KAFKA_", "")` — Java's
 * String.replace, so *every* `KAFKA_` goes, not only the prefix — then lower-case,
 * `_`→`.`, `...`→`-`, `..`→`_`.
 */
export function envToProperty(env: string): string {
  return env.split('KAFKA_').join('').toLowerCase().replace(/_/g, '.').split('...').join('-').split('..').join('_');
}

/** Size in whole mebibytes (rounded down). */
export function mebibytes(size: Size): number {
  return Math.floor(size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024);
}

/** Kafka topic name rules (kafka `Topic.validate`): legal characters, length, not `.`/`..`. */
export const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME = 249;

/** Kafka refuses a topic whose name equals an existing one's once '.' is replaced by '_' (Topic.hasCollision). */
export function collisionKey(topic: string): string {
  return topic.replace(/\./g, '_');
}

/**
 * A construct id given by the user (pool and topic ids): the constructs library throws a plain
 * Error on an empty one and silently rewrites '/', after which lookups by id fail.
 */
export function constructIdProblem(what: string, id: string): string | undefined {
  if (typeof id !== 'string' || id === '' || id.includes('/')) {
    return `${what} id '${id}' must be a non-empty string without '/' (it becomes a construct id)`;
  }
  return undefined;
}
