// Backup alerts (issue 12): WAL archiving from the exporter's pg_stat_archiver query, the logical
// backup and restore verification CronJobs from kube-state-metrics. Every expression parses
// with Prometheus's grammar (test/util/promql.ts).
import { App, Chart, Duration, Size } from 'cdk8s';
import { Monitoring } from '../../src/core/kit/monitoring';
import { ObjectStore, PostgresCluster, PostgresClusterProps } from '../../src/postgres';
import { cronPeriodSeconds } from '../../src/postgres/private/backup-alerts';
import { promqlErrors, promqlOf } from '../util/promql';
import { promtoolTestRules, series } from '../util/promtool';
import { find, synthValidated } from '../util/validate';

const STORE = ObjectStore.s3({ bucket: 'acme-pg', endpoint: 'http://minio.storage:9000' });

function rules(props: PostgresClusterProps) {
  const c = new Chart(new App(), 'test', { namespace: 'db' });
  const cluster = new PostgresCluster(c, 'orders', { monitoring: Monitoring.prometheus(), ...props });
  const objs = synthValidated(c, { externalSecrets: [cluster.secretName] });
  for (const q of promqlOf(objs)) expect(promqlErrors(q)).toEqual([]);
  return { objs, rules: find(objs, 'PrometheusRule', 'orders').spec.groups[0].rules as any[] };
}
const BACKUP_ALERTS = ['PostgresWalArchivingFailing', 'PostgresWalArchiveStale', 'PostgresBackupTooOld', 'PostgresBackupJobFailed'];
const backupNames = (rs: any[]) => rs.map((r) => r.alert).filter((a: string) => BACKUP_ALERTS.includes(a));

test('without any backup: no backup alerts', () => {
  expect(backupNames(rules({}).rules)).toEqual([]);
});

describe('continuous backup with verification, and a logical backup', () => {
  const { objs, rules: rs } = rules({
    continuousBackup: { objectStore: STORE, verify: { schedule: '0 5 * * 0', activeDeadline: Duration.hours(2) } },
    backup: { size: Size.gibibytes(10), schedule: '30 2 * * *' },
  });

  test('WAL archiving, then too-old and failed for each CronJob, in that order', () => {
    expect(backupNames(rs)).toEqual([
      'PostgresWalArchivingFailing', 'PostgresWalArchiveStale',
      'PostgresBackupTooOld', 'PostgresBackupJobFailed',
      'PostgresBackupTooOld', 'PostgresBackupJobFailed',
    ]);
    expect(find(objs, 'CronJob', 'orders-backup')).toBeDefined();
    expect(find(objs, 'CronJob', 'orders-verify')).toBeDefined();
  });

  test('archiving alerts read the exporter query of this cluster\'s pods', () => {
    const m = 'namespace="db",pod=~"orders-[0-9]+"';
    expect(rs.find((r) => r.alert === 'PostgresWalArchivingFailing')).toMatchObject({
      expr: `max by (pod) (rate(pg_stat_archiver_failed_count{${m}}[5m])) > 0`, for: '600s', labels: { severity: 'critical' },
    });
    expect(rs.find((r) => r.alert === 'PostgresWalArchiveStale').expr)
      .toBe(`max by (pod) (pg_stat_archiver_last_archive_age_seconds{${m}}) > 3600 and max by (pod) (pg_stat_archiver_ready_count{${m}}) > 0`);
  });

  test('logical backup: older than a day plus its 6 h deadline; a failed run newer than the last success', () => {
    const [tooOld, failed] = rs.filter((r) => /Backup/.test(r.alert)).slice(0, 2);
    const cj = 'namespace="db",cronjob="orders-backup"';
    const last = `max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cj}})`;
    expect(tooOld.expr).toBe(`(time() - ${last}) > 108000`
      + ` or ((time() - max by (namespace, cronjob) (kube_cronjob_created{${cj}})) > 108000 unless on (namespace, cronjob) ${last})`);
    expect(tooOld.annotations.summary).toContain('logical backup (CronJob orders-backup)');
    const jobs = 'namespace="db",job_name=~"orders-backup-[0-9]+"';
    expect(failed.expr).toBe(
      `(max by (namespace, job_name) (kube_job_status_start_time{${jobs}}) and on (namespace, job_name) max by (namespace, job_name) (kube_job_status_failed{${jobs}}) > 0)`
      + ` > on (namespace) group_left () (max by (namespace) (kube_cronjob_status_last_successful_time{${cj}}) or max by (namespace) (kube_cronjob_created{${cj}}))`);
  });

  test('verification: weekly plus its 2 h deadline', () => {
    const tooOld = rs.filter((r) => r.alert === 'PostgresBackupTooOld')[1];
    expect(tooOld.expr).toContain('cronjob="orders-verify"');
    expect(tooOld.expr).toContain(`> ${7 * 86400 + 7200}`);
    expect(rs.filter((r) => r.alert === 'PostgresBackupJobFailed')[1].expr).toContain('job_name=~"orders-verify-[0-9]+"');
  });
});

test('continuous backup without verification: archiving alerts only', () => {
  expect(backupNames(rules({ continuousBackup: { objectStore: STORE } }).rules)).toEqual(['PostgresWalArchivingFailing', 'PostgresWalArchiveStale']);
});

test('a logical backup alone: its two CronJob alerts', () => {
  expect(backupNames(rules({ backup: { size: Size.gibibytes(1) } }).rules)).toEqual(['PostgresBackupTooOld', 'PostgresBackupJobFailed']);
});

