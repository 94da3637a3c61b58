// The clusters benchmark (bench/clusters.ts) at N=10, so that CI keeps it working: every case
// runs, LinearApp's output equals App's byte for byte and the generated floor's equals it but for
// hash values. The full run (N up to 3000, Helm, cold synth) is bench/README.md's, off CI.
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

test('npm run bench:clusters at N=10 runs every case and checks the outputs', () => {
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-P', 'tsconfig.json', '-r', 'tsconfig-paths/register', '-T', 'clusters.ts'], {
    cwd: path.join(ROOT, 'bench'),
    encoding: 'utf8',
    env: { ...process.env, BENCH_N: '10', BENCH_REPS: '1', BENCH_HELM: '0', BENCH_RESULTS: '-' },
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const rows = r.stdout.split('\n').filter((l) => /^\s+10\s/.test(l));
  expect(rows).toHaveLength(6); // 2 layouts × (floor, App, LinearApp)
  for (const row of rows) expect(row).not.toMatch(/failed|timeout/);
  const checks = r.stdout.split('\n').filter((l) => l.includes('N=10,'));
  expect(checks).toEqual([
    expect.stringContaining('one chart: LinearApp vs App byte-identical; floor vs LinearApp identical but for hash values, same byte count'),
    expect.stringContaining('chart per cluster: LinearApp vs App byte-identical; floor vs LinearApp identical but for hash values, same byte count'),
  ]);
}, 120_000);
