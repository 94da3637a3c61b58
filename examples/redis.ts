// A Redis primary with two replicas and three Sentinels (one per pod), and an app bound to it.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisCluster, RedisMaxMemoryPolicy, RedisPersistence } from 'cdk8s-stateful';

export class RedisExampleChart extends Chart {
  public readonly redis: RedisCluster;
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
  }
}
