/**
 * The private network of one emulated cluster: a bridge with a /24 from 10.244.0.0/16 that no
 * interface on this machine uses yet, one network namespace per pod with a veth into it. The host
 * side of the bridge has .1 (so the test reaches pods directly); there is no default route, no
 * forwarding and no NAT: nothing leaves the bridge.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';

export function sh(cmd: string, args: string[], opts: { allowFail?: boolean; input?: string } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input: opts.input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (e: any) {
    if (opts.allowFail) return '';
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

export class PodNetwork {
  /** Short unique id: interface names are limited to 15 characters. */
  public readonly id = (process.pid % 1296).toString(36).padStart(2, '0') + randomBytes(2).toString('hex').slice(0, 3);
  public readonly bridge = `cst${this.id}`;
  public readonly prefix: string;
  public readonly gateway: string;
  private readonly namespaces = new Map<string, { ns: string; veth: string }>();
  private next = 10;
  private vethSeq = 0;
  private readonly ips = new Map<string, string>();

  constructor() {
    const used = sh('ip', ['-4', '-o', 'addr', 'show']);
    let third = process.pid % 200;
    for (let i = 0; i < 200 && used.includes(`10.244.${third}.`); i++) third = (third + 1) % 200;
    this.prefix = `10.244.${third}`;
    this.gateway = `${this.prefix}.1`;
    sh('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${this.gateway}/24`, 'dev', this.bridge]);
    sh('ip', ['link', 'set', this.bridge, 'up']);
  }

  /** A pod keeps its address across restarts in the emulation (a real pod may get a new one). */
  public ipOf(pod: string): string {
    let ip = this.ips.get(pod);
    if (!ip) {
      if (this.next > 250) throw new Error('emulated network: out of addresses');
      ip = `${this.prefix}.${this.next++}`;
      this.ips.set(pod, ip);
    }
    return ip;
  }

  /** Creates the pod's network namespace (its "sandbox"); returns its name. */
  public up(pod: string): string {
    const existing = this.namespaces.get(pod);
    if (existing) return existing.ns;
    const n = this.vethSeq++;
    const ns = `${this.bridge}-${pod}`.slice(0, 60);
    const veth = `${this.bridge}v${n.toString(36)}`;
    const peer = `${this.bridge}p${n.toString(36)}`;
    sh('ip', ['netns', 'add', ns]);
    this.namespaces.set(pod, { ns, veth });
    sh('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
    sh('ip', ['link', 'set', veth, 'master', this.bridge, 'up']);
    sh('ip', ['link', 'set', peer, 'netns', ns]);
    sh('ip', ['-n', ns, 'link', 'set', peer, 'name', 'eth0']);
    sh('ip', ['-n', ns, 'addr', 'add', `${this.ipOf(pod)}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  public down(pod: string): void {
    const e = this.namespaces.get(pod);
    if (!e) return;
    this.namespaces.delete(pod);
    sh('ip', ['link', 'del', e.veth], { allowFail: true });
    sh('ip', ['netns', 'del', e.ns], { allowFail: true });
  }

  public destroy(): void {
    for (const pod of [...this.namespaces.keys()]) this.down(pod);
    sh('ip', ['link', 'del', this.bridge], { allowFail: true });
  }
}
