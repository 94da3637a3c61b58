/**
 * A user's first hour, for real (issue 16 §1): the library packed as it is published, the README's
 * "Use it in your app" followed word by word in an empty folder (npm install from the registry,
 * `cdk8s synth` with the real CLI), an ES module importing the root and the deep error path, and
 * docs/publishing.md's chart library compiled by jsii and consumed by a second app. Every
 * synthesized file goes through the shared validators.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { blocksOf, packLibrary, ROOT, run } from './pack';
import { validateManifests } from '../util/validate';

jest.setTimeout(180_000);

let tarball: string;
let home: string;

beforeAll(() => {
  tarball = packLibrary();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-consumer-'));
});

afterAll(() => {
  for (const d of [home, tarball && path.dirname(tarball)]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

function readYaml(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o);
}

test('the tarball holds lib/ (with the asset scripts), .jsii, API.md, README, LICENSE, CHANGELOG and package.json only', () => {
  const files = run('tar', ['-tzf', tarball], home).trim().split('\n').map((f) => f.replace(/^package\//, ''));
  const top = [...new Set(files.map((f) => f.split('/')[0]))].sort();
  expect(top).toEqual(['.jsii', 'API.md', 'CHANGELOG.md', 'LICENSE', 'README.md', 'lib', 'package.json']);
  expect(files).toContain('lib/index.js');
  expect(files).toContain('lib/index.d.ts');
  expect(files).toContain('lib/core/errors.js');
  const assets = fs.readdirSync(path.join(ROOT, 'src', 'postgres', 'assets'));
  for (const a of assets) expect(files).toContain(`lib/postgres/assets/${a}`);
  expect(files).toContain('lib/core/kit/assets/generate-secret.py');
  expect(files.filter((f) => f.startsWith('lib/') && !/\.(js|d\.ts)$/.test(f) && !f.includes('/assets/'))).toEqual([]);
  const pkg = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], home));
  expect(pkg.version).toMatch(/^0\.[1-9]\d*\.\d+$/); // a real 0.x version, not 0.0.0
});

describe('the README\'s "Use it in your app", from an empty folder', () => {
  let app: string;

  beforeAll(() => {
    const { named, sh } = blocksOf('README.md');
    const install = sh.find((s) => s.includes('npm install cdk8s-stateful '))!;
    expect(install).toBeDefined();
    // The one substitution: the package comes from the packed tarball instead of the registry.
    run('bash', ['-euc', install.replace('npm install cdk8s-stateful ', `npm install ${tarball} `)], home);
    app = path.join(home, 'my-app');
    for (const f of ['cdk8s.yaml', 'tsconfig.json', 'main.ts']) {
      expect(named.get(f)).toBeDefined();
      fs.writeFileSync(path.join(app, f), named.get(f)!);
    }
    const synth = sh.find((s) => s.includes('cdk8s synth'))!;
    run('bash', ['-euc', synth], app);
  });

  test('cdk8s synth writes valid manifests for the Postgres and Kafka clusters', () => {
    const objs = readYaml(path.join(app, 'dist', 'shop.k8s.yaml'));
    expect(objs.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name).sort()).toEqual(['events', 'orders-db']);
    validateManifests(objs);
  });

  test('an ES module imports the root and the deep path of ValidationError, with and without .js; CommonJS too', () => {
    fs.writeFileSync(path.join(app, 'check.mjs'), [
      "import { createRequire } from 'node:module';",
      "import { PostgresCluster, Errors } from 'cdk8s-stateful';",
      "import { ValidationError } from 'cdk8s-stateful/lib/core/errors';",
      "import { ValidationError as WithJs } from 'cdk8s-stateful/lib/core/errors.js';",
      "import { App, Chart } from 'cdk8s';",
      'const require = createRequire(import.meta.url);',
      "const cjs = require('cdk8s-stateful/lib/core/errors');",
      "const chart = new Chart(new App(), 'c');",
      'let caught;',
      "try { new PostgresCluster(chart, 'db', { databases: [{ name: 'Bad Name' }] }); } catch (e) { caught = e; }",
      'console.log(JSON.stringify({',
      '  esm: typeof ValidationError, same: ValidationError === WithJs && ValidationError === cjs.ValidationError,',
      '  instance: caught instanceof ValidationError, code: Errors.codeOf(caught),',
      '}));',
    ].join('\n'));
    const out = JSON.parse(run('node', ['check.mjs'], app));
    expect(out).toEqual({ esm: 'function', same: true, instance: true, code: 'PostgresDatabaseNameInvalid' });
    const cjsOut = run('node', ['-e', "const m = require('cdk8s-stateful'); const e = require('cdk8s-stateful/lib/core/errors.js'); console.log(typeof m.PostgresCluster, typeof e.ValidationError)"], app);
    expect(cjsOut.trim()).toBe('function function');
  });
});

describe('docs/publishing.md: a chart library on top of cdk8s-stateful, consumed by a second app', () => {
  test('jsii compiles PlatformChart with cdk8s-stateful as a peer, and an app that installs it synthesizes valid output', () => {
    const { named } = blocksOf('docs/publishing.md');
    const lib = path.join(home, 'my-platform');
    fs.mkdirSync(path.join(lib, 'src'), { recursive: true });
    const pkg = JSON.parse(named.get('package.json')!);
    expect(pkg.peerDependencies['cdk8s-stateful']).toMatch(/^\^0\./);
    pkg.devDependencies['cdk8s-stateful'] = `file:${tarball}`;
    fs.writeFileSync(path.join(lib, 'package.json'), JSON.stringify(pkg, null, 2));
    fs.writeFileSync(path.join(lib, 'src', 'index.ts'), named.get('src/index.ts')!);
    run('npm', ['install'], lib);
    run('npm', ['run', 'build'], lib);
    const jsii = JSON.parse(fs.readFileSync(path.join(lib, '.jsii'), 'utf8'));
    expect(Object.keys(jsii.types)).toContain('my-platform.PlatformChart');
    expect(jsii.dependencies['cdk8s-stateful']).toMatch(/^\^0\./);
    const libTgz = path.join(lib, JSON.parse(run('npm', ['pack', '--json'], lib))[0].filename);

    const app = path.join(home, 'platform-app');
    fs.mkdirSync(app);
    run('npm', ['init', '-y'], app);
    run('npm', ['install', libTgz, tarball, 'cdk8s@^2.70.0', 'cdk8s-plus-28@^2.5.6', 'constructs@^10.3.0'], app);
    // The CLI and ts-node of the first app: the same versions as the README installs.
    const first = path.join(home, 'my-app', 'node_modules');
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\n');
    // The README's main.ts compiled to CommonJS by the first app's TypeScript.
    fs.writeFileSync(path.join(app, 'main.ts'), named.get('main.ts')!);
    run(path.join(first, '.bin', 'tsc'), ['--module', 'commonjs', '--target', 'ES2022', '--skipLibCheck', '--strict', 'main.ts'], app);
    run(path.join(first, '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], app);
    const objs = readYaml(path.join(app, 'dist', 'platform.k8s.yaml'));
    expect(objs.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name).sort()).toEqual(['db', 'events']);
    expect(objs.every((o) => o.kind.startsWith('Cluster') || o.metadata.namespace === 'platform')).toBe(true);
    validateManifests(objs);
  });
});
