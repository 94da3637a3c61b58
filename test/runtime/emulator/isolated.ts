/**
 * One container run to completion without a pod network (the host's network, e.g. a stub on
 * loopback): the same private root, binds, env file and uid/gid as a pod's container
 * (container-run.sh), in a fresh mount + UTS namespace. For Jobs whose peer is a test stub.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildEnv, expandCommand, ObjectStore, PodFacts } from './env';
import { imageFor } from './images';

const RUN_SH = path.join(__dirname, 'container-run.sh');

export interface IsolatedRun {
  /** The pod spec the container comes from (its securityContext applies). */
  readonly podSpec: any;
  readonly container: any;
  readonly pod: PodFacts;
  readonly store: ObjectStore;
  /** Host path → path in the container (read-only), e.g. the ServiceAccount files. */
  readonly binds?: Record<string, string>;
  /** Env added after the container's (what the kubelet injects, e.g. KUBERNETES_SERVICE_HOST). */
  readonly extraEnv?: Record<string, string>;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

export interface IsolatedResult { readonly code: number | null; readonly output: string }

export function runIsolated(run: IsolatedRun): Promise<IsolatedResult> {
  const c = run.container;
  const image = imageFor(c.image);
  const env = new Map<string, string>(Object.entries(run.extraEnv ?? {}));
  for (const [k, v] of buildEnv(c, run.pod, run.store)) env.set(k, v);
  if (!env.has('PATH')) env.set('PATH', image.path);
  env.set('HOSTNAME', run.pod.name);
  const argv = [...(c.command ? expandCommand(c.command, env) : image.entrypoint ?? []), ...expandCommand(c.args, env)];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-job-'));
  const stage = path.join(dir, 'stage');
  fs.mkdirSync(stage);
  fs.writeFileSync(path.join(dir, 'env'), [...env].map(([k, v]) => `${k}=${v}\0`).join(''), { mode: 0o600 });
  const pod = run.podSpec.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const uid = sc.runAsUser ?? pod.runAsUser;
  const gid = sc.runAsGroup ?? pod.runAsGroup ?? 0;
  const plan: string[][] = [['root', stage]];
  if (uid !== undefined) plan.push(['passwd', String(uid), String(gid)]);
  for (const [inImage, local] of Object.entries(image.files)) plan.push(['bind', local, inImage, 'ro']);
  for (const [src, dst] of Object.entries(run.binds ?? {})) plan.push(['bind', src, dst, 'ro']);
  plan.push(['hostname', run.pod.name], ['wd', c.workingDir ?? '/']);
  if (uid !== undefined) plan.push(['user', String(uid), String(gid), pod.fsGroup !== undefined ? String(pod.fsGroup) : '']);
  plan.push(['envfile', path.join(dir, 'env')]);
  if (sc.readOnlyRootFilesystem) plan.push(['rootro']);
  if (sc.allowPrivilegeEscalation === false) plan.push(['nonewprivs']);
  fs.writeFileSync(path.join(dir, 'plan'), plan.map((l) => l.join('\t')).join('\n') + '\n');
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/unshare', ['-m', '-u', '--propagation', 'private', '--', '/bin/bash', RUN_SH, path.join(dir, 'plan'), '--', ...argv],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, run.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}
