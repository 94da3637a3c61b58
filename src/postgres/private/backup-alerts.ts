// Internal: alerts on backups. WAL archiving (continuousBackup) from the exporter's
// pg_stat_archiver query (assets/exporter-queries.yaml); the logical backup and restore
// verification CronJobs from kube-state-metrics (kube_cronjob_*, kube_job_*; labels `cronjob`,
// `job_name`: https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/).
// Runbooks: docs/postgres.md, "Alerts and what to do".
import { ApiObject, Duration } from 'cdk8s';
import { AlertRule, AlertSeverity } from '../../core/kit/monitoring';

/** A CronJob whose runs are alerted on. */
export interface AlertedCronJob {
  readonly name: string;
  readonly schedule: string;
  /** Longest a run may take (activeDeadlineSeconds). */
  readonly deadlineSeconds: number;
  /** What it does, for the summaries ('logical backup', 'restore verification'). */
  readonly what: string;
}

/** The CronJob's name, schedule and deadline, read from the object as it synthesizes. */
export function alertedCronJob(cronJob: ApiObject, what: string): AlertedCronJob {
  const spec = cronJob.toJson().spec;
  return {
    name: cronJob.name,
    schedule: String(spec.schedule),
    deadlineSeconds: Number(spec.jobTemplate?.spec?.activeDeadlineSeconds ?? Duration.hours(6).toSeconds()),
    what,
  };
}

/**
 * The longest gap between two runs a 5-field cron schedule allows, coarsely and never less than
 * the real gap: a month field → a year, a day-of-month → 31 days, a day-of-week → 7 days, an
 * hour step (every n hours) → n hours, every hour → 1 hour, any other hour field → 1 day.
 */
export function cronPeriodSeconds(schedule: string): number {
  const [, hour, dom, month, dow] = schedule.trim().split(/\s+/);
  const day = 24 * 3600;
  if (month !== '*') return 366 * day;
  if (dom !== '*') return 31 * day;
  if (dow !== '*') return 7 * day;
  if (hour === '*') return 3600;
  const step = /^\*\/(\d+)$/.exec(hour);
  if (step) return Math.min(Number(step[1]), 24) * 3600;
  return day;
}

/** PostgresWalArchivingFailing and PostgresWalArchiveStale (continuousBackup on). */
export function archiverAlerts(m: string): AlertRule[] {
  return [
    {
      name: 'PostgresWalArchivingFailing',
      expr: `max by (pod) (rate(pg_stat_archiver_failed_count{${m}}[5m])) > 0`,
      for: Duration.minutes(10),
      severity: AlertSeverity.CRITICAL,
      summary: 'archive_command keeps failing: WAL piles up in pg_wal and point-in-time recovery stops at the last archived segment',
    },
    {
      name: 'PostgresWalArchiveStale',
      expr: `max by (pod) (pg_stat_archiver_last_archive_age_seconds{${m}}) > 3600 and max by (pod) (pg_stat_archiver_ready_count{${m}}) > 0`,
      for: Duration.minutes(10),
      severity: AlertSeverity.CRITICAL,
      summary: 'Completed WAL segments wait to be archived and none was archived for over an hour',
    },
  ];
}

/** PostgresBackupTooOld and PostgresBackupJobFailed for one CronJob. */
export function cronJobAlerts(namespace: string | undefined, c: AlertedCronJob): AlertRule[] {
  const ns = namespace ? `namespace="${namespace}",` : '';
  const cj = `${ns}cronjob="${c.name}"`;
  // The Jobs a CronJob starts are `<cronjob>-<scheduled time in minutes>`.
  const jobs = `${ns}job_name=~"${c.name}-[0-9]+"`;
  const maxAge = cronPeriodSeconds(c.schedule) + c.deadlineSeconds;
  const lastSuccess = `max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cj}})`;
  return [
    {
      name: 'PostgresBackupTooOld',
      // Never succeeded: counted from the CronJob's creation.
      expr: `(time() - ${lastSuccess}) > ${maxAge}`
        + ` or ((time() - max by (namespace, cronjob) (kube_cronjob_created{${cj}})) > ${maxAge} unless on (namespace, cronjob) ${lastSuccess})`,
      for: Duration.minutes(10),
      severity: AlertSeverity.CRITICAL,
      summary: `The last successful ${c.what} (CronJob ${c.name}) is older than its schedule plus its deadline (${maxAge} s)`,
    },
    {
      name: 'PostgresBackupJobFailed',
      // A failed run started after the last success (or the CronJob's creation): clears when a later run succeeds.
      expr: `(max by (namespace, job_name) (kube_job_status_start_time{${jobs}}) and on (namespace, job_name) max by (namespace, job_name) (kube_job_status_failed{${jobs}}) > 0)`
        + ` > on (namespace) group_left () (max by (namespace) (kube_cronjob_status_last_successful_time{${cj}}) or max by (namespace) (kube_cronjob_created{${cj}}))`,
      for: Duration.minutes(1),
      severity: AlertSeverity.WARNING,
      summary: `The latest ${c.what} run (CronJob ${c.name}) failed`,
    },
  ];
}
