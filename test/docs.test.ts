/**
 * Every ```ts snippet in README.md and docs/*.md compiles against the library and runs, one
 * describe per file. A snippet whose first line starts with `// (continues` is appended to the one
 * before it in the same file (one program); imports of all blocks of a program are hoisted and
 * merged. Objects the snippets synthesize pass the validators.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as lib from '../src';
import { validateManifests } from './util/validate';

const ROOT = path.join(__dirname, '..');

/**
 * Secrets each file's snippets expect someone else to create (cert-manager, External Secrets,
 * the user). Secrets our constructs generate at run time resolve without being listed here.
 */
const EXTERNAL_SECRETS: { [file: string]: string[] } = {
  'docs/kafka.md': ['events-tls', 'events-tls-password', 'orders-kafka', 'audit-kafka', 'prod-mirror-kafka', 'events-admin-tls'],
  'docs/postgres.md': ['payments-db-pw', 'orders-db-app', 'minio-pg-backup', 'orders-db-credentials'],
  'docs/cockroachdb.md': ['ledger-node', 'ledger-root'],
  'docs/mongodb.md': ['mongo-secrets'],
};

/** The per-system guides; each must show at least one snippet. */
const GUIDES = ['workload', 'postgres', 'kafka', 'redis', 'storage', 'upgrade-safety', 'performance'].map((g) => `docs/${g}.md`);

interface Program { readonly title: string; readonly imports: string[]; readonly body: string[] }

const IMPORT = /^import [\s\S]*?from '[^']+';$/gm;

function programs(markdown: string): Program[] {
  const out: Program[] = [];
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const block of blocks) {
    // Imports may span lines; fold each to one line for merging.
    const imports = [...block.matchAll(IMPORT)].map((m) => m[0].replace(/\s*\n\s*/g, ' ').replace(/\{ /g, '{ ').replace(/,? \}/g, ' }'));
    const body = block.replace(IMPORT, '');
    const first = block.split('\n')[0];
    if (first.startsWith('// (continues') && out.length) {
      out[out.length - 1].imports.push(...imports);
      out[out.length - 1].body.push(body);
    } else {
      const title = body.split('\n').find((l) => l.trim() && !l.startsWith('//'))?.trim() ?? 'snippet';
      out.push({ title: `${out.length + 1}: ${title}`, imports, body: [body] });
    }
  }
  return out;
}

function mergeImports(imports: string[]): string {
  const named = new Map<string, Set<string>>();
  const other = new Set<string>();
  for (const i of imports) {
    const m = /^import \{([^}]*)\} from '([^']+)';$/.exec(i.trim());
    if (!m) { other.add(i.trim()); continue; }
    const set = named.get(m[2]) ?? new Set<string>();
    m[1].split(',').map((x) => x.trim()).filter(Boolean).forEach((x) => set.add(x));
    named.set(m[2], set);
  }
  return [...other, ...[...named].map(([mod, names]) => `import { ${[...names].sort().join(', ')} } from '${mod}';`)].join('\n');
}

const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const progsOf = new Map(docs.map((d) => [d, programs(fs.readFileSync(path.join(ROOT, d), 'utf8'))]));

// Inside node_modules so the snippets resolve packages exactly as a user's project does; a fresh
// folder per run, because node_modules may be shared by several checkouts.
const cache = path.join(ROOT, 'node_modules', '.cache');
fs.mkdirSync(cache, { recursive: true });
const dir = fs.mkdtempSync(path.join(cache, 'doc-snippets-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const filesOf = new Map([...progsOf].map(([doc, progs]) => [doc, progs.map((p, i) => {
  const file = path.join(dir, `${doc.replace(/[/.]/g, '_')}-snippet${i}.ts`);
  fs.writeFileSync(file, `${mergeImports(p.imports)}\n${p.body.join('\n')}\nexport {};\n`);
  return file;
})]));

/** One type-check of every snippet of every file (a program per file would cost minutes). */
let diagnostics: readonly ts.Diagnostic[] | undefined;
function diagnosticsOf(files: string[]): string[] {
  diagnostics ??= ts.getPreEmitDiagnostics(ts.createProgram([...filesOf.values()].flat(), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    baseUrl: ROOT,
    paths: { 'cdk8s-stateful': ['src/index.ts'] },
    typeRoots: [path.join(ROOT, 'node_modules/@types')],
  }));
  return diagnostics.filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
    .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n${fs.readFileSync(d.file!.fileName, 'utf8')}`);
}

/** Runs a snippet with `cdk8s-stateful` bound to src/ and returns every App it created. */
function run(file: string): cdk8s.App[] {
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const apps: cdk8s.App[] = [];
  // Capture every App (and LinearApp) a snippet creates, and keep app.synth() out of the repo.
  const capturing = (Base: typeof cdk8s.App) => class extends Base {
    constructor(props: cdk8s.AppProps = {}) {
      super({ ...props, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'doc-out-')) });
      apps.push(this);
    }
  };
  const modules: { [name: string]: unknown } = {
    'cdk8s-stateful': { ...lib, LinearApp: capturing(lib.LinearApp) },
    'cdk8s': { ...cdk8s, App: capturing(cdk8s.App) },
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (m: string) => modules[m] ?? require(m);
  const mod = { exports: {} };
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  return apps;
}

test('the README and every guide have snippets', () => {
  for (const doc of ['README.md', ...GUIDES]) expect([doc, progsOf.get(doc)?.length ?? 0]).not.toEqual([doc, 0]);
  expect([...progsOf.values()].flat().length).toBeGreaterThanOrEqual(25);
});

test('external secrets are listed only for files that exist', () => {
  expect(Object.keys(EXTERNAL_SECRETS).filter((d) => !progsOf.has(d))).toEqual([]);
});

describe.each(docs.filter((d) => progsOf.get(d)!.length))('%s', (doc) => {
  const files = filesOf.get(doc)!;

  test('every snippet type-checks against the library', () => {
    expect(diagnosticsOf(files)).toEqual([]);
  }, 120_000);

  const cases = progsOf.get(doc)!.map((p, i): [string, string] => [p.title, files[i]]);
  test.each(cases)('runs and validates %s', (_, file) => {
    const apps = run(file);
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) {
      const objs = parseAllDocuments(app.synthYaml()).map((d) => d.toJS()).filter((o) => o);
      validateManifests(objs, { externalSecrets: EXTERNAL_SECRETS[doc] ?? [] });
    }
  });
});
