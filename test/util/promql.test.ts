import { promqlErrors } from './promql';

test('the PromQL check accepts valid expressions and rejects broken ones', () => {
  expect(promqlErrors('(sum(patroni_primary{pod=~"db-[0-9]+"}) or vector(0)) != 1')).toEqual([]);
  expect(promqlErrors('predict_linear(kubelet_volume_stats_available_bytes{namespace="x"}[6h], 24 * 3600) < 0')).toEqual([]);
  expect(promqlErrors('sum(rate(x[5m]) >')).not.toEqual([]);
  expect(promqlErrors('up{job="a"')).not.toEqual([]);
  expect(promqlErrors('max by (pod (x)')).not.toEqual([]);
});
