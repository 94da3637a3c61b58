import { Chart, Duration, Size, Testing, ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, Errors, JobRestartPolicy, JobScript, ScriptJob, WorkloadVolume } from '../../../src';
import { container, envOf, find, synthValidated } from '../../util/validate';

function chart(): Chart {
  return new Chart(Testing.app(), 'jobs', { namespace: 'ops' });
}

describe('ScriptJob', () => {
  test('a one-shot Job: restricted pod, no token, no service links, the script as the command', () => {
    const c = chart();
    const j = new ScriptJob(c, 'seed', {
      name: 'seed-data',
      labels: { 'app.kubernetes.io/name': 'seed' },
      image: 'docker.io/library/bash:5.2.37',
      script: JobScript.bash('echo "$GREETING"', { name: 'seed' }),
      args: ['one'],
      env: { GREETING: kplus.EnvValue.fromValue('hi') },
      volumes: { tmp: WorkloadVolume.emptyDir({ sizeLimit: Size.mebibytes(8) }) },
      mounts: [{ volume: 'tmp', mountPath: '/tmp' }],
      resources: { memory: { request: Size.mebibytes(16), limit: Size.mebibytes(32) } },
      activeDeadline: Duration.minutes(10),
      ttlAfterFinished: Duration.hours(1),
    });
    expect(ApiObject.of(j).kind).toBe('Job');
    const objs = synthValidated(c);
    const job = find(objs, 'Job', 'seed-data');
    const pod = job.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.restartPolicy).toBe('OnFailure');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(job.spec.backoffLimit).toBe(6);
    expect(job.spec.activeDeadlineSeconds).toBe(600);
    expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
    const run = container(job, 'run');
    expect(run.command).toEqual(['bash', '-ec', 'echo "$GREETING"', 'seed']);
    expect(run.args).toEqual(['one']);
    expect(envOf(run)).toEqual({ GREETING: 'hi' });
    expect(run.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(run.resources).toEqual({ requests: { memory: '16Mi' }, limits: { memory: '32Mi' } });
  });

  test('a schedule makes it a CronJob that never overlaps; a ServiceAccount mounts its token', () => {
    const c = chart();
    const j = new ScriptJob(c, 'nightly', {
      name: 'nightly',
      labels: { 'app.kubernetes.io/name': 'nightly' },
      image: 'docker.io/library/python:3.13.7-alpine3.22',
      script: JobScript.python('print(1)'),
      serviceAccountName: 'nightly',
      restartPolicy: JobRestartPolicy.NEVER,
      schedule: { cron: '0 2 * * *', timeZone: 'Europe/Berlin' },
    });
    expect(j.job).toBeUndefined();
    const objs = synthValidated(c, { externalServiceAccounts: ['nightly'] });
    const cj = find(objs, 'CronJob', 'nightly');
    expect(cj.spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('nightly');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.restartPolicy).toBe('Never');
    expect(container(cj, 'run').command).toEqual(['python3', '-c', 'print(1)']);
  });

  test('JobScript.program runs a program without a shell (a distroless image)', () => {
    const c = chart();
    new ScriptJob(c, 'exec', {
      name: 'exec',
      labels: { 'app.kubernetes.io/name': 'exec' },
      image: 'registry.k8s.io/kubectl:v1.31.4',
      script: JobScript.program(['kubectl', 'version', '--client']),
    });
    const job = find(synthValidated(c), 'Job', 'exec');
    expect(container(job, 'run').command).toEqual(['kubectl', 'version', '--client']);
  });

  test.each([
    [{ name: 'Bad_Name' }, 'NameNotDns1123Subdomain', "Job name 'Bad_Name' must be a DNS-1123 subdomain"],
    [{ image: '' }, 'ScriptJobImageInvalid', "image '' is not an image reference"],
    [{ image: 'a b' }, 'ScriptJobImageInvalid', "image 'a b' is not an image reference"],
  ])('bad props %j → %s', (override, code, message) => {
    let caught: any;
    try {
      new ScriptJob(chart(), 'bad', {
        name: 'ok', labels: {}, image: 'docker.io/library/bash:5.2.37', script: JobScript.bash('true'), ...override,
      });
    } catch (e) { caught = e; }
    expect(caught?.code).toBe(code);
    expect(caught?.message).toContain(message);
  });
});

describe('Credentials', () => {
  test.each<[string, () => Credentials, string]>([
    ['an empty Secret name', () => Credentials.fromSecret(kplus.Secret.fromSecretName(chart(), 's', '')), "Secret name '' is not a Secret name"],
    ['a key the construct does not read', () => Credentials.fromSecret(kplus.Secret.fromSecretName(chart(), 's', 'pw'), { 'no-such-key': 'x' }), "renames 'no-such-key', which this construct does not read"],
    ['a key map to an invalid key', () => Credentials.fromSecret(kplus.Secret.fromSecretName(chart(), 's', 'pw'), { password: 'a/b' }), "maps to 'a/b', which is not a Secret key"],
    ['an empty generator image', () => Credentials.generate({ image: '' }), "generator image '' is not an image reference"],
  ])('%s is a CredentialsInvalid ValidationError', (_what, make, message) => {
    const c = chart();
    let caught: any;
    try { make()._assertValid(c, ['password'], 'x-credentials'); } catch (e) { caught = e; }
    expect(Errors.codeOf(caught)).toBe('CredentialsInvalid');
    expect(caught.message).toContain(message);
  });
});
