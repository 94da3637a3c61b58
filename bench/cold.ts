// `npm run bench:cold` (cwd bench/): the wall time of a cold `cdk8s synth` of examples/ (the
// README's main command, `npm run example`, minus npm install) and of the same synth with other
// runners for cdk8s.yaml's `app`, each BENCH_COLD_RUNS times (default 5), median and load average.
//
//   BENCH_COLD_RUNS=5           runs per runner
//   BENCH_COLD_TOOLS=dir        where tsx and @swc/core are installed (default bench/out/cold-tools,
//                               installed there with `npm install --prefix` on first use)
//   BENCH_RESULTS=path          markdown output (default out/RESULTS-cold.md; '-' for none)
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { ROOT } from './common';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const TOOLS = process.env.BENCH_COLD_TOOLS ?? path.join(ROOT, 'bench', 'out', 'cold-tools');
const RESULTS = process.env.BENCH_RESULTS ?? path.join(ROOT, 'bench', 'out', 'RESULTS-cold.md');
const EXAMPLES = path.join(ROOT, 'examples');
const JS = path.join(ROOT, 'bench', 'out', 'cold-js');
const TOOL_VERSIONS = ['tsx@4.23.15', '@swc/core@1.16.22'];

interface Runner { readonly name: string; readonly command: string; readonly env?: NodeJS.ProcessEnv; readonly note: string }

/** tsx and @swc/core, outside the project's dependencies. */
function tools(): string {
  if (!fs.existsSync(path.join(TOOLS, 'node_modules', '.bin', 'tsx'))) {
    fs.mkdirSync(TOOLS, { recursive: true });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', TOOLS, ...TOOL_VERSIONS], { stdio: 'inherit' });
  }
  return TOOLS;
}

/** examples/ and src/ as CommonJS under bench/out/cold-js/ ('cdk8s-stateful' → the src copy): what `tsc` would emit. */
function precompile(): void {
  fs.rmSync(JS, { recursive: true, force: true });
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? (e.name === 'dist' ? [] : walk(p)) : [p];
  });
  for (const file of [...walk(path.join(ROOT, 'src')), ...walk(EXAMPLES)]) {
    const out = path.join(JS, path.relative(ROOT, file));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (!file.endsWith('.ts')) {
      if (file.includes(`${path.sep}assets${path.sep}`)) fs.copyFileSync(file, out);
      continue;
    }
    let text = fs.readFileSync(file, 'utf8');
    if (file.startsWith(EXAMPLES)) text = text.replace(/from 'cdk8s-stateful'/g, "from '../src'");
    const js = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    fs.writeFileSync(out.replace(/\.ts$/, '.js'), js);
  }
}

function runners(): Runner[] {
  const t = tools();
  const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
  return [
    { name: 'npm run example (today: ts-node -T)', command: '', note: 'the README\'s main command: npm → projen → cdk8s synth → ts-node -T' },
    { name: 'ts-node -T', command: `${bin('ts-node')} -P tsconfig.json -r tsconfig-paths/register -T main.ts`, note: 'examples/cdk8s.yaml today' },
    { name: 'ts-node (type-checked)', command: `${bin('ts-node')} -P tsconfig.json -r tsconfig-paths/register main.ts`, note: 'without -T' },
    {
      name: 'ts-node --swc',
      command: `${bin('ts-node')} -P tsconfig.json -r tsconfig-paths/register --swc main.ts`,
      env: { NODE_PATH: path.join(t, 'node_modules') },
      note: '@swc/core from BENCH_COLD_TOOLS',
    },
    { name: 'tsx', command: `${path.join(t, 'node_modules', '.bin', 'tsx')} --tsconfig tsconfig.json main.ts`, note: 'tsconfig paths resolved by tsx' },
    { name: 'node (precompiled JS)', command: `node ${path.join(JS, 'examples', 'main.js')}`, note: 'after a build step (not timed)' },
  ];
}

function once(r: Runner, out: string): number {
  fs.rmSync(out, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const p = r.command
    ? spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--app', r.command, '--output', out],
      { cwd: EXAMPLES, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...r.env } })
    : spawnSync('npm', ['run', '--silent', 'example'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (p.status !== 0) throw new Error(`${r.name} failed: ${p.stderr || p.stdout}`);
  return ms;
}

/** Every YAML file of a synth output, concatenated in name order. */
function output(dir: string): string {
  return fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

function main(): void {
  precompile();
  const rs = runners();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-cold-'));
  const L: string[] = ['## Cold `cdk8s synth` of examples/', ''];
  L.push(`Written by \`npm run bench:cold\` (bench/cold.ts) on ${new Date().toISOString()}: ${os.cpus().length} CPUs, node ${process.version}; ` +
    `${RUNS} runs per runner, interleaved, median shown.`, '');
  L.push('| runner (cdk8s.yaml `app`) | median s | min s | max s | load (1 min) at start | same output | note |', '|---|--:|--:|--:|--:|--:|---|');
  const times: number[][] = rs.map(() => []);
  const loads: number[] = rs.map(() => os.loadavg()[0]);
  const reference = path.join(EXAMPLES, 'dist');
  const same: boolean[] = rs.map(() => true);
  try {
    // Interleaved, so that a burst of load on the shared machine hits every runner alike.
    for (let k = 0; k < RUNS; k++) {
      rs.forEach((r, j) => {
        if (k === 0) loads[j] = os.loadavg()[0];
        const out = r.command ? path.join(tmp, String(j)) : reference;
        times[j].push(once(r, out));
        if (k === 0 && j > 0) same[j] = output(out) === output(reference);
      });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  rs.forEach((r, j) => {
    const s = [...times[j]].sort((a, b) => a - b);
    const row = `| ${r.name} | ${(s[Math.floor(s.length / 2)] / 1000).toFixed(2)} | ${(s[0] / 1000).toFixed(2)} | ${(s[s.length - 1] / 1000).toFixed(2)} | ` +
      `${loads[j].toFixed(2)} | ${j === 0 ? 'reference' : same[j] ? 'yes' : 'NO'} | ${r.note} |`;
    L.push(row);
    console.log(row);
  });
  L.push('');
  if (RESULTS !== '-') {
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, L.join('\n'));
    console.log(`wrote ${RESULTS}`);
  }
  if (same.some((x) => !x)) process.exit(1);
}

main();