test.each<[string, number]>([
  ['0 2 * * *', 86400],
  ['*/10 * * * *', 3600],
  ['0 */6 * * *', 6 * 3600],
  ['0 1,13 * * *', 86400],
  ['0 5 * * 0', 7 * 86400],
  ['0 3 1 * *', 31 * 86400],
  ['0 3 1 1 *', 366 * 86400],
])('the longest gap of %s is at most %i s', (schedule, seconds) => {
  expect(cronPeriodSeconds(schedule)).toBe(seconds);
});

// The rules as Prometheus evaluates them: `promtool test rules` (Debian package prometheus) on
// the synthesized group, with kube-state-metrics and exporter series as inputs.
describe('promtool test rules', () => {
  const { rules: rs } = rules({
    continuousBackup: { objectStore: STORE, verify: {} },
    backup: { size: Size.gibibytes(10) },
  });
  const summary = (alert: string, cronjob?: string) => rs.find((r) => r.alert === alert && (!cronjob || r.expr.includes(`cronjob="${cronjob}"`))).annotations.summary;
  const alert = (name: string, labels: { [k: string]: string }, cronjob?: string) => ({
    exp_labels: { severity: rs.find((r) => r.alert === name).labels.severity, ...labels },
    exp_annotations: { summary: summary(name, cronjob) },
  });
  const ns = 'namespace="db"';
  const tests = [
    {
      // A failed run before the last success is history; one after it (or, never succeeded, after the creation) fires.
      interval: '1m',
      input_series: series({
        [`kube_cronjob_created{${ns},cronjob="orders-backup"}`]: '0+0x30',
        [`kube_cronjob_status_last_successful_time{${ns},cronjob="orders-backup"}`]: '1000+0x30',
        [`kube_job_status_start_time{${ns},job_name="orders-backup-16"}`]: '500+0x30',
        [`kube_job_status_failed{${ns},job_name="orders-backup-16",reason="BackoffLimitExceeded"}`]: '1+0x30',
        [`kube_job_status_start_time{${ns},job_name="orders-backup-33"}`]: '2000+0x30',
        [`kube_job_status_failed{${ns},job_name="orders-backup-33",reason="BackoffLimitExceeded"}`]: '1+0x30',
        [`kube_job_status_start_time{${ns},job_name="orders-backup-34"}`]: '2100+0x30',
        [`kube_job_status_failed{${ns},job_name="orders-backup-34"}`]: '0+0x30',
        [`kube_cronjob_created{${ns},cronjob="orders-verify"}`]: '0+0x30',
        [`kube_job_status_start_time{${ns},job_name="orders-verify-5"}`]: '300+0x30',
        [`kube_job_status_failed{${ns},job_name="orders-verify-5"}`]: '1+0x30',
      }),
      alert_rule_test: [{
        eval_time: '5m',
        alertname: 'PostgresBackupJobFailed',
        exp_alerts: [
          alert('PostgresBackupJobFailed', { namespace: 'db', job_name: 'orders-backup-33' }, 'orders-backup'),
          alert('PostgresBackupJobFailed', { namespace: 'db', job_name: 'orders-verify-5' }, 'orders-verify'),
        ],
      }],
    },
    {
      // Daily backup + 6 h deadline = 30 h; the weekly verification (never succeeded) has 7 d + 6 h.
      interval: '1m',
      input_series: series({
        [`kube_cronjob_created{${ns},cronjob="orders-backup"}`]: '0+0x2000',
        [`kube_cronjob_status_last_successful_time{${ns},cronjob="orders-backup"}`]: '0+0x2000',
        [`kube_cronjob_created{${ns},cronjob="orders-verify"}`]: '0+0x2000',
      }),
      alert_rule_test: [
        { eval_time: '29h', alertname: 'PostgresBackupTooOld', exp_alerts: [] },
        { eval_time: '31h', alertname: 'PostgresBackupTooOld', exp_alerts: [alert('PostgresBackupTooOld', { namespace: 'db', cronjob: 'orders-backup' }, 'orders-backup')] },
      ],
    },
    {
      // A cluster that never succeeded: counted from the CronJob's creation.
      interval: '1m',
      input_series: series({ [`kube_cronjob_created{${ns},cronjob="orders-backup"}`]: '0+0x2000' }),
      alert_rule_test: [
        { eval_time: '31h', alertname: 'PostgresBackupTooOld', exp_alerts: [alert('PostgresBackupTooOld', { namespace: 'db', cronjob: 'orders-backup' }, 'orders-backup')] },
      ],
    },
    {
      // orders-0: archive_command fails every minute, segments pile up; orders-1: idle (old archive, nothing waiting).
      interval: '1m',
      input_series: series({
        [`pg_stat_archiver_failed_count{${ns},pod="orders-0"}`]: '0+1x60',
        [`pg_stat_archiver_last_archive_age_seconds{${ns},pod="orders-0"}`]: '3000+60x60',
        [`pg_stat_archiver_ready_count{${ns},pod="orders-0"}`]: '1+1x60',
        [`pg_stat_archiver_failed_count{${ns},pod="orders-1"}`]: '0+0x60',
        [`pg_stat_archiver_last_archive_age_seconds{${ns},pod="orders-1"}`]: '90000+60x60',
        [`pg_stat_archiver_ready_count{${ns},pod="orders-1"}`]: '0+0x60',
      }),
      alert_rule_test: [
        { eval_time: '20m', alertname: 'PostgresWalArchivingFailing', exp_alerts: [alert('PostgresWalArchivingFailing', { pod: 'orders-0' })] },
        { eval_time: '5m', alertname: 'PostgresWalArchiveStale', exp_alerts: [] },
        { eval_time: '25m', alertname: 'PostgresWalArchiveStale', exp_alerts: [alert('PostgresWalArchiveStale', { pod: 'orders-0' })] },
      ],
    },
  ];

  test('the backup alerts fire for exactly the series they should', () => {
    const r = promtoolTestRules(rs, tests);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
