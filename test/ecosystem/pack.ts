/**
 * Shared by the ecosystem tests: the library packed as `npm pack` would pack it for a release,
 * built fresh with jsii into a temporary copy (so the test never depends on a stale lib/), and the
 * fenced blocks of a markdown file named by their info string (```ts main.ts).
 */
import { execFileSync, ExecFileSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');

/** npm for the temporary apps: the registry (and its cache), no audit, no update check. */
export const NPM_ENV = {
  ...process.env,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
  CDK8S_CHECK_UPGRADE: 'false',
};

export function run(cmd: string, args: string[], cwd: string, options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, env: NPM_ENV, encoding: 'utf8', stdio: 'pipe', ...options }) as string;
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Compiles the library with jsii into a temporary copy and packs it; returns the tarball's path. */
export function packLibrary(): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-pack-'));
  for (const f of ['package.json', 'tsconfig.json', '.npmignore', 'README.md', 'LICENSE', 'CHANGELOG.md', 'API.md']) {
    if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), path.join(work, f));
  }
  fs.cpSync(path.join(ROOT, 'src'), path.join(work, 'src'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
  // The compile task of .projenrc.ts: jsii, then the asset scripts beside the compiled code.
  run(path.join(ROOT, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word'], work);
  run('bash', ['-c', "cd src && find . -path '*/assets/*' -type f -exec cp --parents -t ../lib {} +"], work);
  fs.unlinkSync(path.join(work, 'node_modules'));
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], work));
  return path.join(work, out[0].filename);
}

/** The fenced blocks of a markdown file: `named` by the word after the language, `sh` in order. */
export function blocksOf(file: string): { named: Map<string, string>; sh: string[] } {
  const md = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const named = new Map<string, string>();
  const sh: string[] = [];
  for (const m of md.matchAll(/```(\w+)(?: ([^\n]+))?\n([\s\S]*?)```/g)) {
    if (m[2]) named.set(m[2].trim(), m[3]);
    else if (m[1] === 'sh') sh.push(m[3]);
  }
  return { named, sh };
}
