/**
 * Every script the library ships is a real file under src/<system>/assets/ (CONTRIBUTING.md):
 * checked here by its interpreter's syntax check and by shellcheck (installed by
 * test/setup/install-deps.sh), and executed by at least one test, which names it.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadAsset } from '../../../src/core/kit/assets';

const ROOT = path.join(__dirname, '..', '..', '..');
const SRC = path.join(ROOT, 'src');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out); else out.push(p);
  }
  return out;
}

const assets = walk(SRC).filter((p) => p.split(path.sep).includes('assets')).map((p) => path.relative(SRC, p)).sort();
const testFiles = walk(path.join(ROOT, 'test')).filter((p) => p.endsWith('.ts') && p !== __filename);
const testText = testFiles.map((p) => fs.readFileSync(p, 'utf8')).join('\n');

test('the library ships its scripts as asset files', () => {
  expect(assets.length).toBeGreaterThan(0);
});

test('loadAsset reads an asset by its path below src/, once', () => {
  const a = loadAsset('core/kit/assets/generate-secret.py');
  expect(a).toBe(fs.readFileSync(path.join(SRC, 'core/kit/assets/generate-secret.py'), 'utf8'));
  expect(loadAsset('core/kit/assets/generate-secret.py')).toBe(a);
});

describe.each(assets)('%s', (asset) => {
  const file = path.join(SRC, asset);
  const text = fs.readFileSync(file, 'utf8');
  const shell = asset.endsWith('.sh') ? (/^#!.*\bbash\b/.test(text) || !/^#!/.test(text) ? 'bash' : 'sh') : undefined;

  if (shell) {
    test(`passes ${shell} -n`, () => {
      const r = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
    test('passes shellcheck at the default severity', () => {
      const r = spawnSync('shellcheck', ['-s', shell, '-f', 'gcc', file], { encoding: 'utf8' });
      if (r.error) throw new Error(`shellcheck did not run (${r.error.message}); test/setup/install-deps.sh installs it`);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    });
  } else if (asset.endsWith('.py')) {
    test('parses as Python 3', () => {
      execFileSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', file]);
    });
  } else if (asset.endsWith('.js')) {
    // mongosh scripts (src/mongodb/assets): JavaScript run by mongosh's Node.js runtime.
    test('parses as JavaScript', () => {
      execFileSync(process.execPath, ['--check', file]);
    });
  }

  test('is executed by a test that names it', () => {
    expect(testText).toContain(path.basename(asset));
  });
});
