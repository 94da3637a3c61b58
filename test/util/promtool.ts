/**
 * `promtool test rules` (Debian package prometheus, test/setup/install-deps.sh) on synthesized
 * alert rules: the PrometheusRule's rules as a rule file, with the given unit tests
 * (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';

/** promtool's output and exit status. */
export function promtoolTestRules(rules: any[], tests: any[]): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  try {
    const group = { name: 'test', rules: rules.map((r) => ({ alert: r.alert, expr: r.expr, for: r.for, labels: r.labels, annotations: r.annotations })) };
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: [group] }));
    fs.writeFileSync(path.join(dir, 'test.yaml'), stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    const r = spawnSync('promtool', ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8' });
    if (r.error) throw r.error;
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** promtool input series from `{ 'metric{labels}': 'values' }`. */
export function series(s: { [name: string]: string }): Array<{ series: string; values: string }> {
  return Object.entries(s).map(([name, values]) => ({ series: name, values }));
}
