/**
 * Every ```ts snippet of docs/storage.md compiles against the library and runs, and what it
 * synthesizes passes the validators (same convention as test/readme.test.ts, which checks the
 * snippets again once these sections move into the README).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as lib from '../../src';
import * as policy from '../../src/policy';
import { validateManifests } from '../util/validate';

const ROOT = path.join(__dirname, '..', '..');
const snippets = [...fs.readFileSync(path.join(ROOT, 'docs', 'storage.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
// Inside node_modules so the snippets resolve packages as a user's project does.
const dir = path.join(ROOT, 'node_modules', '.cache', 'storage-doc-snippets');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
// src/index.ts does not export src/policy yet: stand in for the package with both until it does.
const pkg = path.join(dir, 'package.ts');
fs.writeFileSync(pkg, `export * from '${path.join(ROOT, 'src')}';\nexport * from '${path.join(ROOT, 'src', 'policy')}';\n`);
const files = snippets.map((s, i) => {
  const file = path.join(dir, `snippet${i}.ts`);
  fs.writeFileSync(file, `${s}\nexport {};\n`);
  return file;
});

test('docs/storage.md has a snippet per task', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(5);
});

test('every snippet type-checks against the library', () => {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    baseUrl: ROOT,
    paths: { 'cdk8s-stateful': [pkg] },
    typeRoots: [path.join(ROOT, 'node_modules/@types')],
  });
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.includes(path.resolve(d.file.fileName)));
  expect(diags.map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
}, 60_000);

test.each(files.map((f, i) => [i, f]))('snippet %i runs and its output validates', (_i, file) => {
  const js = ts.transpileModule(fs.readFileSync(file as string, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const apps: cdk8s.App[] = [];
  class CapturingApp extends cdk8s.App {
    constructor(props: cdk8s.AppProps = {}) {
      super({ ...props, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'storage-doc-')) });
      apps.push(this);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (m: string) => (m === 'cdk8s-stateful' ? { ...lib, ...policy } : m === 'cdk8s' ? { ...cdk8s, App: CapturingApp } : require(m));
  const mod = { exports: {} };
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  expect(apps.length).toBe(1);
  const objs = parseAllDocuments(apps[0].synthYaml()).map((d) => d.toJS()).filter((o) => o);
  validateManifests(objs);
  expect(objs.length).toBeGreaterThan(0);
});
