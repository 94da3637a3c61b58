// `npm run bench` (cwd bench/): times the synthesis of N StatefulWorkloads, all in one chart and
// one chart per workload, with cdk8s's App, with LinearApp and as the plain-object floor; each
// case in its own node process (peak RSS per case). Writes bench/RESULTS.md.
//
//   BENCH_N=10,100        only these N (default 10,100,1000,3000)
//   BENCH_SKIP_SLOW=1     skip cdk8s's App with one chart per workload at N > 1000 (minutes)
//   BENCH_TIMEOUT_S=900   give up on a case after this long (recorded as a timeout)
//   BENCH_REPS=3          processes per case; the fastest is kept (the machine is shared).
//                         cdk8s's App with one chart per workload at N > 1000 runs once.
//   BENCH_RESULTS=path    where to write the results (default RESULTS.md; '-' for none)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffDirs, OUT_JS, ROOT, transpile } from './common';
import { YAML_VERSION } from './floor';

type Layout = 'one' | 'per';
type Impl = 'floor' | 'stock' | 'linear';

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
const RESULTS = process.env.BENCH_RESULTS ?? path.join(ROOT, 'bench', 'RESULTS.md');
const LAYOUTS: Layout[] = ['one', 'per'];
const IMPLS: Impl[] = ['floor', 'stock', 'linear'];
const IMPL_NAME: { [k in Impl]: string } = { floor: 'floor (plain objects + yaml)', stock: 'cdk8s App', linear: 'LinearApp' };
const LAYOUT_NAME: { [k in Layout]: string } = { one: 'one chart', per: 'chart per workload' };

/** Runs a case `reps` times, each in a fresh process; keeps the fastest run and the highest RSS. */
function runCase(n: number, layout: Layout, impl: Impl, outdir: string, reps: number): Result {
  let best: Result | undefined;
  let rss = 0;
  for (let i = 0; i < reps; i++) {
    const r = runOnce(n, layout, impl, outdir);
    if (r.ms === undefined) return r;
    rss = Math.max(rss, r.maxRssMb!);
    if (!best || r.ms < best.ms!) best = r;
  }
  return { ...best!, maxRssMb: rss };
}

function runOnce(n: number, layout: Layout, impl: Impl, outdir: string): Result {
  const load1 = os.loadavg()[0];
  const r = spawnSync(process.execPath, [path.join(OUT_JS, 'bench', 'case.js'), String(n), layout, impl, outdir], {
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    const why = r.signal === 'SIGTERM' ? `timeout after ${TIMEOUT_S} s` : `failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' ')}`;
    return { n, layout, impl, load1, note: why };
  }
  const { ms, cpuMs, maxRssMb } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { n, layout, impl, ms, cpuMs, maxRssMb, load1 };
}

const fmt = (x: number | undefined, d = 1) => (x === undefined ? '—' : x.toFixed(d));
const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);

function main(): void {
  const started = new Date();
  transpile();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-bench-'));
  const results: Result[] = [];
  const checks: string[] = [];
  let identical = true;
  const header = `${'N'.padStart(5)}  ${'layout'.padEnd(18)}  ${'implementation'.padEnd(28)}  ${'total ms'.padStart(9)}  ${'ms/workload'.padStart(11)}  ${'x floor'.padStart(7)}  ${'cpu ms/wl'.padStart(9)}  ${'x floor'.padStart(7)}  ${'peak RSS MB'.padStart(11)}  load`;
  console.log(`cdk8s-stateful synth benchmark: ${os.cpus().length} CPUs, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(header);
  try {
    for (const n of NS) {
      for (const layout of LAYOUTS) {
        const dirs: { [k in Impl]?: string } = {};
        let floor: Result | undefined;
        for (const impl of IMPLS) {
          let r: Result;
          if (impl === 'stock' && layout === 'per' && n > 1000 && SKIP_SLOW) {
            r = { n, layout, impl, load1: os.loadavg()[0], note: 'skipped (BENCH_SKIP_SLOW)' };
          } else {
            dirs[impl] = path.join(tmp, `${n}-${layout}-${impl}`);
            const slow = impl === 'stock' && layout === 'per' && n > 1000;
            r = runCase(n, layout, impl, dirs[impl]!, slow ? 1 : REPS);
          }
          if (impl === 'floor') floor = r;
          results.push(r);
          const c = [
            fmt(r.ms, 0).padStart(9), fmt(div(r.ms, n), 3).padStart(11), fmt(div(r.ms, floor?.ms), 2).padStart(7),
            fmt(div(r.cpuMs, n), 3).padStart(9), fmt(div(r.cpuMs, floor?.cpuMs), 2).padStart(7), fmt(r.maxRssMb, 0).padStart(11),
          ];
          console.log(`${String(n).padStart(5)}  ${LAYOUT_NAME[layout].padEnd(18)}  ${IMPL_NAME[impl].padEnd(28)}  ${c.join('  ')}  ${r.load1.toFixed(2)}${r.note ? '  ' + r.note : ''}`);
        }
        // Output identity, for every N up to 1000: LinearApp must equal App (a failure), the floor
        // should (otherwise it is not the same work; a warning).
        if (n <= 1000 && dirs.stock && fs.existsSync(dirs.stock)) {
          const linear = dirs.linear && fs.existsSync(dirs.linear) ? diffDirs(dirs.stock, dirs.linear) : 'no LinearApp output';
          const floorDiff = dirs.floor && fs.existsSync(dirs.floor) ? diffDirs(dirs.stock, dirs.floor) : 'no floor output';
          checks.push(`N=${n}, ${LAYOUT_NAME[layout]}: LinearApp vs App ${linear ? 'DIFFER: ' + linear : 'byte-identical'}; ` +
            `floor vs App ${floorDiff ? 'DIFFER: ' + floorDiff : 'byte-identical'}`);
          console.log(`       ${checks[checks.length - 1]}`);
          if (linear) identical = false;
        }
        for (const d of Object.values(dirs)) fs.rmSync(d!, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const md = report(results, checks, started);
  if (RESULTS !== '-') {
    fs.writeFileSync(RESULTS, md);
    console.log(`wrote ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
  }
  if (!identical) {
    console.error('LinearApp output differs from App output (see above)');
    process.exit(1);
  }
}

