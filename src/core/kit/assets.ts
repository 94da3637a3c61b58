// Scripts are real files under src/<system>/assets/ (linted by their interpreter and shellcheck,
// run by tests), copied next to the compiled code by the build (`lib/<system>/assets/`) and read
// here at synth time. Reading a file is deterministic; the cache keeps it to one read per app.
import * as fs from 'fs';
import * as path from 'path';

/** src/ when run from source (ts-node, jest), lib/ when run from the package. */
const ROOT = path.join(__dirname, '..', '..');
const cache = new Map<string, string>();

/**
 * The text of an asset file, by its path below src/ (e.g. `postgres/assets/post-init.sh`).
 * Throws a plain Error when the file is missing: that is a packaging bug, not bad input.
 */
export function loadAsset(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = fs.readFileSync(path.join(ROOT, relativePath), 'utf8');
    cache.set(relativePath, text);
  }
  return text;
}
