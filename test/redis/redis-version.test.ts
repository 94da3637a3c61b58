import { RedisVersion } from '../../src';

test('constants and of()', () => {
  expect(RedisVersion.V7_4.fullVersion).toBe('7.4.6');
  expect(RedisVersion.V7_4.majorVersion).toBe(7);
  expect(RedisVersion.of('8.2.3').majorVersion).toBe(8);
});
