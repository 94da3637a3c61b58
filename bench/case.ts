// One benchmark case, run in its own process by bench.ts so that peak RSS is per case:
//   node out/js/bench/case.js <n> <one|per> <floor|stock|linear> <outdir>
// Prints one JSON line: wall and CPU ms of the timed run (build the objects + synthesize to
// files), and the process's peak RSS.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { floorObjects, stringify } from './floor';
import { addWorkload, NAMESPACE } from './workload';
import { LinearApp } from '../src/synth/linear-app';

export type Layout = 'one' | 'per';
export type Impl = 'floor' | 'stock' | 'linear';

/** Wall and CPU (user + system) milliseconds of one timed run. */
export interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
}

/** Builds and synthesizes n workloads into outdir. */
export function runCase(n: number, layout: Layout, impl: Impl, outdir: string): Timing {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  if (impl === 'floor') {
    fs.mkdirSync(outdir, { recursive: true });
    if (layout === 'one') {
      const docs: any[] = [];
      for (let i = 0; i < n; i++) docs.push(...floorObjects(i));
      fs.writeFileSync(path.join(outdir, 'all.k8s.yaml'), stringify(docs), { encoding: 'utf8' });
    } else {
      for (let i = 0; i < n; i++) fs.writeFileSync(path.join(outdir, `w${i}.k8s.yaml`), stringify(floorObjects(i)), { encoding: 'utf8' });
    }
  } else {
    const app = impl === 'stock' ? new App({ outdir }) : new LinearApp({ outdir });
    if (layout === 'one') {
      const chart = new Chart(app, 'all', { namespace: NAMESPACE });
      for (let i = 0; i < n; i++) addWorkload(chart, i);
    } else {
      for (let i = 0; i < n; i++) addWorkload(new Chart(app, `w${i}`, { namespace: NAMESPACE }), i);
    }
    app.synth();
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

function main(): void {
  const [nArg, layout, impl, outdir] = process.argv.slice(2);
  const n = Number(nArg);
  // Warm the JIT on a small app of the same kind, then time the real one. Small N are
  // repeated and the fastest run is kept (they are over in milliseconds).
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-warm-'));
  runCase(Math.min(n, 20), layout as Layout, impl as Impl, scratch);
  fs.rmSync(scratch, { recursive: true, force: true });
  const reps = n <= 100 ? 5 : 1;
  let best: Timing = { ms: Infinity, cpuMs: Infinity };
  for (let r = 0; r < reps; r++) {
    fs.rmSync(outdir, { recursive: true, force: true });
    const t = runCase(n, layout as Layout, impl as Impl, outdir);
    if (t.ms < best.ms) best = t;
  }
  process.stdout.write(JSON.stringify({ ...best, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

if (require.main === module) main();
