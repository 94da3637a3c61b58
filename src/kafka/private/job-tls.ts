// Internal: how the library's Kafka Jobs (users, roller, metadata upgrade, reassignment) reach the
// TLS listeners: with the Jobs' own client keystore (`<name>-admin-tls` from certManager(), or
// `clientSecret`), the nodes' keystore only when neither exists. One place for that choice.
import * as kplus from 'cdk8s-plus-28';
import { TLS_DIR } from './node-env';
import { WorkloadMount } from '../../core/workload/container';
import { WorkloadVolume } from '../../core/workload/volumes';
import { KafkaTls } from '../listeners';

/** The keystore Secret the Jobs mount. */
export function jobKeystore(tls: KafkaTls): kplus.ISecret {
  return tls.clientSecret ?? tls.secret;
}

/** The keystore's volume, mounted read-only at TLS_DIR as `tls`. */
export function jobTlsVolume(tls: KafkaTls): WorkloadVolume {
  return WorkloadVolume.fromSecret(jobKeystore(tls));
}

export const JOB_TLS_MOUNT: WorkloadMount = { volume: 'tls', mountPath: TLS_DIR, readOnly: true };

/** The store password env (TLS_STORE_PASSWORD). */
export function jobTlsPassword(tls: KafkaTls): kplus.EnvValue {
  return kplus.EnvValue.fromSecretValue({ secret: tls.passwordSecret, key: tls.passwordKey });
}

/** What a Job's pod template holds of its TLS wiring, for the Job's name hash. */
export function jobTlsKey(tls: KafkaTls): string[] {
  return [jobKeystore(tls).name, tls.passwordSecret.name, tls.passwordKey];
}
