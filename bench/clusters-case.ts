// One case of the clusters benchmark, run in its own process by clusters.ts (peak RSS per case):
//   node out/js/bench/clusters-case.js <n> <one|per> <floor|stock|linear> <outdir> <floor module>
// Prints one JSON line: wall and CPU ms of the timed run (build the clusters + synthesize to
// files), and the process's peak RSS.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import type { Timing } from './case';
import { Layout } from './clusters-floor';
import { addCluster, chartIdOf, CLUSTERS_NAMESPACE, kindOf } from './clusters-mix';
import { stringify } from './floor';
import { LinearApp } from '../src/synth/linear-app';

export type Impl = 'floor' | 'stock' | 'linear';

/** Builds and synthesizes n clusters into outdir; `floor` is the generated module's export. */
export function runClusters(n: number, layout: Layout, impl: Impl, outdir: string, floor?: any): Timing {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  if (impl === 'floor') {
    const f = floor[layout];
    fs.mkdirSync(outdir, { recursive: true });
    if (layout === 'one') {
      const docs: any[] = [];
      for (let i = 0; i < n; i++) docs.push(...f[kindOf(i)](i));
      fs.writeFileSync(path.join(outdir, 'all.k8s.yaml'), stringify(docs), { encoding: 'utf8' });
    } else {
      for (let i = 0; i < n; i++) {
        fs.writeFileSync(path.join(outdir, `${chartIdOf(i)}.k8s.yaml`), stringify(f[kindOf(i)](i)), { encoding: 'utf8' });
      }
    }
  } else {
    const app = impl === 'stock' ? new App({ outdir }) : new LinearApp({ outdir });
    if (layout === 'one') {
      const chart = new Chart(app, 'all', { namespace: CLUSTERS_NAMESPACE });
      for (let i = 0; i < n; i++) addCluster(chart, i);
    } else {
      for (let i = 0; i < n; i++) addCluster(new Chart(app, chartIdOf(i), { namespace: CLUSTERS_NAMESPACE }), i);
    }
    app.synth();
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

function main(): void {
  const [nArg, layout, impl, outdir, floorModule] = process.argv.slice(2);
  const n = Number(nArg);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const floor = impl === 'floor' ? require(path.resolve(floorModule)).floor : undefined;
  // Warm the JIT on a small app of the same kind, then time the real one; small N are repeated
  // and the fastest run kept (they are over in milliseconds).
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-warm-'));
  runClusters(Math.min(n, 8), layout as Layout, impl as Impl, scratch, floor);
  fs.rmSync(scratch, { recursive: true, force: true });
  const reps = n <= 100 ? 5 : 1;
  let best: Timing = { ms: Infinity, cpuMs: Infinity };
  for (let r = 0; r < reps; r++) {
    fs.rmSync(outdir, { recursive: true, force: true });
    const t = runClusters(n, layout as Layout, impl as Impl, outdir, floor);
    if (t.ms < best.ms) best = t;
  }
  process.stdout.write(JSON.stringify({ ...best, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

if (require.main === module) main();
