// Internal: upgrade-safety rules of MongoDB replica sets (MongoReplicaSet, or any StatefulSet of
// the official image run with --replSet). Not re-exported from index.ts.
import { UpgradeRisk } from '../upgrade-finding';
import { Draft, list, Obj } from './objects';
import { commandLine, envValue, labelOf, ordinals, replicasOf } from './pod';

/** A StatefulSet whose pods are MongoDB replica set members. */
export function isMongoMember(x: Obj): boolean {
  return labelOf(x.o, 'app.kubernetes.io/name') === 'mongodb' && commandLine(x.o).includes('--replSet');
}

/**
 * Fewer members. The StatefulSet stops the highest ordinals at once; they stay voting members of
 * the replica set config until a primary removes them (MongoReplicaSet's bootstrap does, one per
 * reconfig, with removeMembersOnScaleDown). A primary needs a majority of the config's voting
 * members, so that is safe only when the members left are a majority of the old config.
 */
export function mongoScaleDownRule(b: Obj, a: Obj): Draft[] {
  const from = replicasOf(b.o);
  const to = replicasOf(a.o);
  if (to >= from || !isMongoMember(b)) return [];
  const majority = Math.floor(from / 2) + 1;
  const removing = envValue(a.o, 'MONGO_REMOVE_MEMBERS') === 'true';
  if (removing && to >= majority) return [];
  const removed = ordinals(b.o).filter((i) => !ordinals(a.o).includes(i)).map((i) => `${b.name}-${i}`);
  return [{
    id: 'mongoScaleDown',
    risk: UpgradeRisk.UNAVAILABLE,
    message: removing
      ? `replicas ${from} → ${to}: ${list(removed)} stop at once, leaving ${to} of ${from} voting members, fewer than a majority (${majority}): ` +
        'no primary is left to remove them from the replica set config, and the set stops taking writes'
      : `replicas ${from} → ${to}: ${list(removed)} stop but stay voting members of the replica set config (removeMembersOnScaleDown is off), ` +
        `so a primary still needs ${majority} of ${from} with only ${to} running — ${to >= majority ? 'one more failure stops writes' : 'the set has no primary at once'}`,
    migration: [
      `remove the members first, on the primary, highest ordinal first: rs.remove('${b.name}-<ordinal>.<headless>.<namespace>.svc.<domain>:27017'), then scale down`,
      'or set removeMembersOnScaleDown: true and shrink in steps that keep a majority of the previous size (7 → 5 → 3, 3 → 2 → 1)',
      `the claims of ${list(removed)} stay (whenScaled Retain): delete them by hand once the members are removed`,
    ],
  }];
}
