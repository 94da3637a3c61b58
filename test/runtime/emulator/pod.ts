/**
 * One emulated pod: a network namespace (the sandbox), its volumes as directories, init
 * containers run to completion in order, then the main containers supervised like the kubelet
 * does (restart on exit with a back-off, probes on their schedule, SIGTERM + grace + SIGKILL).
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { buildEnv, expandCommand, ObjectStore, PodFacts } from './env';
import { imageFor } from './images';
import { PodNetwork, sh } from './network';

const RUN_SH = path.join(__dirname, 'container-run.sh');
/** The kubelet starts at 10 s and doubles to 5 min; the emulation starts at 1 s and caps at 8 s. */
const BACKOFF_MS = [1000, 2000, 4000, 8000];

export interface PodHost {
  readonly network: PodNetwork;
  readonly store: ObjectStore;
  readonly domain: string;
  readonly workdir: string;
  claimDir(claim: string): string;
  podChanged(pod: Pod): void;
}

export interface ExecResult { readonly code: number | null; readonly stdout: string; readonly stderr: string }

interface Instance {
  proc: ChildProcess;
  pid: number;
  alive: boolean;
  exited: Promise<number | null>;
  env: Map<string, string>;
  user?: { uid: number; gid: number; groups: string };
  ready: boolean;
  started: boolean;
}

interface ContainerState {
  readonly spec: any;
  readonly init: boolean;
  restarts: number;
  current?: Instance;
  lastExitCode?: number | null;
}

