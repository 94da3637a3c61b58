import { IConstruct } from 'constructs';
import { IConnectable } from '../workload/connections';

/** Where clients reach a stateful service. */
export interface ServiceEndpoint {
  /** DNS name of the Service clients connect to (qualified when the chart sets a namespace). */
  readonly host: string;
  /** Port of that Service. */
  readonly port: number;
}

/**
 * What every system of this library offers its clients (PostgresCluster, KafkaCluster, and the
 * systems built the same way): an endpoint, and `connections` to open its NetworkPolicy to
 * them. Each system also has a `bind(workload, options)` that wires a cdk8s-plus workload as a
 * client (env, credentials, ingress); its options differ per system, so it is a convention
 * rather than a member of this interface.
 */
export interface IStatefulService extends IConstruct, IConnectable {
  /** The endpoint clients connect to (the primary or bootstrap Service). */
  readonly endpoint: ServiceEndpoint;
}
