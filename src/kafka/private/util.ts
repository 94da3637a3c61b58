// Internal helpers of the Kafka constructs: not re-exported (jsii exports classes, interfaces and enums only).
import { createHash } from 'crypto';
import { Size, SizeRoundingBehavior } from 'cdk8s';
import { KafkaVersion } from '../kafka-version';

/** The pinned official image of a release. */
export function kafkaImage(version: KafkaVersion): string {
  return `docker.io/apache/kafka:${version}`;
}

/** Kafka 4.x switched to log4j 2 and ships share groups. */
export function isKafka4(version: KafkaVersion): boolean {
  return !version.startsWith('3.');
}

/**
 * A KRaft cluster id derived from a stable string: base64url (no padding) of the first 16
 * bytes of sha256, i.e. the 22-character form of a Kafka `Uuid`. Deterministic: the same
 * construct path always gives the same id, so a re-synth never "forgets" the cluster.
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

/** Console-only logging: the image's default config also writes hourly-rolled files forever. */
export function log4jConfig(version: KafkaVersion): { fileName: string; content: string; opts: string } {
  if (isKafka4(version)) {
    return {
      fileName: 'log4j2.yaml',
      opts: '-Dlog4j2.configurationFile=/etc/kafka/log-config/log4j2.yaml',
      content: [
        'Configuration:',
        '  Appenders:',
        '    Console:',
        '      name: STDOUT',
        '      PatternLayout:',
        '        pattern: "[%d] %p %m (%c)%n"',
        '  Loggers:',
        '    Root:',
        '      level: INFO',
        '      AppenderRef:',
        '        - ref: STDOUT',
        '    Logger:',
        '      - name: kafka.request.logger',
        '        level: WARN',
        '      - name: kafka.network.RequestChannel$',
        '        level: WARN',
        '',
      ].join('\n'),
    };
  }
  return {
    fileName: 'log4j.properties',
    opts: '-Dlog4j.configuration=file:/etc/kafka/log-config/log4j.properties',
    content: [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.kafka.network.RequestChannel$=WARN',
      '',
    ].join('\n'),
  };
}
