import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Problem } from './checks';
import { BindPlan, bindPlan, CLIENT_CERT_DIR, CLIENT_TLS_DIR, clientEnv } from './client-env';
import { NodeUser } from './node-env';
import { KafkaClientSecrets, KafkaTls } from '../listeners';

/** What `KafkaCluster.bind` gives a workload's containers. */
export interface WireClientInput {
  readonly workload: kplus.Workload;
  /** The cluster's construct id (ids of the volumes made in the workload's scope). */
  readonly clusterId: string;
  readonly clusterName: string;
  readonly clusterNamespace?: string;
  readonly user?: NodeUser & { readonly mechanism?: string };
  /** mTLS: the user's keystore. */
  readonly certificate?: KafkaTls;
  readonly tls?: KafkaTls;
  readonly secrets: KafkaClientSecrets;
  /** host:port of the bootstrap Service by its short name (same namespace). */
  readonly localBootstrap: string;
  /** host:port qualified by the cluster's namespace. */
  readonly bootstrapServers: string;
  readonly protocol: string;
}

/** Env and mounts of every container of the workload; the plan (for the NetworkPolicy peer), or the problem. */
export function wireClient(i: WireClientInput): BindPlan | Problem {
  const { workload } = i;
  const plan = bindPlan({
    cluster: i.clusterName,
    clusterNamespace: i.clusterNamespace,
    clientNamespace: Chart.of(workload).namespace,
    client: workload.node.path,
    user: i.user,
    tls: i.tls,
    secrets: i.secrets,
  });
  if ('code' in plan) return plan;
  const cert = i.certificate;
  const env = clientEnv({
    bootstrapServers: plan.sameNamespace ? i.localBootstrap : i.bootstrapServers,
    securityProtocol: i.protocol,
    user: plan.user,
    truststorePassword: plan.truststorePassword,
    keystorePassword: cert && { secret: cert.passwordSecret, key: cert.passwordKey },
  });
  // Only the CA: the Secret also holds the brokers' private key, which clients must not get.
  const caVolume = plan.ca && kplus.Volume.fromSecret(workload, `${i.clusterId}-kafka-ca`, plan.ca, {
    name: `${i.clusterName}-kafka-ca`,
    items: { 'ca.crt': { path: 'ca.crt' }, 'truststore.p12': { path: 'truststore.p12' } },
  });
  // mTLS: the user's own keystore (their key; the Secret is read in the client's namespace).
  const certVolume = cert && kplus.Volume.fromSecret(workload, `${i.clusterId}-kafka-cert`, cert.secret, {
    name: `${i.clusterName}-kafka-cert`,
    items: { 'keystore.p12': { path: 'keystore.p12' } },
  });
  for (const c of workload.containers) {
    for (const [k, v] of Object.entries(env)) c.env.addVariable(k, v);
    if (caVolume) c.mount(CLIENT_TLS_DIR, caVolume, { readOnly: true });
    if (certVolume) c.mount(CLIENT_CERT_DIR, certVolume, { readOnly: true });
  }
  return plan;
}
