// One pass of a replica set member's bootstrap, run by bootstrap.sh with mongosh against the
// member's own mongod (127.0.0.1, so the localhost exception applies before any user exists: it
// allows rs.initiate and, once a primary is elected, the first createUser; MongoDB manual,
// "Localhost Exception in Self-Managed Deployments").
// Every step checks before it acts, so passes converge and a pass with nothing to do changes
// nothing:
//   1. No replica set config here: only the first ordinal initiates, and only when every other
//      member answers `hello` and none reports a set (`setName`): a member that lost its disk, or
//      a pass repeated after the initiate, never starts a second set. Others wait to be added.
//   2. On the primary only: log in as root, creating root first through the localhost exception
//      when no user exists yet; add the members missing from the config, one per pass (a reconfig
//      changes one voting member at a time); remove members beyond `replicas` only when
//      MONGO_REMOVE_MEMBERS is true; create the application users that are missing (never
//      changes an existing user or password).
// Inputs (env): MONGO_REPLICA_SET, MONGO_STATEFULSET, MONGO_HEADLESS, MONGO_CLUSTER_DOMAIN,
// MONGO_PORT, POD_NAME, POD_NAMESPACE, MONGO_MEMBERS_FILE (one ordinal per line; a ConfigMap the
// kubelet refreshes without a restart), MONGO_USERS_FILE (`<user> <db> <roles> <password file>`),
// MONGO_ROOT_PASSWORD_FILE, MONGO_REMOVE_MEMBERS, MONGO_ARBITER_HOST (optional).
/* global db, rs, Mongo, print, quit */
const fs = require('fs');

const env = process.env;
const setName = env.MONGO_REPLICA_SET;
const sts = env.MONGO_STATEFULSET;
const port = env.MONGO_PORT || '27017';
const read = (file) => fs.readFileSync(file, 'utf8').trim();
const hostOf = (ordinal) => `${sts}-${ordinal}.${env.MONGO_HEADLESS}.${env.POD_NAMESPACE}.svc.${env.MONGO_CLUSTER_DOMAIN}:${port}`;
const ordinals = read(env.MONGO_MEMBERS_FILE).split(/\s+/).filter((s) => s !== '').map(Number);
const wanted = ordinals.map((o) => ({ _id: o, host: hostOf(o) }));
const self = Number(env.POD_NAME.slice(sts.length + 1));
// The optional arbiter: a voting member without data, `_id` 255 (never a data member's ordinal).
const arbiter = env.MONGO_ARBITER_HOST || '';
const ours = new RegExp(`^${sts.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)\\.${env.MONGO_HEADLESS}\\.`);

/** `hello` of another member, or null when it does not answer. */
function peerHello(host) {
  let conn;
  try {
    conn = new Mongo(`mongodb://${host}/admin?directConnection=true&serverSelectionTimeoutMS=3000&connectTimeoutMS=3000`);
    return conn.getDB('admin').hello();
  } catch (e) {
    print(`bootstrap: ${host} does not answer: ${e.message}`);
    return null;
  } finally {
    if (conn && typeof conn.close === 'function') conn.close();
  }
}

function initiate() {
  if (self !== ordinals[0]) {
    print(`bootstrap: no replica set config yet; ${sts}-${ordinals[0]} initiates the set, or the primary adds this member`);
    return 0;
  }
  const others = wanted.filter((w) => w._id !== self);
  if (arbiter) others.push({ host: arbiter });
  for (const m of others) {
    const h = peerHello(m.host);
    if (h === null) {
      print(`bootstrap: not initiating: ${m.host} does not answer, and the set is initiated only when every member answers`);
      return 0;
    }
    if (h.setName) {
      print(`bootstrap: not initiating: ${m.host} already belongs to replica set '${h.setName}'; the primary adds this member`);
      return 0;
    }
  }
  const members = arbiter ? [...wanted, { _id: 255, host: arbiter, arbiterOnly: true }] : wanted;
  rs.initiate({ _id: setName, members });
  print(`bootstrap: initiated replica set '${setName}' with ${members.map((w) => w.host).join(', ')}`);
  return 0;
}

