import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { cronError, intError, resourcesError, timeZoneError, wholeSecondsError } from '../api-rules';
import { ValidationError } from '../errors';
import { Names } from '../naming';
import { registerObjects } from '../registry';
import { WorkloadMount } from '../workload/container';
import { envToKube, resourcesToKube } from '../workload/private/render';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../workload/private/security';
import { WorkloadVolume } from '../workload/volumes';

/** The interpreter and text of a one-shot script. */
export class JobScript {
  /**
   * A bash script: `bash -ec <text> <name>` (errexit on), or `bash -c` with `errexit: false`.
   * @param text the script, usually an asset file (`src/<system>/assets/*.sh`)
   */
  public static bash(text: string, options: BashScriptOptions = {}): JobScript {
    const cmd = ['bash', options.errexit ?? true ? '-ec' : '-c', text];
    if (options.name) cmd.push(options.name);
    return new JobScript(cmd, text);
  }

  /**
   * A program run directly, without a shell (an image that has none, e.g. a distroless
   * `kubectl`): the argument vector as given.
   * @param argv the program and its arguments
   */
  public static program(argv: string[]): JobScript {
    return new JobScript([...argv], JSON.stringify(argv));
  }

  /** A Python 3 script: `python3 -c <text>`. */
  public static python(text: string): JobScript {
    return new JobScript(['python3', '-c', text], text);
  }

  private constructor(
    /** The container command. */
    public readonly command: string[],
    /** The script text (for hashing into names of immutable Jobs). */
    public readonly text: string,
  ) {}
}

/** Options of a bash script. */
export interface BashScriptOptions {
  /** Stop at the first failing command (`bash -e`). @default true */
  readonly errexit?: boolean;
  /** `$0` of the script (shows in `ps` and error messages). @default - none ($0 is 'bash') */
  readonly name?: string;
}

/** When a Job's pod is restarted. */
export enum JobRestartPolicy {
  /** Restart the container in the same pod (keeps emptyDirs). */
  ON_FAILURE = 'OnFailure',
  /** A new pod per attempt. */
  NEVER = 'Never',
}

/** Run the Job on a schedule: a CronJob instead of a Job. */
export interface JobSchedule {
  /** Five-field cron expression, e.g. `0 2 * * *`. */
  readonly cron: string;
  /** IANA time zone of the schedule. @default - the controller's time zone (usually UTC) */
  readonly timeZone?: string;
  /** Successful Jobs kept. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept. @default 3 */
  readonly failedJobsHistoryLimit?: number;
}

/**
 * Another container of a ScriptJob's pod, running its own script with the same restricted
 * security (e.g. a helper on another image answering the main script through a shared emptyDir).
 * The Job completes once every container has exited with 0.
 */
export interface ScriptJobHelper {
  /** Container name. */
  readonly name: string;
  /** Pinned image. */
  readonly image: string;
  /** What runs. */
  readonly script: JobScript;
  /** Environment, in order. @default - none */
  readonly env?: { [name: string]: kplus.EnvValue };
  /** Mounts of the Job's `volumes`. @default - none */
  readonly mounts?: WorkloadMount[];
  /** Requests and limits. @default - none */
  readonly resources?: kplus.ContainerResources;
}

/** Props of a ScriptJob. */
export interface ScriptJobProps {
  /** Name of the Job (or CronJob). */
  readonly name: string;
  /** Labels of the Job and its pods. */
  readonly labels: { [key: string]: string };
  /** Labels of the pods only, on top of `labels`. @default - none */
  readonly podLabels?: { [key: string]: string };
  /** Image with the interpreter and tools the script needs, pinned. */
  readonly image: string;
  /** What runs. */
  readonly script: JobScript;
  /** Arguments after the script (`$1`...). @default - none */
  readonly args?: string[];
  /** Name of the container. @default 'run' */
  readonly containerName?: string;
  /** Environment, in order. @default - none */
  readonly env?: { [name: string]: kplus.EnvValue };
  /** Volumes by name. @default - none */
  readonly volumes?: { [name: string]: WorkloadVolume };
  /** Mounts of `volumes`. @default - none */
  readonly mounts?: WorkloadMount[];
  /** Requests and limits. @default - none */
  readonly resources?: kplus.ContainerResources;
  /** uid the pod runs as. @default 1000 */
  readonly user?: number;
  /** gid the pod runs as. @default 1000 */
  readonly group?: number;
  /** fsGroup of the pod. @default - none */
  readonly fsGroup?: number;
  /**
   * Name of a ServiceAccount whose token the pod mounts (a script that calls the API server).
   * @default - no ServiceAccount token is mounted
   */
  readonly serviceAccountName?: string;
  /** @default JobRestartPolicy.ON_FAILURE */
  readonly restartPolicy?: JobRestartPolicy;
  /** Retries before the Job fails. @default 6 */
  readonly backoffLimit?: number;
  /** Deadline of one run, after which it is failed. @default - none */
  readonly activeDeadline?: Duration;
  /** Delete a finished Job after this long. @default - kept */
  readonly ttlAfterFinished?: Duration;
  /** Run on a schedule (a CronJob). @default - a Job that runs once */
  readonly schedule?: JobSchedule;
  /** More containers, after the main one. @default - none */
  readonly helpers?: ScriptJobHelper[];
}

