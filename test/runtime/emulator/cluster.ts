/**
 * An emulated cluster for one test file: the synthesized objects, a private network, and the
 * StatefulSet controller's part (pod names, ordinals, claims, podManagementPolicy). Everything
 * it starts is stopped by `destroy()` (call it in afterAll); an exit handler kills what is left.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ObjectStore } from './env';
import { generateHosts, HostsPod, HostsService } from './hosts';
import { PodNetwork, sh } from './network';
import { Pod, PodHost } from './pod';

export interface ClusterOptions {
  /** Synthesized objects (parsed YAML or synthValidated output). */
  readonly objects: any[];
  /** Secrets created outside the manifests (at run time in a real cluster): name → key → text. */
  readonly secrets?: Record<string, Record<string, string>>;
  readonly configMaps?: Record<string, Record<string, string>>;
  /** @default 'cluster.local' */
  readonly domain?: string;
  /** Namespace of objects that have none. @default 'default' */
  readonly namespace?: string;
}

const live = new Set<EmulatedCluster>();
process.on('exit', () => { for (const c of live) c.killAllSync(); });

// Unref'd: a pending back-off or probe period never keeps the test process alive.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Polls `check` until it returns a truthy value or the time is up (then throws with `what`). */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T> | T, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
    await sleep(intervalMs);
  }
}

export interface JobRun {
  readonly pod: Pod;
  readonly phase: string;
  readonly exitCodes: Record<string, number | null | undefined>;
  readonly logs: string;
}

export function decodeSecret(obj: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = Buffer.from(String(v), 'base64').toString('utf8');
  for (const [k, v] of Object.entries(obj.stringData ?? {})) out[k] = String(v);
  return out;
}

export class EmulatedCluster implements PodHost, ObjectStore {
  public readonly network: PodNetwork;
  public readonly workdir: string;
  public readonly domain: string;
  public readonly pods = new Map<string, Pod>();
  private readonly secrets = new Map<string, Record<string, string>>();
  private readonly configMaps = new Map<string, Record<string, string>>();
  private readonly defaultNamespace: string;
  private jobRuns = 0;

  constructor(private readonly opts: ClusterOptions) {
    this.domain = opts.domain ?? 'cluster.local';
    this.defaultNamespace = opts.namespace ?? 'default';
    for (const o of opts.objects) {
      if (o.kind === 'Secret') this.secrets.set(o.metadata.name, decodeSecret(o));
      if (o.kind === 'ConfigMap') this.configMaps.set(o.metadata.name, { ...(o.data ?? {}) });
    }
    for (const [k, v] of Object.entries(opts.secrets ?? {})) this.secrets.set(k, v);
    for (const [k, v] of Object.entries(opts.configMaps ?? {})) this.configMaps.set(k, v);
    this.workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-rt-'));
    // Pod users (non-root) traverse into their volumes below this directory.
    fs.chmodSync(this.workdir, 0o755);
    this.network = new PodNetwork();
    live.add(this);
  }

  public get store(): ObjectStore { return this; }
  public secret(name: string) { return this.secrets.get(name); }
  public configMap(name: string) { return this.configMaps.get(name); }
  public setSecret(name: string, data: Record<string, string>) { this.secrets.set(name, data); }
  /** A Secret changed in the API (e.g. renewed by cert-manager): running pods that mount it see the new files. */
  public updateSecret(name: string, data: Record<string, string>): void {
    this.secrets.set(name, data);
    for (const p of this.pods.values()) if (p.phase === 'Running') p.refreshSecret(name);
  }

  private nsOf(o: any): string { return o.metadata?.namespace ?? this.defaultNamespace; }

  public object(kind: string, name: string): any {
    const o = this.opts.objects.find((x) => x.kind === kind && x.metadata?.name === name);
    if (!o) throw new Error(`no ${kind}/${name} in the manifests`);
    return o;
  }

  public claimDir(claim: string): string {
    const dir = path.join(this.workdir, 'claims', claim);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(path.dirname(dir), 0o755);
    return dir;
  }

  /** Simulates a lost disk: the claim's directory is removed (the pod must not be running). */
  public deleteClaim(claim: string): void {
    fs.rmSync(path.join(this.workdir, 'claims', claim), { recursive: true, force: true });
  }

  public pod(name: string): Pod {
    const p = this.pods.get(name);
    if (!p) throw new Error(`no pod ${name}`);
    return p;
  }

