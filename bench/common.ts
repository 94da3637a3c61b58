// Shared by the benchmark drivers (bench.ts, clusters.ts).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The repository root (also from the transpiled copy under bench/out/js/bench/). */
export const ROOT = path.resolve(__dirname.split(`${path.sep}bench${path.sep}out${path.sep}js`)[0], ...(__dirname.includes(`${path.sep}out${path.sep}js`) ? [] : ['..']));
/** Where src/ and bench/ are transpiled to plain JS for the cases. */
export const OUT_JS = path.join(ROOT, 'bench', 'out', 'js');

/**
 * Transpiles src/ and bench/ to plain JS (and copies src/'s assets) (no type check, like ts-node -T) so that each case
 * runs in bare node: no compiler in memory, RSS is the case's own.
 */
export function transpile(): void {
  fs.rmSync(OUT_JS, { recursive: true, force: true });
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'out' || e.name === 'node_modules' ? [] : walk(p);
    return e.name.endsWith('.d.ts') ? [] : [p];
  });
  for (const file of [...walk(path.join(ROOT, 'src')), ...walk(path.join(ROOT, 'bench'))]) {
    if (!file.endsWith('.ts')) {
      // Assets (scripts read at synth time), next to the code as in lib/.
      if (file.includes(`${path.sep}assets${path.sep}`)) {
        const out = path.join(OUT_JS, path.relative(ROOT, file));
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.copyFileSync(file, out);
      }
      continue;
    }
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const out = path.join(OUT_JS, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, js);
  }
}

/** First difference between two output directories, or undefined. */
export function diffDirs(a: string, b: string, mask: (text: string) => string = (t) => t): string | undefined {
  const la = fs.readdirSync(a).sort();
  const lb = fs.readdirSync(b).sort();
  if (la.join('\n') !== lb.join('\n')) {
    const only = la.filter((f) => !lb.includes(f)).concat(lb.filter((f) => !la.includes(f)));
    return `file lists differ (${la.length} vs ${lb.length} files; e.g. ${only.slice(0, 3).join(', ')})`;
  }
  for (const f of la) {
    const ca = mask(fs.readFileSync(path.join(a, f), 'utf8'));
    const cb = mask(fs.readFileSync(path.join(b, f), 'utf8'));
    if (ca !== cb) {
      const x = ca.split('\n');
      const y = cb.split('\n');
      const line = x.findIndex((l, i) => l !== y[i]);
      return `${f} differs at line ${line + 1}: ${JSON.stringify(x[line])} vs ${JSON.stringify(y[line])}`;
    }
  }
  return undefined;
}

