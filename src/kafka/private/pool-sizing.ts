import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { mebibytes } from './util';

/** Resources and JVM heap of a node pool, after defaults. */
export interface PoolSizing {
  readonly resources: kplus.ContainerResources;
  readonly memoryLimit?: Size;
  readonly heap: Size;
}

/**
 * Default resources by role (brokers 500m / 2Gi, controllers 250m / 1Gi, limit = request) and a
 * heap of half the memory limit: the rest is page cache, which Kafka relies on.
 */
export function poolSizing(controllerOnly: boolean, resources?: kplus.ContainerResources, heap?: Size): PoolSizing {
  const r = resources ?? (controllerOnly
    ? { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } }
    : { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } });
  const memoryLimit = r.memory?.limit;
  return {
    resources: r,
    memoryLimit,
    heap: heap ?? (memoryLimit ? Size.mebibytes(Math.floor(mebibytes(memoryLimit) / 2)) : Size.gibibytes(1)),
  };
}
