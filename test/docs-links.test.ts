/**
 * Every relative link in README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md points to a file
 * that exists and, with a `#anchor`, to a heading of that file (GitHub's slug rules). Links inside
 * code (fenced blocks and `code spans`) are not links and are skipped.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const FILES = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md',
  ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The lines of a markdown file outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; return false; }
    return !fenced;
  });
}

/**
 * GitHub's heading anchors (github-slugger): lower case, drop everything but letters, marks,
 * digits, `_`, `-` and spaces, each space becomes `-`; a repeated slug gets `-1`, `-2`, ….
 */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base);
    seen.set(base, (n ?? -1) + 1);
    out.add(n === undefined ? base : `${base}-${n + 1}`);
  }
  return out;
}

/** [text](target) links of a markdown file, outside code. */
function links(markdown: string): string[] {
  return prose(markdown).flatMap((line) => [...line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]));
}

const cases = FILES.flatMap((file) => links(fs.readFileSync(path.join(ROOT, file), 'utf8'))
  .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
  .map((target): [string, string] => [file, target]));

test('the docs link to each other', () => {
  expect(cases.length).toBeGreaterThan(20);
});

test('anchors follow GitHub slug rules', () => {
  expect([...anchors('# Run a highly available Postgres\n## Scaling: brokers yes, controllers no\n'
    + '## Use `LinearApp` (fast)\n## Numbers\n## Numbers\n```sh\n# not a heading\n```\n')])
    .toEqual(['run-a-highly-available-postgres', 'scaling-brokers-yes-controllers-no', 'use-linearapp-fast', 'numbers', 'numbers-1']);
});

test.each(cases)('%s → %s', (file, target) => {
  const [rel, anchor] = target.split('#', 2);
  const resolved = rel ? path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(rel)) : path.join(ROOT, file);
  expect(path.relative(ROOT, resolved).startsWith('..')).toBe(false);
  expect(fs.existsSync(resolved)).toBe(true);
  if (anchor !== undefined) {
    expect(resolved.endsWith('.md')).toBe(true);
    expect([...anchors(fs.readFileSync(resolved, 'utf8'))]).toContain(anchor);
  }
});