/**
 * A restricted one-shot Job (or CronJob) running a script: the restricted Pod Security Standard
 * with a read-only root, no ServiceAccount token unless `serviceAccountName` is given, no service
 * links. Every system's users, topics, backups and restores run as one of these.
 */
export class ScriptJob extends Construct {
  /** The Job, unless scheduled. */
  public readonly job?: k8s.KubeJob;
  /** The CronJob, when scheduled. */
  public readonly cronJob?: k8s.KubeCronJob;
  /** The name of the Job or CronJob. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ScriptJobProps) {
    super(scope, id);
    Names.assertDns1123Subdomain(this, 'Job name', props.name);
    if (!props.image || /\s/.test(props.image)) {
      throw new ValidationError('ScriptJobImageInvalid', `image '${props.image}' is not an image reference; give e.g. 'docker.io/library/bash:5.2'`, this);
    }
    const s = props.schedule;
    const bad = (s && (cronError(s.cron) ?? (s.timeZone !== undefined ? timeZoneError(s.timeZone) : undefined)))
      ?? (props.backoffLimit !== undefined ? intError('backoffLimit', props.backoffLimit, 0) : undefined)
      ?? (props.activeDeadline && wholeSecondsError('activeDeadline', props.activeDeadline, 1))
      ?? (props.ttlAfterFinished && wholeSecondsError('ttlAfterFinished', props.ttlAfterFinished, 0))
      ?? resourcesError(`Job '${props.name}'`, props.resources);
    if (bad) throw new ValidationError('ScriptJobInvalid', bad, this);
    this.name = props.name;
    const volumes = Object.entries(props.volumes ?? {}).map(([n, v]) => v._toKube(n));
    const pod: k8s.PodTemplateSpec = {
      metadata: { labels: { ...props.labels, ...(props.podLabels ?? {}) } },
      spec: {
        restartPolicy: props.restartPolicy ?? JobRestartPolicy.ON_FAILURE,
        serviceAccountName: props.serviceAccountName,
        automountServiceAccountToken: props.serviceAccountName !== undefined,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurity(props.user ?? 1000, props.group ?? 1000, props.fsGroup),
        containers: [
          { name: props.containerName ?? 'run', image: props.image, script: props.script, env: props.env, mounts: props.mounts, resources: props.resources },
          ...(props.helpers ?? []),
        ].map((c, i) => {
          const env = envToKube(c.env);
          return {
            name: c.name,
            image: c.image,
            imagePullPolicy: 'IfNotPresent',
            command: c.script.command,
            args: i === 0 && props.args?.length ? props.args : undefined,
            env: env.length ? env : undefined,
            resources: resourcesToKube(c.resources),
            volumeMounts: c.mounts?.length
              ? c.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, subPath: m.subPath, readOnly: m.readOnly ? true : undefined }))
              : undefined,
            securityContext: restrictedContainerSecurity(),
          };
        }),
        volumes: volumes.length ? volumes : undefined,
      },
    };
    const jobSpec: k8s.JobSpec = {
      backoffLimit: props.backoffLimit ?? 6,
      activeDeadlineSeconds: props.activeDeadline?.toSeconds(),
      ttlSecondsAfterFinished: props.ttlAfterFinished?.toSeconds(),
      template: pod,
    };
    const metadata = { name: props.name, labels: props.labels };
    if (s) {
      this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
        metadata,
        spec: {
          schedule: s.cron,
          timeZone: s.timeZone,
          concurrencyPolicy: 'Forbid',
          successfulJobsHistoryLimit: s.successfulJobsHistoryLimit ?? 3,
          failedJobsHistoryLimit: s.failedJobsHistoryLimit ?? 3,
          jobTemplate: { spec: jobSpec },
        },
      });
    } else {
      this.job = new k8s.KubeJob(this, 'Resource', { metadata, spec: jobSpec });
    }
    registerObjects(this, (this.job ?? this.cronJob)!);
  }
}
