// The pod parts KafkaConnect and KafkaMirrorMaker2 share: the apache/kafka image started by
// assets/connect-config.sh, restricted PSS as appuser (uid 1000), /tmp and the config.
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { ClientWiring } from './endpoint-client';
import { loadAsset } from '../../core/kit/assets';
import { envToKube, resourcesToKube } from '../../core/workload/private/render';
import { restrictedContainerSecurity } from '../../core/workload/private/security';

/** appuser in the apache/kafka image (docker/jvm/Dockerfile: Alpine `adduser`, first uid 1000). */
export const KAFKA_UID = 1000;
export const CONFIG_DIR = '/etc/kafka-connect-config';
/** Where connect-config.sh writes the filled-in properties (an emptyDir, mode 600). */
export const RUN_DIR = '/tmp/kafka-connect';

export interface ConnectContainerInput {
  readonly name: string;
  readonly image: string;
  /** The properties file in the ConfigMap. */
  readonly file: string;
  /** The start script under /opt/kafka/bin (connect-distributed.sh, connect-mirror-maker.sh). */
  readonly start: string;
  readonly sides: ClientWiring[];
  readonly heapMi: number;
  readonly resources: kplus.ContainerResources;
  readonly extraEnv?: { [name: string]: kplus.EnvValue };
  readonly extraMounts?: k8s.VolumeMount[];
  readonly ports?: k8s.ContainerPort[];
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
}

export function connectContainer(i: ConnectContainerInput): k8s.Container {
  const env: { [name: string]: kplus.EnvValue } = {};
  for (const s of i.sides) Object.assign(env, s.env);
  Object.assign(env, i.extraEnv ?? {});
  // connect-distributed.sh and connect-mirror-maker.sh keep KAFKA_HEAP_OPTS when set (else -Xms256M -Xmx2G).
  env.KAFKA_HEAP_OPTS = kplus.EnvValue.fromValue(`-Xms${i.heapMi}m -Xmx${i.heapMi}m`);
  // kafka-run-class.sh mkdirs LOG_DIR (default /opt/kafka/logs, read-only here); the log4j file appender writes there.
  env.LOG_DIR = kplus.EnvValue.fromValue('/tmp/kafka-logs');
  return {
    name: i.name,
    image: i.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['bash', '-c', loadAsset('kafka/assets/connect-config.sh'), 'connect-config',
      `${CONFIG_DIR}/${i.file}`, `${RUN_DIR}/${i.file}`, `/opt/kafka/bin/${i.start}`],
    env: envToKube(env),
    ports: i.ports,
    readinessProbe: i.readinessProbe,
    livenessProbe: i.livenessProbe,
    resources: resourcesToKube(i.resources),
    securityContext: restrictedContainerSecurity(),
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      ...i.sides.flatMap((s) => s.mounts),
      ...(i.extraMounts ?? []),
    ],
  };
}

export function connectVolumes(configMap: string, sides: ClientWiring[]): k8s.Volume[] {
  return [
    { name: 'config', configMap: { name: configMap, defaultMode: 0o444 } },
    // The JVM, the log file and the filled-in properties (which hold passwords: memory-backed).
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(`${Size.mebibytes(128).toMebibytes()}Mi`) } },
    ...sides.flatMap((s) => s.volumes),
  ];
}

/** Heap (MiB) from the memory limit: half of it, at least 256 MiB. */
export function heapOf(resources: kplus.ContainerResources | undefined, fallbackMi: number): number {
  const limit = resources?.memory?.limit?.toMebibytes();
  return limit ? Math.max(256, Math.floor(limit / 2)) : fallbackMi;
}
