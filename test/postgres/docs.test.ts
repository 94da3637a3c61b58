/**
 * Every ```ts snippet of docs/postgres.md type-checks against the library and runs; what it
 * synthesizes passes the validators (the same rules as test/readme.test.ts: a block starting with
 * `// (continues` is appended to the one before it).
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
/** Secrets the snippets' clusters create at run time or take from elsewhere. */
const EXTERNAL_SECRETS = ['orders-db-credentials', 'payments-db-pw', 'events-db-credentials', 'legacy-db-credentials', 'billing-db-credentials'];

const markdown = fs.readFileSync(path.join(ROOT, 'docs', 'postgres.md'), 'utf8');
const programs: string[][] = [];
for (const m of markdown.matchAll(/```ts\n([\s\S]*?)```/g)) {
  if (m[1].startsWith('// (continues') && programs.length) programs[programs.length - 1].push(m[1]);
  else programs.push([m[1]]);
}
const dir = path.join(ROOT, 'node_modules', '.cache', 'postgres-doc-snippets');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const files = programs.map((blocks, i) => {
  const lines = blocks.join('\n').split('\n');
  const file = path.join(dir, `snippet${i}.ts`);
  fs.writeFileSync(file, [...lines.filter((l) => l.startsWith('import ')), ...lines.filter((l) => !l.startsWith('import ')), 'export {};'].join('\n'));
  return file;
});

test('docs/postgres.md has snippets', () => {
  expect(files.length).toBeGreaterThanOrEqual(4);
});

test('every snippet type-checks', () => {
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
  });
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.includes(path.resolve(d.file.fileName)));
  expect(diags.map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
}, 60_000);

test.each(files.map((f, i) => [i, f]))('snippet %s runs and validates', (_, file) => {
  const js = ts.transpileModule(fs.readFileSync(file as string, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const apps: cdk8s.App[] = [];
  class CapturingApp extends cdk8s.App {
    constructor(props: cdk8s.AppProps = {}) {
      super({ ...props, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'pg-doc-')) });
      apps.push(this);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (m: string) => (m === 'cdk8s-stateful' ? lib : m === 'cdk8s' ? { ...cdk8s, App: CapturingApp } : require(m));
  const mod = { exports: {} };
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  expect(apps.length).toBeGreaterThan(0);
  for (const app of apps) {
    const objs = parseAllDocuments(app.synthYaml()).map((d) => d.toJS()).filter((o) => o);
    validateManifests(objs, { externalSecrets: EXTERNAL_SECRETS });
  }
});
