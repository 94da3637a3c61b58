import { buildEnv, EnvError, expand, expandCommand, fieldRefValue, ObjectStore, PodFacts } from './env';

const pod: PodFacts = { name: 'db-0', namespace: 'data', podIP: '10.244.1.10', labels: { 'role': 'primary', 'app.kubernetes.io/name': 'pg' } };
const store = (secrets: Record<string, Record<string, string>> = {}, cms: Record<string, Record<string, string>> = {}): ObjectStore => ({
  secret: (n) => secrets[n], configMap: (n) => cms[n],
});

describe('expand ($(VAR) as the kubelet does it)', () => {
  const vars: Record<string, string> = { A: 'a', EMPTY: '' };
  const look = (n: string) => vars[n];
  test.each([
    ['$(A)', 'a'],
    ['x$(A)y$(A)', 'xaya'],
    ['$(UNDEFINED)', '$(UNDEFINED)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$(A', '$(A'],
    ['$A', '$A'],
    ['cost: 5$', 'cost: 5$'],
    ['$(EMPTY)x', 'x'],
    ['$()', '$()'],
  ])('%s → %s', (input, out) => expect(expand(input, look)).toBe(out));
});

describe('buildEnv', () => {
  test('literals refer to earlier entries only, in order', () => {
    const env = buildEnv({
      env: [
        { name: 'LATER_REF', value: '$(B)' }, { name: 'B', value: 'b' }, { name: 'C', value: '$(B)-$(POD)' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
    }, pod, store());
    expect(env.get('LATER_REF')).toBe('$(B)');
    expect(env.get('C')).toBe('b-$(POD)');
    expect(env.get('POD')).toBe('db-0');
  });

  test('fieldRef, secretKeyRef, configMapKeyRef and envFrom with prefix', () => {
    const env = buildEnv({
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
      env: [
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'ROLE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['role']" } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 's', key: 'nope', optional: true } } },
        { name: 'PORT', valueFrom: { configMapKeyRef: { name: 'cm', key: 'port' } } },
      ],
    }, pod, store({ s: { password: 'pw' } }, { cm: { port: '5432' } }));
    expect(Object.fromEntries(env)).toEqual({ CM_port: '5432', IP: '10.244.1.10', NS: 'data', ROLE: 'primary', PW: 'pw', PORT: '5432' });
  });

  test('a missing required Secret key is CreateContainerConfigError', () => {
    expect(() => buildEnv({ env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } }] }, pod, store()))
      .toThrow(EnvError);
  });

  test('command and args expand against the final env; undefined stays literal', () => {
    const env = new Map([['POD_NAME', 'etcd-0']]);
    expect(expandCommand(['--name=$(POD_NAME)', '$(NOPE)', '$$(POD_NAME)'], env)).toEqual(['--name=etcd-0', '$(NOPE)', '$(POD_NAME)']);
  });

  test('unknown fieldRef paths are refused, not guessed', () => {
    expect(() => fieldRefValue('status.phase', pod)).toThrow('not emulated');
    expect(fieldRefValue("metadata.labels['absent']", pod)).toBe('');
  });
});
