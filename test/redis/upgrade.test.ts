// What the generic upgrade check says about RedisCluster changes.
import { Chart, Testing } from 'cdk8s';
import { RedisCluster, RedisClusterProps, RedisPersistence, RedisVersion, UpgradeSafety } from '../../src';
import { synthValidated } from '../util/validate';

function objs(props: RedisClusterProps): any[] {
  const c = new Chart(Testing.app(), 'test', { namespace: 'cache' });
  new RedisCluster(c, 'redis', props);
  return synthValidated(c);
}

test('scaling the Sentinel quorum down is flagged (removed Sentinels still count until SENTINEL RESET)', () => {
  const ids = UpgradeSafety.check(objs({ replicas: 5 }), objs({ replicas: 3 })).map((f) => f.id);
  expect(ids).toContain('@cdk8s-stateful/policy:quorumShrink');
});

test('a patch release, persistence or memory policy change is not flagged', () => {
  expect(UpgradeSafety.check(objs({}), objs({ version: RedisVersion.of('7.4.7'), persistence: RedisPersistence.RDB }))).toEqual([]);
});