  /** The pods of a StatefulSet, created (not started) on first use. */
  public statefulSetPods(name: string): Pod[] {
    const sts = this.object('StatefulSet', name);
    const replicas = sts.spec.replicas ?? 1;
    const pods: Pod[] = [];
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      let p = this.pods.get(podName);
      if (!p) {
        p = new Pod(this, podName, this.nsOf(sts), sts.spec.template, sts.spec.serviceName,
          { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(i) },
          sts.spec.volumeClaimTemplates ?? []);
        this.pods.set(podName, p);
      }
      pods.push(p);
    }
    return pods;
  }

  /**
   * One run of a CronJob (or a Job): a pod from its template, named `<name>-<n>`, run until it
   * completes (restartPolicy Never/OnFailure as given); its sandbox is removed afterwards, its
   * claims stay. Returns the phase, the main containers' exit codes and logs.
   */
  public async runJob(name: string, timeoutMs = 120_000): Promise<JobRun> {
    const o = this.opts.objects.find((x) => (x.kind === 'CronJob' || x.kind === 'Job') && x.metadata?.name === name);
    if (!o) throw new Error(`no CronJob or Job ${name} in the manifests`);
    const jobSpec = o.kind === 'CronJob' ? o.spec.jobTemplate.spec : o.spec;
    const podName = `${name}-${++this.jobRuns}`;
    const pod = new Pod(this, podName, this.nsOf(o), jobSpec.template, jobSpec.template.spec.subdomain, {}, []);
    this.pods.set(podName, pod);
    try {
      await pod.start();
      const r = await pod.waitCompleted(timeoutMs);
      const logs = jobSpec.template.spec.containers.map((c: any) => pod.logs(c.name)).join('');
      return { pod, ...r, logs };
    } finally {
      await pod.delete(0);
    }
  }

  /** A bare Pod (what `kubectl run` creates): created, not started. */
  public createPod(manifest: { metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: any }): Pod {
    if (this.pods.has(manifest.metadata.name)) throw new Error(`pod ${manifest.metadata.name} exists`);
    const pod = new Pod(this, manifest.metadata.name, manifest.metadata.namespace ?? this.defaultNamespace,
      { metadata: { labels: manifest.metadata.labels ?? {} }, spec: manifest.spec }, manifest.spec.subdomain, {}, []);
    this.pods.set(pod.name, pod);
    return pod;
  }

  /** The controller's start: OrderedReady waits for each pod to be Ready before the next; Parallel starts all. */
  public async startStatefulSet(name: string, readyTimeoutMs = 120_000): Promise<Pod[]> {
    const sts = this.object('StatefulSet', name);
    const pods = this.statefulSetPods(name);
    const parallel = sts.spec.podManagementPolicy === 'Parallel';
    for (const p of pods) {
      if (p.phase === 'Stopped') await p.start();
      if (!parallel) await this.waitReady(p.name, readyTimeoutMs);
    }
    return pods;
  }

  /** Deletes the StatefulSet's pods: highest ordinal first, one at a time unless Parallel. */
  public async stopStatefulSet(name: string, graceSeconds?: number): Promise<void> {
    const sts = this.object('StatefulSet', name);
    const pods = this.statefulSetPods(name).reverse();
    if (sts.spec.podManagementPolicy === 'Parallel') await Promise.all(pods.map((p) => p.delete(graceSeconds)));
    else for (const p of pods) await p.delete(graceSeconds);
  }

  public async waitReady(pod: string, timeoutMs = 120_000): Promise<void> {
    const p = this.pod(pod);
    await waitFor(`pod ${pod} Ready (logs in ${p.podDir}/logs)`, timeoutMs, () => p.ready);
  }

  private hostsView(): { pods: HostsPod[]; services: HostsService[] } {
    const pods: HostsPod[] = [...this.pods.values()].map((p) => ({
      name: p.name,
      namespace: p.namespace,
      ip: p.phase === 'Running' || p.phase === 'Pending' ? p.ip : undefined,
      ready: p.ready,
      labels: p.labels,
      subdomain: p.subdomain,
    }));
    const services: HostsService[] = this.opts.objects.filter((o) => o.kind === 'Service').map((s) => ({
      name: s.metadata.name,
      namespace: this.nsOf(s),
      selector: s.spec?.selector,
      headless: s.spec?.clusterIP === 'None',
      publishNotReadyAddresses: s.spec?.publishNotReadyAddresses,
    }));
    return { pods, services };
  }

  /** Rewrites every pod's /etc/hosts in place (a bind mount follows the inode, not the name). */
  public podChanged(_pod?: Pod): void {
    const view = this.hostsView();
    for (const p of this.pods.values()) {
      if (p.phase === 'Stopped' || !fs.existsSync(p.hostsFile)) continue;
      const self = view.pods.find((x) => x.name === p.name)!;
      const text = generateHosts({ ...self, ip: p.ip }, view.pods, view.services, this.domain);
      if (fs.readFileSync(p.hostsFile, 'utf8') !== text) fs.writeFileSync(p.hostsFile, text);
    }
  }

  /** Sets run-time labels (what a controller or the pod itself would set, e.g. role=primary). */
  public labelPod(pod: string, labels: Record<string, string>): void {
    Object.assign(this.pod(pod).labels, labels);
    this.podChanged();
  }

  public killAllSync(): void {
    for (const p of this.pods.values()) p.killAllSync();
  }

  public async destroy(): Promise<void> {
    try {
      await Promise.all([...this.pods.values()].map((p) => p.delete(0).catch(() => undefined)));
    } finally {
      this.killAllSync();
      this.network.destroy();
      live.delete(this);
      // Mounts live only in the containers' private namespaces; nothing is mounted here.
      sh('rm', ['-rf', '--one-file-system', this.workdir], { allowFail: true });
    }
  }
}