/**
 * Whether root logs in with this password, tried on a connection of its own: a failed `db.auth()`
 * would leave the main connection (the one the localhost exception applies to) in doubt.
 */
function canLogIn(password) {
  let conn;
  try {
    conn = new Mongo(`mongodb://root:${encodeURIComponent(password)}@127.0.0.1:${port}/admin?authSource=admin&directConnection=true&serverSelectionTimeoutMS=3000`);
    conn.getDB('admin').runCommand({ ping: 1 });
    return true;
  } catch (e) {
    print(`bootstrap: root cannot log in (${e.message})`);
    return false;
  } finally {
    if (conn && typeof conn.close === 'function') conn.close();
  }
}

function login(admin) {
  const password = read(env.MONGO_ROOT_PASSWORD_FILE);
  if (!canLogIn(password)) {
    // The localhost exception: allowed only while no user exists. Once one does, this fails with
    // "requires authentication": the Secret's root password is not the one the set was created with.
    admin.createUser({ user: 'root', pwd: password, roles: [{ role: 'root', db: 'admin' }] });
    print('bootstrap: created user root through the localhost exception');
  }
  admin.auth('root', password);
}

function reconcileMembers() {
  const members = rs.conf().members;
  for (const m of wanted.filter((w) => !members.some((x) => x.host === w.host))) {
    const h = peerHello(m.host);
    if (h === null) continue;
    if (h.setName && h.setName !== setName) {
      print(`bootstrap: not adding ${m.host}: it belongs to replica set '${h.setName}'`);
      continue;
    }
    rs.add(members.some((x) => x._id === m._id) ? m.host : { _id: m._id, host: m.host });
    print(`bootstrap: added member ${m.host}`);
    return;
  }
  if (arbiter && !members.some((x) => x.host === arbiter)) {
    const h = peerHello(arbiter);
    if (h !== null && (!h.setName || h.setName === setName)) {
      // MongoDB 5.0+ refuses this while the cluster-wide default write concern is implicit, when
      // the arbiter would change it (docs/mongodb.md, "Arbiter"): the error says so, and the pass fails.
      rs.addArb(arbiter);
      print(`bootstrap: added arbiter ${arbiter}`);
      return;
    }
  }
  const extra = members.filter((x) => ours.test(x.host) && !wanted.some((w) => w.host === x.host));
  if (!extra.length) return;
  if (env.MONGO_REMOVE_MEMBERS !== 'true') {
    print(`bootstrap: ${extra.map((x) => x.host).join(', ')} are members beyond replicas; not removing them (removeMembersOnScaleDown is off)`);
    return;
  }
  const last = extra[extra.length - 1];
  rs.remove(last.host);
  print(`bootstrap: removed member ${last.host}`);
}

function reconcileUsers(admin) {
  const file = env.MONGO_USERS_FILE;
  const lines = file && fs.existsSync(file) ? read(file).split('\n').filter((l) => l.trim() !== '') : [];
  for (const line of lines) {
    const [user, database, roles, passwordFile] = line.trim().split(/\s+/);
    if (admin.getUser(user)) continue;
    admin.createUser({ user, pwd: read(passwordFile), roles: roles.split(',').map((role) => ({ role, db: database })) });
    print(`bootstrap: created user ${user} (${roles} on ${database})`);
  }
}

function main() {
  const me = db.hello();
  if (!me.setName) return initiate();
  if (me.setName !== setName) {
    print(`bootstrap: this member belongs to replica set '${me.setName}', not '${setName}'`);
    return 1;
  }
  if (!me.isWritablePrimary) return 0;
  const admin = db.getSiblingDB('admin');
  login(admin);
  reconcileMembers();
  reconcileUsers(admin);
  return 0;
}

quit(main());
