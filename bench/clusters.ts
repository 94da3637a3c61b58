// `npm run bench:clusters` (cwd bench/): times the synthesis of N clusters of a realistic mix
// (bench/clusters-mix.ts: PostgresCluster + bound Deployment, KafkaCluster + topics + bound
// Deployment, LocalVolumePool, EtcdCluster, in turn), in one chart and one chart per cluster,
// with cdk8s's App, with LinearApp and as the plain-object floor generated from the same objects
// (bench/clusters-floor.ts); then `helm template` of bench/helm/ (bench/helm.ts) in the same run.
// Each case in its own node process (peak RSS per case). Prints a table and writes markdown.
//
//   BENCH_N=10,100          only these N (default 10,100,1000,3000)
//   BENCH_SKIP_SLOW=1       skip cdk8s's App with one chart per cluster at N > 100 (quadratic: minutes)
//   BENCH_TIMEOUT_S=900     give up on a case after this long (recorded as a timeout)
//   BENCH_REPS=3            processes per case, the fastest is kept (App, chart per cluster, N > 100: once)
//   BENCH_KINDS=postgres    only these kinds of cluster (default postgres,kafka,pool,etcd)
//   BENCH_HELM=0            skip the Helm comparison (default: run it when helm is found, see helm.ts)
//   BENCH_RESULTS=path      markdown output (default out/RESULTS-clusters.md; '-' for none)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Impl } from './clusters-case';
import { Layout, LAYOUTS, maskHashes } from './clusters-floor';
import { KINDS } from './clusters-mix';
import { diffDirs, OUT_JS, ROOT, transpile } from './common';
import { findHelm, helmBench } from './helm';

interface Result {
  readonly n: number;
  readonly layout: Layout;
  readonly impl: Impl;
  readonly ms?: number;
  readonly cpuMs?: number;
  readonly maxRssMb?: number;
  readonly load1: number;
  readonly note?: string;
}

const NS = (process.env.BENCH_N ?? '10,100,1000,3000').split(',').map(Number);
const SKIP_SLOW = !!process.env.BENCH_SKIP_SLOW;
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const RESULTS = process.env.BENCH_RESULTS ?? path.join(ROOT, 'bench', 'out', 'RESULTS-clusters.md');
const IMPLS: Impl[] = ['floor', 'stock', 'linear'];
const IMPL_NAME: { [k in Impl]: string } = { floor: 'floor (same objects, plain JS)', stock: 'cdk8s App', linear: 'LinearApp' };
const LAYOUT_NAME: { [k in Layout]: string } = { one: 'one chart', per: 'chart per cluster' };
const FLOOR_JS = path.join(OUT_JS, 'bench', 'clusters-floor.generated.js');

const fmt = (x: number | undefined, d = 1) => (x === undefined || !isFinite(x) ? '—' : x.toFixed(d));
const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
const slow = (n: number, layout: Layout, impl: Impl) => impl === 'stock' && layout === 'per' && n > 100;

