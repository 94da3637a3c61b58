// KIT GAP (for the lead): WorkloadVolume has no claim source, and ScriptJob takes only
// WorkloadVolumes. Replace this with `WorkloadVolume.fromClaim(name)` (or the like) once the
// workload has it; test/postgres/postgres-backup.test.ts asserts the rendered volume.
import { WorkloadVolume } from '../../core/workload/stateful-workload';

/** A volume from an existing PersistentVolumeClaim. */
export function claimVolume(claimName: string): WorkloadVolume {
  const volume: WorkloadVolume = Object.create(WorkloadVolume.prototype, {
    source: { value: { persistentVolumeClaim: { claimName } } },
  });
  return volume;
}
