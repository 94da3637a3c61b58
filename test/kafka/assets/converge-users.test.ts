// assets/converge-users.sh, run as the synthesized users Job runs it, against fake Kafka tools.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Stubs } from './stubs';
import { KafkaAcl, KafkaAclOperation, KafkaAclPatternType, KafkaAuthentication, KafkaCluster, KafkaTls } from '../../../src';
import { envOf, find, synthValidated } from '../../util/validate';

const ASSET = path.join(__dirname, '../../../src/kafka/assets/converge-users.sh');

/** The users Job's container as synthesized, with its mounts. */
function usersContainer(): any {
  const c = new Chart(Testing.app(), 'test', { namespace: 'data' });
  const s = (n: string) => kplus.Secret.fromSecretName(c, n, n);
  const kafka = new KafkaCluster(c, 'kafka', {
    listeners: { authentication: KafkaAuthentication.SCRAM_SHA_512, tls: KafkaTls.fromPkcs12Secret(s('kafka-tls'), { passwordSecret: s('kafka-tls-pw') }) },
  });
  kafka.addUser('orders', {
    passwordSecret: s('orders-pw'),
    acls: [KafkaAcl.topic('orders').allow(KafkaAclOperation.WRITE, KafkaAclOperation.DESCRIBE), KafkaAcl.group('orders-', KafkaAclPatternType.PREFIXED).allow(KafkaAclOperation.READ)],
  });
  const objs = synthValidated(c, { externalSecrets: ['kafka-tls', 'kafka-tls-pw', 'orders-pw'] });
  return find(objs, 'Job', kafka.usersJob!.name).spec.template.spec.containers[0];
}

/** Runs the container as the kubelet would, with the password file where the mount puts it. */
function runJob(stubs: Stubs, ctr: any, password = 'pa55-word') {
  const env: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(envOf(ctr))) {
    if (k === 'POD_NAMESPACE') env[k] = 'data';
    else if (k === 'TLS_STORE_PASSWORD') env[k] = 'store-pw';
    else if (typeof v === 'string') env[k] = v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => env[name] ?? m);
  }
  const mount = ctr.volumeMounts.find((m: any) => m.mountPath.endsWith('/orders/password'));
  expect(mount).toMatchObject({ subPath: 'password', readOnly: true });
  stubs.write('users/orders/password', password);
  return stubs.run([...ctr.command, ...(ctr.args ?? [])], { ...env, USERS_DIR: path.join(stubs.dir, 'users') });
}

/** `kafka-acls.sh --list` output for one resource pattern. */
const listed = (type: string, name: string, pattern: string, entries: Array<[string, string, string]>) =>
  `Current ACLs for resource \`ResourcePattern(resourceType=${type}, name=${name}, patternType=${pattern})\`: \n` +
  entries.map(([p, op, perm]) => ` \t(principal=${p}, host=*, operation=${op}, permissionType=${perm})`).join('\n') + '\n\n';

let stubs: Stubs;
beforeEach(() => {
  stubs = new Stubs();
  stubs.add('sleep');
  stubs.add('kafka-broker-api-versions.sh', "echo 'kafka-0:9094 (id: 0 rack: null) -> ('");
  stubs.add('kafka-configs.sh', `case " $* " in *" --add-config-file "*) f=$(printf '%s\\n' "$@" | sed -n '/--add-config-file/{n;p;}'); cp "$f" "${'$'}{TMPDIR}/scram-seen" ;; esac; echo "Completed updating config"`);
  // --list --topic <marker> prints <dir>/marker; --list --principal P prints <dir>/acls-<P>.
  stubs.add('kafka-acls.sh', `case " $* " in
    *" --list --topic "*) [ ! -f "$TMPDIR/marker" ] || cat "$TMPDIR/marker" ;;
    *" --list --principal "*) p=$(printf '%s\\n' "$@" | sed -n '/--principal/{n;p;}'); [ ! -f "$TMPDIR/acls-$p" ] || cat "$TMPDIR/acls-$p" ;;
  esac`);
});
afterEach(() => stubs.cleanup());

test('bash -n and shellcheck find nothing', () => {
  expect(spawnSync('bash', ['-n', ASSET]).status).toBe(0);
  const sc = spawnSync('shellcheck', [ASSET], { encoding: 'utf8' });
  expect(sc.stdout + sc.stderr).toBe('');
});

const BOOT = ['--bootstrap-server', 'kafka-0.kafka-headless.data.svc.cluster.local:9094', '--command-config'];
const rest = (call: string[]) => call.slice(4);

