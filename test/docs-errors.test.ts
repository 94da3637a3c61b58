/**
 * docs/errors.md lists every ValidationError code the library raises, and nothing else: a code is
 * found in src/ where it is written (see CODE_SITES) and in the
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

/**
 * Where a code is written: the first argument of `new ValidationError(...)`, or of a helper that
 * builds one (`problem(...)`, `fail(scope, ...)`, `this.check(...)`, `assertCount(scope, ...)`,
 * `profileSpec(...)`), or a `code:` field.
 */
const CODE_SITES = /(?:new ValidationError\(\s*|problem\(\s*|fail\([^,()]+,\s*|this\.check\(\s*|assertCount\([^,()]+,\s*|profileSpec\(\s*|code:\s*)['`]([A-Z][A-Za-z0-9]*)['`]/g;

/** Code → the files that raise it. */
function codesInSource(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of sources(path.join(ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(CODE_SITES)) {
      out.set(m[1], [...out.get(m[1]) ?? [], path.relative(ROOT, file)]);
    }
  }
  return out;
}

function codesInDocs(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8');
  return [...text.matchAll(/^\| `([A-Za-z0-9]+)` \|/gm)].map((m) => m[1]);
}

describe('docs/errors.md', () => {
  test('every ValidationError in src/ is built with a code first', () => {
    const uncoded: string[] = [];
    for (const file of sources(path.join(ROOT, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new ValidationError\(\s*([^,]+),/g)) {
        if (!/^['`][A-Z][A-Za-z0-9]*['`]$|^(code|this\.spec\.code|problem\.code|user\.code|overlap\.code)$/.test(m[1].trim())) uncoded.push(`${path.relative(ROOT, file)}: ${m[0]}`);
      }
    }
    expect(uncoded).toEqual([]);
  });

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