function runOnce(n: number, layout: Layout, impl: Impl, outdir: string): Result {
  const load1 = os.loadavg()[0];
  const r = spawnSync(process.execPath, [path.join(OUT_JS, 'bench', 'clusters-case.js'), String(n), layout, impl, outdir, FLOOR_JS], {
    encoding: 'utf8', timeout: TIMEOUT_S * 1000, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    const why = r.signal === 'SIGTERM' ? `timeout after ${TIMEOUT_S} s` : `failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' ')}`;
    return { n, layout, impl, load1, note: why };
  }
  const { ms, cpuMs, maxRssMb } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { n, layout, impl, ms, cpuMs, maxRssMb, load1 };
}

function runCase(n: number, layout: Layout, impl: Impl, outdir: string): Result {
  let best: Result | undefined;
  let rss = 0;
  for (let k = 0; k < (slow(n, layout, impl) ? 1 : REPS); k++) {
    const r = runOnce(n, layout, impl, outdir);
    if (r.ms === undefined) return r;
    rss = Math.max(rss, r.maxRssMb!);
    if (!best || r.ms < best.ms!) best = r;
  }
  return { ...best!, maxRssMb: rss };
}

/** Objects and bytes in an output directory. */
function measure(dir: string): { objects: number; bytes: number } {
  let objects = 0;
  let bytes = 0;
  for (const f of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    bytes += Buffer.byteLength(text);
    objects += text.split(/^---$/m).filter((d) => d.trim()).length;
  }
  return { objects, bytes };
}

export interface ClustersRun {
  readonly results: Result[];
  readonly checks: string[];
  readonly sizes: { n: number; objects: number; bytes: number }[];
  /** false when LinearApp's output differs from App's, or the floor's from either (hashes masked). */
  readonly identical: boolean;
}

/** Runs every case; prints rows as they come. */
export function runClusters(ns: number[]): ClustersRun {
  transpile();
  const gen = spawnSync(process.execPath, [path.join(OUT_JS, 'bench', 'clusters-floor.js'), FLOOR_JS], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`generating the floor failed: ${gen.stderr}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-clusters-'));
  const results: Result[] = [];
  const checks: string[] = [];
  const sizes: ClustersRun['sizes'] = [];
  let identical = true;
  console.log(`cdk8s-stateful clusters benchmark: ${os.cpus().length} CPUs, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${'N'.padStart(5)}  ${'layout'.padEnd(17)}  ${'implementation'.padEnd(30)}  ${'total ms'.padStart(9)}  ${'ms/cluster'.padStart(10)}  ` +
    `${'x floor'.padStart(7)}  ${'cpu x floor'.padStart(11)}  ${'peak RSS MB'.padStart(11)}  load`);
  try {
    for (const n of ns) {
      for (const layout of LAYOUTS) {
        const dirs: { [k in Impl]?: string } = {};
        let floor: Result | undefined;
        for (const impl of IMPLS) {
          let r: Result;
          if (slow(n, layout, impl) && SKIP_SLOW) {
            r = { n, layout, impl, load1: os.loadavg()[0], note: 'skipped (BENCH_SKIP_SLOW)' };
          } else {
            dirs[impl] = path.join(tmp, `${n}-${layout}-${impl}`);
            r = runCase(n, layout, impl, dirs[impl]!);
          }
          if (impl === 'floor') floor = r;
          results.push(r);
          console.log(`${String(n).padStart(5)}  ${LAYOUT_NAME[layout].padEnd(17)}  ${IMPL_NAME[impl].padEnd(30)}  ${fmt(r.ms, 0).padStart(9)}  ` +
            `${fmt(div(r.ms, n), 3).padStart(10)}  ${fmt(div(r.ms, floor?.ms), 2).padStart(7)}  ${fmt(div(r.cpuMs, floor?.cpuMs), 2).padStart(11)}  ` +
            `${fmt(r.maxRssMb, 0).padStart(11)}  ${r.load1.toFixed(2)}${r.note ? '  ' + r.note : ''}`);
        }
        const have = (impl: Impl) => dirs[impl] && fs.existsSync(dirs[impl]!);
        if (have('linear') && layout === 'one') sizes.push({ n, ...measure(dirs.linear!) });
        if (n <= 1000 && have('linear')) {
          const stock = have('stock') ? diffDirs(dirs.stock!, dirs.linear!) : undefined;
          const fl = have('floor') ? diffDirs(dirs.linear!, dirs.floor!, maskHashes) : 'no floor output';
          const bytes = have('floor') ? measure(dirs.linear!).bytes === measure(dirs.floor!).bytes : false;
          checks.push(`N=${n}, ${LAYOUT_NAME[layout]}: LinearApp vs App ${have('stock') ? (stock ? 'DIFFER: ' + stock : 'byte-identical') : 'not compared'}; ` +
            `floor vs LinearApp ${fl ? 'DIFFER: ' + fl : 'identical but for hash values'}, ${bytes ? 'same byte count' : 'DIFFERENT byte count'}`);
          console.log(`       ${checks[checks.length - 1]}`);
          if (stock || fl || !bytes) identical = false;
        }
        for (const d of Object.values(dirs)) fs.rmSync(d!, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { results, checks, sizes, identical };
}

function report(run: ClustersRun, started: Date, helmMd: string): string {
  const { results, checks, sizes } = run;
  const get = (n: number, layout: Layout, impl: Impl) => results.find((r) => r.n === n && r.layout === layout && r.impl === impl);
  const per = (r?: Result) => div(r?.ms, r?.n);
  const L: string[] = [];
  L.push('## Clusters: what users synthesize', '');
  L.push(`Written by \`npm run bench:clusters\` (bench/clusters.ts) on ${started.toISOString()}: ${os.cpus().length} CPUs ` +
    `(${os.cpus()[0]?.model ?? '?'}), node ${process.version}; command \`${commandLine()}\`.`, '');
  L.push(`N clusters cycling through ${KINDS.join(', ')} (bench/clusters-mix.ts: Postgres with backup and a bound Deployment, Kafka with`);
  L.push('two topics and a bound Deployment, a LocalVolumePool of three disks, etcd with snapshots). The floor is the same objects');
  L.push('built as plain JS object literals (generated from the library\'s output for one cluster of each kind, templated by index;');
  L.push('hashes are computed as sha256 of an index seed) and written with cdk8s\'s yaml copy and options, to the same files.');
  L.push(`Each case ran in ${REPS} fresh processes, the fastest kept (cdk8s App with a chart per cluster, N > 100: once); N ≤ 100`);
  L.push('is timed 5 times inside the process after a warm-up. Peak RSS is the highest of the runs. Load = 1-minute load average.', '');
  for (const s of sizes) L.push(`- N=${s.n}: ${fmt(s.objects / s.n, 2)} objects and ${fmt(s.bytes / s.n / 1024, 1)} KiB of YAML per cluster`);
  L.push('', '| N | layout | implementation | total ms | ms / cluster | × floor | × floor (CPU) | peak RSS MB | load |');
  L.push('|--:|---|---|--:|--:|--:|--:|--:|--:|');
  for (const r of results) {
    const f = get(r.n, r.layout, 'floor');
    L.push(`| ${r.n} | ${LAYOUT_NAME[r.layout]} | ${IMPL_NAME[r.impl]} | ${r.ms === undefined ? r.note : fmt(r.ms, 0)} | ${fmt(per(r), 3)} | ` +
      `${fmt(div(r.ms, f?.ms), 2)} | ${fmt(div(r.cpuMs, f?.cpuMs), 2)} | ${fmt(r.maxRssMb, 0)} | ${r.load1.toFixed(2)} |`);
  }
  L.push('', '### Targets (issue 17)', '');
  const ok = (x: number | undefined, lim: number, lt = false) => (x === undefined ? 'not measured' : (lt ? x < lim : x <= lim) ? 'met' : 'MISSED');
  for (const layout of LAYOUTS) {
    const r1 = div(get(1000, layout, 'linear')?.ms, get(1000, layout, 'floor')?.ms);
    const r2 = div(per(get(3000, layout, 'linear')), per(get(100, layout, 'linear')));
    const rss = get(3000, layout, 'linear')?.maxRssMb;
    L.push(`- LinearApp, ${LAYOUT_NAME[layout]}: ${fmt(r1, 2)}× the floor at N=1000 (≤ 1.5×: ${ok(r1, 1.5)}); per-cluster cost at 3000 is ` +
      `${fmt(r2, 2)}× that at 100 (≤ 1.2×: ${ok(r2, 1.2)}); peak RSS at 3000 ${fmt(rss, 0)} MB (< 400: ${ok(rss, 400, true)})`);
  }
  L.push('', '### Output checks', '', ...(checks.length ? checks.map((c) => `- ${c}`) : ['- none (no N ≤ 1000)']), '');
  if (helmMd) L.push(helmMd);
  return L.join('\n');
}

function commandLine(): string {
  const env = ['BENCH_KINDS', 'BENCH_N', 'BENCH_SKIP_SLOW', 'BENCH_TIMEOUT_S', 'BENCH_REPS', 'BENCH_HELM', 'BENCH_HELM_N'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  return [...env, 'npm run bench:clusters'].join(' ');
}

function main(): void {
  const started = new Date();
  const run = runClusters(NS);
  let helmMd = '';
  if (process.env.BENCH_HELM !== '0') {
    const helm = findHelm();
    if (helm) helmMd = helmBench(helm);
    else console.log('helm not found: Helm comparison skipped (see bench/README.md)');
  }
  const md = report(run, started, helmMd);
  if (RESULTS !== '-') {
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, md);
    console.log(`wrote ${RESULTS}`);
  }
  if (!run.identical) {
    console.error('outputs differ (see the checks above)');
    process.exit(1);
  }
}

if (require.main === module) main();
