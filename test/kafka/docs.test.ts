/**
 * Every ```ts snippet of docs/kafka.md type-checks against the library, runs, and what it
 * synthesizes passes the shared validators (Secrets the snippets name are made by cert-manager
 * or the user, so they are declared external).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as lib from '../../src';
import { validateManifests } from '../util/validate';

const ROOT = path.join(__dirname, '..', '..');
const EXTERNAL_SECRETS = ['events-tls', 'events-tls-password', 'orders-kafka', 'audit-kafka'];

const markdown = fs.readFileSync(path.join(ROOT, 'docs', 'kafka.md'), 'utf8');
const snippets = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = path.join(ROOT, 'node_modules', '.cache', 'kafka-doc-snippets');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const files = snippets.map((s, i) => {
  const file = path.join(dir, `snippet${i}.ts`);
  fs.writeFileSync(file, `${s}\nexport {};\n`);
  return file;
});

test('docs/kafka.md has snippets, the smallest first', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(5);
  expect(snippets[0].split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(8);
});

test('every snippet type-checks against the library', () => {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: [],
    baseUrl: ROOT,
    paths: { 'cdk8s-stateful': ['src/index.ts'] },
    typeRoots: [path.join(ROOT, 'node_modules/@types')],
  });
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.includes(path.resolve(d.file.fileName)));
  expect(diags.map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
}, 60_000);

test.each(files.map((f, i): [number, string] => [i, f]))('snippet %i runs and its output validates', (_, file) => {
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const apps: cdk8s.App[] = [];
  class CapturingApp extends cdk8s.App {
    constructor(props: cdk8s.AppProps = {}) {
      super({ ...props, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-doc-')) });
      apps.push(this);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (m: string) => (m === 'cdk8s-stateful' ? lib : m === 'cdk8s' ? { ...cdk8s, App: CapturingApp } : require(m));
  const mod = { exports: {} };
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  expect(apps).toHaveLength(1);
  const objs = parseAllDocuments(apps[0].synthYaml()).map((d) => d.toJS()).filter((o) => o);
  validateManifests(objs, { externalSecrets: EXTERNAL_SECRETS });
  expect(objs.some((o) => o.kind === 'StatefulSet')).toBe(true);
});