// Unref'd: a pending back-off or probe period never keeps the test process alive.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class Pod {
  public readonly podDir: string;
  public readonly hostsFile: string;
  public readonly labels: Record<string, string>;
  public readonly containers = new Map<string, ContainerState>();
  /** Succeeded/Failed: every main container has exited for good (restartPolicy Never or OnFailure). */
  public phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Terminating' | 'Stopped' = 'Stopped';
  public ip?: string;
  private stopping = false;
  private volumeDirs = new Map<string, { dir: string; ro: boolean }>();
  private seq = 0;
  private supervisors: Promise<void>[] = [];

  constructor(
    private readonly host: PodHost,
    public readonly name: string,
    public readonly namespace: string,
    public readonly template: any,
    /** spec.subdomain (the StatefulSet's serviceName). */
    public readonly subdomain: string | undefined,
    extraLabels: Record<string, string>,
    private readonly claimTemplates: any[],
  ) {
    this.podDir = path.join(host.workdir, 'pods', name);
    this.hostsFile = path.join(this.podDir, 'hosts');
    this.labels = { ...(template.metadata?.labels ?? {}), ...extraLabels };
  }

  private get spec(): any { return this.template.spec; }

  public get ready(): boolean {
    if (this.phase !== 'Running') return false;
    const mains = [...this.containers.values()].filter((c) => !c.init);
    return mains.length > 0 && mains.every((c) => c.current?.alive && c.current.ready);
  }

  public restartCount(container: string): number { return this.containers.get(container)?.restarts ?? 0; }

  public facts(): PodFacts {
    return {
      name: this.name,
      namespace: this.namespace,
      podIP: this.ip ?? '',
      labels: this.labels,
      annotations: this.template.metadata?.annotations,
      serviceAccountName: this.spec.serviceAccountName,
    };
  }

  /** Creates the sandbox, runs init containers in order, then starts the main containers (not waiting for Ready). */
  public async start(): Promise<void> {
    if (this.phase !== 'Stopped') throw new Error(`pod ${this.name} is ${this.phase}`);
    this.stopping = false;
    this.phase = 'Pending';
    fs.mkdirSync(path.join(this.podDir, 'logs'), { recursive: true });
    this.host.network.up(this.name);
    this.ip = this.host.network.ipOf(this.name);
    fs.writeFileSync(this.hostsFile, '127.0.0.1\tlocalhost\n', { mode: 0o644 });
    this.prepareVolumes();
    this.host.podChanged(this);
    this.containers.clear();
    for (const c of this.spec.initContainers ?? []) this.containers.set(c.name, { spec: c, init: true, restarts: 0 });
    for (const c of this.spec.containers) this.containers.set(c.name, { spec: c, init: false, restarts: 0 });
    const inits = [...this.containers.values()].filter((c) => c.init);
    this.supervisors = [(async () => {
      for (const c of inits) {
        for (;;) {
          if (this.stopping) return;
          const inst = this.launch(c);
          const code = await inst.exited;
          c.lastExitCode = code;
          if (code === 0) break;
          if (this.stopping) return;
          // restartPolicy Never: a failed init container fails the pod (the kubelet's rule).
          if (this.restartPolicy === 'Never') { this.finish('Failed'); return; }
          await sleep(BACKOFF_MS[Math.min(c.restarts++, BACKOFF_MS.length - 1)]);
        }
      }
      if (this.stopping) return;
      this.phase = 'Running';
      const mains = [...this.containers.values()].filter((c) => !c.init);
      await Promise.all(mains.map((c) => this.supervise(c)));
      if (this.stopping) return;
      // Only reached when no container is restarted any more (restartPolicy Never or OnFailure).
      this.finish(mains.every((c) => c.lastExitCode === 0) ? 'Succeeded' : 'Failed');
    })()];
  }

  /** spec.restartPolicy: Always (a StatefulSet's pods), OnFailure or Never (a Job's). */
  public get restartPolicy(): 'Always' | 'OnFailure' | 'Never' { return this.spec.restartPolicy ?? 'Always'; }

  private finish(phase: 'Succeeded' | 'Failed'): void {
    this.phase = phase;
    this.host.podChanged(this);
  }

  /** A Job's pod: waits until it Succeeded or Failed, returns the main containers' exit codes. */
  public async waitCompleted(timeoutMs: number): Promise<{ phase: string; exitCodes: Record<string, number | null | undefined> }> {
    const deadline = Date.now() + timeoutMs;
    while (this.phase !== 'Succeeded' && this.phase !== 'Failed') {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for pod ${this.name} to complete (${this.phase})`);
      await sleep(100);
    }
    const exitCodes: Record<string, number | null | undefined> = {};
    for (const [n, c] of this.containers) if (!c.init) exitCodes[n] = c.lastExitCode;
    return { phase: this.phase, exitCodes };
  }

  private async supervise(c: ContainerState): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      const inst = this.launch(c);
      void this.probeLoops(c, inst);
      const code = await inst.exited;
      c.lastExitCode = code;
      this.host.podChanged(this);
      if (this.stopping) return;
      if (this.restartPolicy === 'Never' || (this.restartPolicy === 'OnFailure' && code === 0)) return;
      await sleep(BACKOFF_MS[Math.min(c.restarts++, BACKOFF_MS.length - 1)]);
    }
  }

  private userOf(c: any): { uid: number; gid: number; groups: string } | undefined {
    const pod = this.spec.securityContext ?? {};
    const sc = c.securityContext ?? {};
    const uid = sc.runAsUser ?? pod.runAsUser;
    if (uid === undefined) return undefined;
    const gid = sc.runAsGroup ?? pod.runAsGroup ?? 0;
    const groups = [pod.fsGroup, ...(pod.supplementalGroups ?? [])].filter((g) => g !== undefined).join(',');
    return { uid, gid, groups };
  }

  private launch(c: ContainerState): Instance {
    const spec = c.spec;
    const image = imageFor(spec.image);
    const env = buildEnv(spec, this.facts(), this.host.store);
    if (!env.has('PATH')) env.set('PATH', image.path);
    env.set('HOSTNAME', this.name);
    if (!env.has('HOME')) env.set('HOME', '/');
    const command = spec.command ? expandCommand(spec.command, env) : (image.entrypoint ?? []);
    const args = expandCommand(spec.args, env);
    const argv = [...command, ...args];
    if (argv.length === 0) throw new Error(`${this.name}/${spec.name}: no command and the image mapping has no entrypoint`);
    const user = this.userOf(spec);
    const n = this.seq++;
    const stage = path.join(this.podDir, `stage-${spec.name}-${n}`);
    fs.mkdirSync(stage, { recursive: true });
    const envFile = path.join(this.podDir, `env-${spec.name}-${n}`);
    fs.writeFileSync(envFile, [...env].map(([k, v]) => `${k}=${v}\0`).join(''), { mode: 0o600 });
    const plan: string[][] = [['root', stage]];
    if (user) plan.push(['passwd', String(user.uid), String(user.gid)]);
    for (const [inImage, local] of Object.entries(image.files)) plan.push(['bind', local, inImage, 'ro']);
    plan.push(['bind', this.hostsFile, '/etc/hosts', 'rw']);
    for (const m of spec.volumeMounts ?? []) {
      const vol = this.volumeDirs.get(m.name);
      if (!vol) throw new Error(`${this.name}/${spec.name}: volumeMount ${m.name} has no volume`);
      let src = vol.dir;
      if (m.subPath) {
        src = path.join(vol.dir, m.subPath);
        if (!fs.existsSync(src)) fs.mkdirSync(src, { recursive: true });
      }
      plan.push(['bind', src, m.mountPath, m.readOnly || vol.ro ? 'ro' : 'rw']);
    }
    plan.push(['hostname', this.name]);
    plan.push(['wd', spec.workingDir ?? '/']);
    if (user) plan.push(['user', String(user.uid), String(user.gid), user.groups]);
    plan.push(['envfile', envFile]);
    if (spec.securityContext?.readOnlyRootFilesystem) plan.push(['rootro']);
    if (spec.securityContext?.allowPrivilegeEscalation === false) plan.push(['nonewprivs']);
    const planFile = path.join(this.podDir, `plan-${spec.name}-${n}`);
    fs.writeFileSync(planFile, plan.map((l) => l.join('\t')).join('\n') + '\n');
    const log = fs.openSync(path.join(this.podDir, 'logs', `${spec.name}.log`), 'a');
    fs.writeSync(log, `\n=== ${new Date().toISOString()} start #${n}: ${argv.join(' ')}\n`);
    const ns = this.host.network.up(this.name);
    const proc = spawn('/usr/bin/nsenter', [`--net=/run/netns/${ns}`, '--', '/usr/bin/unshare', '-m', '-u', '--propagation', 'private',
      '--', '/bin/bash', RUN_SH, planFile, '--', ...argv], { detached: true, stdio: ['ignore', log, log], env: { PATH: '/usr/bin:/bin' } });
    fs.closeSync(log);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code, signal) => {
      inst.alive = false;
      inst.ready = false;
      fs.rmSync(stage, { recursive: true, force: true });
      fs.rmSync(envFile, { force: true });
      fs.rmSync(planFile, { force: true });
      resolve(code ?? (signal ? 128 : null));
    }));
    const inst: Instance = { proc, pid: proc.pid!, alive: true, exited, env, user, ready: false, started: false };
    c.current = inst;
    return inst;
  }

  private async probeLoops(c: ContainerState, inst: Instance): Promise<void> {
    const spec = c.spec;
    const run = async (probe: any, onResult: (ok: boolean, consecutive: number) => Promise<boolean> | boolean) => {
      await sleep((probe.initialDelaySeconds ?? 0) * 1000);
      let last: boolean | undefined;
      let streak = 0;
      while (inst.alive) {
        const ok = await this.probe(spec, inst, probe);
        streak = ok === last ? streak + 1 : 1;
        last = ok;
        if (!inst.alive) return;
        if (await onResult(ok, streak)) return;
        await sleep((probe.periodSeconds ?? 10) * 1000);
      }
    };
    if (spec.startupProbe) {
      await run(spec.startupProbe, async (ok, streak) => {
        if (ok) return (inst.started = true);
        if (streak >= (spec.startupProbe.failureThreshold ?? 3)) { await this.killInstance(inst); return true; }
        return false;
      });
      if (!inst.alive) return;
    }
    inst.started = true;
    if (!spec.readinessProbe) {
      inst.ready = true;
      this.host.podChanged(this);
    }
    await Promise.all([
      spec.readinessProbe && run(spec.readinessProbe, (ok, streak) => {
        const before = inst.ready;
        if (ok && streak >= (spec.readinessProbe.successThreshold ?? 1)) inst.ready = true;
        if (!ok && streak >= (spec.readinessProbe.failureThreshold ?? 3)) inst.ready = false;
        if (before !== inst.ready) this.host.podChanged(this);
        return false;
      }),
      spec.livenessProbe && run(spec.livenessProbe, async (ok, streak) => {
        if (!ok && streak >= (spec.livenessProbe.failureThreshold ?? 3)) { await this.killInstance(inst); return true; }
        return false;
      }),
    ]);
  }

  private portOf(spec: any, port: number | string): number {
    if (typeof port === 'number') return port;
    const p = (spec.ports ?? []).find((x: any) => x.name === port);
    if (!p) throw new Error(`${this.name}/${spec.name}: probe port ${port} is not a named port`);
    return p.containerPort;
  }

  private async probe(spec: any, inst: Instance, probe: any): Promise<boolean> {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    if (probe.exec) {
      const r = await this.execInstance(inst, probe.exec.command, timeoutMs);
      return r.code === 0;
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const image = imageFor(spec.image);
      const p = image.probePaths?.[g.path ?? '/'] ?? g.path ?? '/';
      const mod = (g.scheme ?? 'HTTP') === 'HTTPS' ? https : http;
      return new Promise((resolve) => {
        const target = { host: g.host ?? this.ip, port: this.portOf(spec, g.port), path: p, timeout: timeoutMs, rejectUnauthorized: false };
        const req = mod.get(target as any,
          (res) => { res.resume(); resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400); });
        req.on('timeout', () => { req.destroy(); resolve(false); });
        req.on('error', () => resolve(false));
      });
    }
    if (probe.tcpSocket) {
      return new Promise((resolve) => {
        const s = net.connect({ host: probe.tcpSocket.host ?? this.ip, port: this.portOf(spec, probe.tcpSocket.port), timeout: timeoutMs });
        s.on('connect', () => { s.destroy(); resolve(true); });
        s.on('timeout', () => { s.destroy(); resolve(false); });
        s.on('error', () => resolve(false));
      });
    }
    if (probe.grpc) throw new Error('grpc probes are not emulated');
    return true;
  }

  /** Like `kubectl exec`: the container's namespaces, root, working dir, env and user. */
  public exec(container: string, cmd: string[], timeoutMs = 30_000, input?: string): Promise<ExecResult> {
    const inst = this.containers.get(container)?.current;
    if (!inst?.alive) return Promise.resolve({ code: null, stdout: '', stderr: `container ${container} is not running` });
    return this.execInstance(inst, cmd, timeoutMs, input);
  }

  private execInstance(inst: Instance, cmd: string[], timeoutMs: number, input?: string): Promise<ExecResult> {
    const priv = inst.user ? ['--reuid', String(inst.user.uid), '--regid', String(inst.user.gid),
      ...(inst.user.groups ? ['--groups', inst.user.groups] : ['--clear-groups'])] : [];
    const args = ['-t', String(inst.pid), '-m', '-u', '-n', '-r', '-w', '--', '/usr/bin/env', '-i',
      ...[...inst.env].map(([k, v]) => `${k}=${v}`), '/usr/bin/setpriv', ...priv, '--', ...cmd];
    return new Promise((resolve) => {
      const child = execFile('/usr/bin/nsenter', args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (err: any, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
      if (input !== undefined) child.stdin?.end(input); else child.stdin?.end();
    });
  }

  /** SIGTERM to the container's main process, SIGKILL to its process group after the grace period. */
  private async killInstance(inst: Instance, graceSeconds?: number): Promise<void> {
    const grace = graceSeconds ?? this.spec.terminationGracePeriodSeconds ?? 30;
    if (inst.alive) {
      try { process.kill(inst.pid, grace > 0 ? 'SIGTERM' : 'SIGKILL'); } catch { /* already gone */ }
      await Promise.race([inst.exited, sleep(grace * 1000)]);
    }
    try { process.kill(-inst.pid, 'SIGKILL'); } catch { /* group empty */ }
    await Promise.race([inst.exited, sleep(5000)]);
  }

  /** Pod deletion: no more restarts, SIGTERM + grace + SIGKILL, sandbox and ephemeral volumes removed. Claims stay. */
  public async delete(graceSeconds?: number): Promise<void> {
    if (this.phase === 'Stopped') return;
    this.stopping = true;
    this.phase = 'Terminating';
    this.host.podChanged(this);
    await Promise.all([...this.containers.values()].map((c) => c.current && this.killInstance(c.current, graceSeconds)));
    await Promise.race([Promise.all(this.supervisors), sleep(10_000)]);
    this.host.network.down(this.name);
    fs.rmSync(path.join(this.podDir, 'volumes'), { recursive: true, force: true });
    this.phase = 'Stopped';
    this.host.podChanged(this);
  }

  /** Synchronous last resort (process exit): SIGKILL every process group this pod started. */
  public killAllSync(): void {
    for (const c of this.containers.values()) {
      if (c.current?.alive) {
        try { process.kill(-c.current.pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
  }

  public logs(container: string): string {
    const f = path.join(this.podDir, 'logs', `${container}.log`);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
  }

  private applyFsGroup(dir: string): void {
    const fsGroup = this.spec.securityContext?.fsGroup;
    if (fsGroup === undefined) return;
    // fsGroupChangePolicy OnRootMismatch: only when the root's group differs.
    if (this.spec.securityContext?.fsGroupChangePolicy === 'OnRootMismatch' && fs.statSync(dir).gid === fsGroup) return;
    sh('chown', ['-R', `:${fsGroup}`, dir]);
    sh('chmod', ['-R', 'g+rwX', dir]);
    sh('find', [dir, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
  }

  /**
   * The kubelet's update of a mounted Secret in a running pod (it syncs Secret volumes about every
   * minute): the files are replaced in the same directory, each by an atomic rename, so the
   * containers' bind mounts see the new content (the kubelet swaps a `..data` symlink instead).
   */
  public refreshSecret(secretName: string): void {
    const data = this.host.store.secret(secretName);
    for (const v of this.spec.volumes ?? []) {
      if (v.secret?.secretName !== secretName || !data) continue;
      this.writeKeys(this.volumeDirs.get(v.name)!.dir, data, v.secret.items, v.secret.defaultMode ?? 0o644, true);
    }
  }

  private writeKeys(dir: string, data: Record<string, string>, items: any[] | undefined, mode: number, inPlace = false): void {
    if (!inPlace) fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const fsGroup = this.spec.securityContext?.fsGroup;
    const entries = items
      ? items.map((i: any) => [i.path, data[i.key], i.mode ?? mode] as const)
      : Object.entries(data).map(([k, v]) => [k, v, mode] as const);
    for (const [p, v, m] of entries) {
      if (v === undefined) throw new Error(`${this.name}: volume key for ${p} missing`);
      const f = path.join(dir, p);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      const tmp = inPlace ? `${f}.tmp` : f;
      fs.writeFileSync(tmp, v);
      fs.chmodSync(tmp, m);
      if (fsGroup !== undefined) fs.chownSync(tmp, 0, fsGroup);
      if (inPlace) fs.renameSync(tmp, f);
    }
  }

  private prepareVolumes(): void {
    this.volumeDirs.clear();
    const vdir = path.join(this.podDir, 'volumes');
    for (const t of this.claimTemplates) {
      const dir = this.host.claimDir(`${t.metadata.name}-${this.name}`);
      this.applyFsGroup(dir);
      this.volumeDirs.set(t.metadata.name, { dir, ro: false });
    }
    for (const v of this.spec.volumes ?? []) {
      const dir = path.join(vdir, v.name);
      if (v.emptyDir) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
        fs.chmodSync(dir, 0o777);
        this.volumeDirs.set(v.name, { dir, ro: false });
      } else if (v.configMap || v.secret) {
        const isSecret = !!v.secret;
        const ref = v.configMap ?? v.secret;
        const name = isSecret ? ref.secretName : ref.name;
        const data = isSecret ? this.host.store.secret(name) : this.host.store.configMap(name);
        if (!data) {
          if (!ref.optional) throw new Error(`${this.name}: ${isSecret ? 'Secret' : 'ConfigMap'} ${name} does not exist (pod stays ContainerCreating)`);
          fs.mkdirSync(dir, { recursive: true });
        } else {
          this.writeKeys(dir, data, ref.items, ref.defaultMode ?? 0o644);
        }
        this.volumeDirs.set(v.name, { dir, ro: true });
      } else if (v.persistentVolumeClaim) {
        const d = this.host.claimDir(v.persistentVolumeClaim.claimName);
        this.applyFsGroup(d);
        this.volumeDirs.set(v.name, { dir: d, ro: !!v.persistentVolumeClaim.readOnly });
      } else {
        throw new Error(`${this.name}: volume ${v.name} has a type the emulator does not handle: ${Object.keys(v).join(',')}`);
      }
    }
    if (this.spec.securityContext?.fsGroup !== undefined) {
      for (const v of this.spec.volumes ?? []) if (v.emptyDir) this.applyFsGroup(path.join(vdir, v.name));
    }
  }
}
