/**
 * docs/errors.md lists every ValidationError code the library raises, and nothing else: a code is
 * found in src/ as the literal first argument of `new ValidationError('<Code>', …)` and in the
 * docs as a table row starting `| \`<Code>\` |`.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Code → the files that raise it. */
function codesInSource(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of sources(path.join(ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new ValidationError\(\s*['`]([A-Z][A-Za-z0-9]*)['`]\s*,/g)) {
      out.set(m[1], [...out.get(m[1]) ?? [], path.relative(ROOT, file)]);
    }
  }
  return out;
}

function codesInDocs(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8');
  return [...text.matchAll(/^\| `([A-Za-z0-9]+)` \|/gm)].map((m) => m[1]);
}

// Enabled by the lead at merge: codes are being added in parallel by other branches.
describe.skip('docs/errors.md', () => {
  test('lists every code raised in src/', () => {
    const documented = new Set(codesInDocs());
    const missing = [...codesInSource()].filter(([code]) => !documented.has(code)).map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  test('lists no code that src/ does not raise', () => {
    const raised = codesInSource();
    expect(codesInDocs().filter((code) => !raised.has(code))).toEqual([]);
  });

  test('lists each code once', () => {
    const codes = codesInDocs();
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
  });
});
