import { isConfigKey, isEnvVarName } from '../../src/core/api-rules';

// The API server's rules (k8s.io/apimachinery pkg/util/validation: IsEnvVarName, IsConfigMapKey).
describe('isEnvVarName', () => {
  test.each(['A', '_x', 'my.var', 'a-b', 'PGHOST', 'x1'])('%s is an env var name', (n) => {
    expect(isEnvVarName(n)).toBe(true);
  });
  test.each(['', '1ABC', 'a b', 'a=b', '$X', 'ä'])('%j is not', (n) => {
    expect(isEnvVarName(n)).toBe(false);
  });
});

describe('isConfigKey', () => {
  test.each(['password', 'tls.crt', '.hidden', '_a-b.c', 'a'.repeat(253)])('%s is a Secret/ConfigMap key', (k) => {
    expect(isConfigKey(k)).toBe(true);
  });
  test.each(['', '.', '..', 'a/b', 'a b', 'a'.repeat(254)])('%j is not', (k) => {
    expect(isConfigKey(k)).toBe(false);
  });
});
