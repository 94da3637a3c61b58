// A Redis primary with two replicas and three Sentinels (one per pod), and an app bound to it;
// beside it, a sharded Redis Cluster (3 primaries × 1 replica) the same app uses as its cart store.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisCluster, RedisMaxMemoryPolicy, RedisMode, RedisPersistence } from 'cdk8s-stateful';

export class RedisExampleChart extends Chart {
  public readonly redis: RedisCluster;
  public readonly carts: RedisCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'cache' });
    this.redis = new RedisCluster(this, 'sessions', {
      persistence: RedisPersistence.AOF,
      maxMemoryPolicy: RedisMaxMemoryPolicy.ALLKEYS_LRU,
      resources: { memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } },
    });
    const app = new kplus.Deployment(this, 'web', {
      containers: [{ image: 'docker.io/library/nginx:1.27.3', portNumber: 8080, securityContext: { user: 101, group: 101 } }],
    });
    this.redis.bind(app);
    this.carts = new RedisCluster(this, 'carts', { mode: RedisMode.cluster({ shards: 3, replicasPerShard: 1 }) });
    const worker = new kplus.Deployment(this, 'cart-worker', {
      containers: [{ image: 'docker.io/library/nginx:1.27.3', portNumber: 8080, securityContext: { user: 101, group: 101 } }],
    });
    this.carts.bind(worker);
  }
}