function report(results: Result[], checks: string[], started: Date): string {
  const get = (n: number, layout: Layout, impl: Impl) => results.find((r) => r.n === n && r.layout === layout && r.impl === impl);
  const perWl = (r?: Result) => (r?.ms === undefined ? undefined : r.ms / r.n);
  const lines: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  lines.push('# Synthesis benchmark', '');
  lines.push(`Written by \`npm run bench\` (bench/bench.ts) on ${started.toISOString()}.`, '');
  lines.push(`- machine: ${os.cpus().length} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`);
  lines.push(`- node ${process.version}; cdk8s ${pkgVersion('cdk8s')}, cdk8s-plus-28 ${pkgVersion('cdk8s-plus-28')}, constructs ${pkgVersion('constructs')}, yaml ${YAML_VERSION} (the copy cdk8s uses, also for the floor)`);
  lines.push(`- command: \`${commandLine()}\``);
  lines.push('- load average (1 min) when each case started is in the last column; the machine is shared.');
  lines.push('');
  lines.push('Each case runs in its own node process: build N workloads (bench/workload.ts: a StatefulSet,');
  lines.push('headless Service, ServiceAccount, PodDisruptionBudget, NetworkPolicy and ConfigMap each) and');
  lines.push('synthesize them to files. The floor builds the same six objects per workload as plain JS');
  lines.push('objects (bench/floor.ts) and writes them with cdk8s\'s yaml copy and options, in the same files.');
  lines.push(`Wall time excludes process start and module loading. Each case ran in ${REPS} fresh processes and the`);
  lines.push('fastest is shown (cdk8s App, chart per workload, N > 1000: once); inside a process N ≤ 100 is');
  lines.push('timed 5 times after a warm-up and the fastest kept. Peak RSS is the highest of the runs.');
  lines.push('');
  lines.push('| N | layout | implementation | total ms | ms / workload | × floor | CPU ms / workload | × floor (CPU) | peak RSS MB | load |');
  lines.push('|--:|---|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of results) {
    const floor = get(r.n, r.layout, 'floor');
    lines.push(`| ${r.n} | ${LAYOUT_NAME[r.layout]} | ${IMPL_NAME[r.impl]} | ${r.note && r.ms === undefined ? r.note : fmt(r.ms, 0)} | ${fmt(perWl(r), 3)} | ` +
      `${fmt(div(r.ms, floor?.ms), 2)} | ${fmt(div(r.cpuMs, r.n), 3)} | ${fmt(div(r.cpuMs, floor?.cpuMs), 2)} | ${fmt(r.maxRssMb, 0)} | ${r.load1.toFixed(2)} |`);
  }
  lines.push('', '## Targets', '');
  lines.push('≤ 2× the floor at N=1000; per-workload cost at N=3000 ≤ 1.2× that at N=100. Wall time, and CPU time in');
  lines.push('parentheses (less disturbed by other processes on a shared machine).', '');
  const ok = (x: number | undefined, lim: number) => (x === undefined ? 'not measured' : x <= lim ? 'met' : 'missed');
  for (const impl of ['linear', 'stock'] as Impl[]) {
    for (const layout of LAYOUTS) {
      const at1000 = get(1000, layout, impl);
      const f1000 = get(1000, layout, 'floor');
      const at100 = get(100, layout, impl);
      const at3000 = get(3000, layout, impl);
      const r1 = div(at1000?.ms, f1000?.ms);
      const c1 = div(at1000?.cpuMs, f1000?.cpuMs);
      const r2 = div(perWl(at3000), perWl(at100));
      const c2 = div(div(at3000?.cpuMs, 3000), div(at100?.cpuMs, 100));
      lines.push(`- ${IMPL_NAME[impl]}, ${LAYOUT_NAME[layout]}: ${fmt(r1, 2)}× (${fmt(c1, 2)}×) the floor at N=1000, ` +
        `target ${ok(r1, 2)} (${ok(c1, 2)}); per-workload cost at 3000 is ${fmt(r2, 2)}× (${fmt(c2, 2)}×) that at 100, target ${ok(r2, 1.2)} (${ok(c2, 1.2)})`);
    }
  }
  lines.push('', '## Output checks', '');
  lines.push(...(checks.length ? checks.map((c) => `- ${c}`) : ['- none (no N ≤ 1000 in this run)']));
  lines.push('');
  return lines.join('\n');
}

function pkgVersion(name: string): string {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')).version;
}

function commandLine(): string {
  const env = ['BENCH_N', 'BENCH_SKIP_SLOW', 'BENCH_TIMEOUT_S', 'BENCH_REPS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  return [...env, 'npm run bench'].join(' ');
}

main();
