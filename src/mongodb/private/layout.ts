// Internal: where things are in a member's pod (ports, mounts, the image's user). Not re-exported.

export const PORT = 27017;
export const DATA_DIR = '/data/db';
export const SCRIPTS_DIR = '/opt/cdk8s-stateful/mongodb';
export const MEMBERS_DIR = '/etc/mongodb/members';
export const CREDENTIALS_DIR = '/etc/mongodb/credentials';
/** mongosh's global configuration file on Linux. */
export const MONGOSH_CONF = '/etc/mongosh.conf';
/** The copy start.sh makes with mode 0400 (mongod refuses a group-readable keyfile). */
export const KEYFILE = '/tmp/mongodb-keyfile';
/** The image's `mongodb` user (docker-library/mongo Dockerfile: `useradd --uid 999`). */
export const MONGODB_UID = 999;
/** The arbiter's member `_id`: the highest MongoDB allows, so it never takes a data member's ordinal. */
export const ARBITER_ID = 255;
