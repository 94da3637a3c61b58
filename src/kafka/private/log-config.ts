import { loadAsset } from '../../core/kit/assets';

/** A log4j configuration file and the JVM option that selects it. */
export interface LogConfig {
  readonly fileName: string;
  readonly content: string;
  readonly opts: string;
}

/** Where the log configuration is mounted in the Kafka container. */
export const LOG_CONFIG_DIR = '/etc/kafka/log-config';

/**
 * Console-only logging (assets/log4j2.yaml, assets/log4j.properties): the image's default
 * config also writes hourly-rolled files forever. Kafka 4 reads log4j 2, 3.x log4j 1.
 */
export function log4jConfig(major: number): LogConfig {
  if (major >= 4) {
    return {
      fileName: 'log4j2.yaml',
      opts: `-Dlog4j2.configurationFile=${LOG_CONFIG_DIR}/log4j2.yaml`,
      content: loadAsset('kafka/assets/log4j2.yaml'),
    };
  }
  return {
    fileName: 'log4j.properties',
    opts: `-Dlog4j.configuration=file:${LOG_CONFIG_DIR}/log4j.properties`,
    content: loadAsset('kafka/assets/log4j.properties'),
  };
}