test('a first run: the SCRAM credential from the password file (never in args), then every declared ACL and the ownership marker', () => {
  const r = runJob(stubs, usersContainer());
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const configs = stubs.calls('kafka-configs.sh');
  expect(configs.map(rest)).toEqual([['--alter', '--entity-type', 'users', '--entity-name', 'orders', '--add-config-file', path.join(stubs.dir, 'scram.properties')]]);
  expect(configs[0].slice(0, 3)).toEqual(BOOT);
  expect(configs.flat().join(' ')).not.toContain('pa55-word');
  expect(stubs.file('scram-seen')).toBe('SCRAM-SHA-512=[password=pa55-word]\n');
  const acls = stubs.calls('kafka-acls.sh').map(rest);
  expect(acls).toEqual([
    ['--list', '--topic', '__cdk8s-stateful-managed-user'],
    ['--list', '--principal', 'User:orders'],
    ['--add', '--allow-principal', 'User:orders', '--operation', 'Read', '--resource-pattern-type', 'prefixed', '--group', 'orders-'],
    ['--add', '--allow-principal', 'User:orders', '--operation', 'Describe', '--resource-pattern-type', 'literal', '--topic', '__cdk8s-stateful-managed-user'],
    ['--add', '--allow-principal', 'User:orders', '--operation', 'Describe', '--resource-pattern-type', 'literal', '--topic', 'orders'],
    ['--add', '--allow-principal', 'User:orders', '--operation', 'Write', '--resource-pattern-type', 'literal', '--topic', 'orders'],
  ]);
});

test('a later run: adds only what is missing, removes what it owns and no longer declares, never touches unmarked principals', () => {
  stubs.write('marker', listed('TOPIC', '__cdk8s-stateful-managed-user', 'LITERAL', [['User:orders', 'DESCRIBE', 'ALLOW'], ['User:gone', 'DESCRIBE', 'ALLOW']]));
  stubs.write('acls-User:orders',
    listed('TOPIC', 'orders', 'LITERAL', [['User:orders', 'WRITE', 'ALLOW'], ['User:orders', 'DESCRIBE', 'ALLOW'], ['User:orders', 'DELETE', 'ALLOW']]) +
    listed('TOPIC', '__cdk8s-stateful-managed-user', 'LITERAL', [['User:orders', 'DESCRIBE', 'ALLOW']]) +
    listed('GROUP', 'orders-', 'PREFIXED', [['User:orders', 'READ', 'ALLOW']]));
  stubs.write('acls-User:gone', listed('TOPIC', 'audit', 'LITERAL', [['User:gone', 'READ', 'ALLOW']]) +
    listed('TOPIC', '__cdk8s-stateful-managed-user', 'LITERAL', [['User:gone', 'DESCRIBE', 'ALLOW']]));
  const r = runJob(stubs, usersContainer());
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const changes = stubs.calls('kafka-acls.sh').map(rest).filter((c) => c[0] !== '--list');
  expect(changes).toEqual([
    ['--remove', '--force', '--allow-principal', 'User:gone', '--operation', 'Describe', '--resource-pattern-type', 'literal', '--topic', '__cdk8s-stateful-managed-user'],
    ['--remove', '--force', '--allow-principal', 'User:gone', '--operation', 'Read', '--resource-pattern-type', 'literal', '--topic', 'audit'],
    ['--remove', '--force', '--allow-principal', 'User:orders', '--operation', 'Delete', '--resource-pattern-type', 'literal', '--topic', 'orders'],
  ]);
  // Only managed principals are listed: nobody else's ACLs are read or changed.
  expect(stubs.calls('kafka-acls.sh').map(rest).filter((c) => c[1] === '--principal').map((c) => c[2])).toEqual(['User:gone', 'User:orders']);
  expect(stubs.calls('kafka-configs.sh').map(rest)).toContainEqual(['--alter', '--entity-type', 'users', '--entity-name', 'gone', '--delete-config', 'SCRAM-SHA-512']);
  expect(r.stdout).toContain('user gone: no longer declared, removed');
});

test.each([['a,b'], ['a]b']])('a password kafka-configs.sh cannot pass (%s) fails the Job with one clear line and sets nothing', (pw) => {
  const r = runJob(stubs, usersContainer(), pw);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("user orders: the password holds ',', '[', ']' or a newline");
  expect(stubs.calls('kafka-configs.sh')).toEqual([]);
});
