/**
 * Every ```ts snippet in README.md compiles against the library and runs. A snippet whose first
 * line starts with `// (continues` is appended to the one before it (one program); imports of all
 * blocks of a program are hoisted and merged. Objects the snippets synthesize pass the validators.
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
 * Secrets the README's snippets expect someone else to create (cert-manager, External Secrets,
 * the user). Secrets our constructs generate at run time resolve without being listed here.
 */
const EXTERNAL_SECRETS = ['events-tls', 'events-tls-password', 'orders-kafka', 'audit-kafka', 'payments-db-pw'];

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

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const progs = programs(readme);
// Inside node_modules so the snippets resolve packages exactly as a user's project does.
const dir = path.join(ROOT, 'node_modules', '.cache', 'readme-snippets');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const files = progs.map((p, i) => {
  const file = path.join(dir, `snippet${i}.ts`);
  fs.writeFileSync(file, `${mergeImports(p.imports)}\n${p.body.join('\n')}\nexport {};\n`);
  return file;
});

test('README has snippets', () => {
  expect(progs.length).toBeGreaterThanOrEqual(18);
});

test('every README snippet type-checks against the library', () => {
  const program = ts.createProgram(files, {
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
  });
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.includes(path.resolve(d.file.fileName)));
  const text = diags.map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n${fs.readFileSync(d.file!.fileName, 'utf8')}`);
  expect(text).toEqual([]);
}, 60_000);

describe('every README snippet runs and its output validates', () => {
  const cases = progs.map((p, i): [string, string] => [p.title, files[i]]);
  test.each(cases)('%s', (_, file) => {
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    const apps: cdk8s.App[] = [];
    // Capture every App (and LinearApp) a snippet creates, and keep app.synth() out of the repo.
    const capturing = (Base: typeof cdk8s.App) => class extends Base {
      constructor(props: cdk8s.AppProps = {}) {
        super({ ...props, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'readme-out-')) });
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
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) {
      const objs = parseAllDocuments(app.synthYaml()).map((d) => d.toJS()).filter((o) => o);
      validateManifests(objs, { externalSecrets: EXTERNAL_SECRETS });
    }
  });
});
