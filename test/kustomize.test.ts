/**
 * A validator we did not write: `kubectl kustomize` (notes/validators.md). Teams put our output
 * under a kustomize overlay; a namePrefix and a namespace must not break any reference
 * (serviceName, ConfigMap/Secret refs, ServiceAccount, RoleBinding). The overlaid output goes
 * through the shared validators again.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { buildExampleApp } from '../examples/app';
import { EXAMPLE_RUNTIME_SECRETS } from './util/examples';
import { validateManifests } from './util/validate';

const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => fs.existsSync(p));

test('kubectl is available (it ships with the machine image)', () => {
  expect(KUBECTL).toBeDefined();
});

test('the example output survives a kustomize overlay with namePrefix and namespace', () => {
  const app = Testing.app();
  buildExampleApp(app);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
  fs.writeFileSync(path.join(dir, 'all.yaml'), app.synthYaml());
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namePrefix: team-',
    'namespace: team',
    'resources: [all.yaml]',
  ].join('\n'));
  const out = execFileSync(KUBECTL!, ['kustomize', dir], { encoding: 'utf8' });
  const objs = parseAllDocuments(out).map((d) => d.toJS()).filter((o) => o);
  expect(objs.length).toBeGreaterThan(0);
  expect(objs.every((o) => o.metadata.name.startsWith('team-'))).toBe(true);
  const sts = objs.filter((o) => o.kind === 'StatefulSet');
  expect(sts.every((s) => s.spec.serviceName.startsWith('team-'))).toBe(true);
  validateManifests(objs, { externalSecrets: EXAMPLE_RUNTIME_SECRETS });
}, 30_000);
