// Runs an asset script against fake programs: each stub is a shell script in a temp dir put
// first on PATH, and records its arguments (one per line) in <dir>/<name>.args, call after call.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface StubRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class Stubs {
  public readonly dir: string;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-asset-'));
  }

  /** A fake program: records its args, then runs `body` (sh). */
  public add(name: string, body: string = ''): void {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> "${file}.args"\necho --- >> "${file}.args"\n${body}\n`);
    fs.chmodSync(file, 0o755);
  }

  /** The args of every call of a stub. */
  public calls(name: string): string[][] {
    const f = path.join(this.dir, `${name}.args`);
    if (!fs.existsSync(f)) return [];
    return fs.readFileSync(f, 'utf8').split('---\n').slice(0, -1).map((c) => c.split('\n').slice(0, -1));
  }

  /** Runs `command` (e.g. a container's command and args) with the stubs first on PATH. */
  public run(command: string[], env: { [k: string]: string }): StubRun {
    const r = spawnSync(command[0], command.slice(1), {
      env: { PATH: `${this.dir}:${process.env.PATH}`, TMPDIR: this.dir, ...env },
      encoding: 'utf8',
      timeout: 20_000,
      // stdin from /dev/null: on a socket (node's default pipe) bash thinks rshd started it and reads ~/.bashrc.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  public file(name: string): string {
    return fs.readFileSync(path.join(this.dir, name), 'utf8');
  }

  public write(name: string, content: string): string {
    const f = path.join(this.dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
    return f;
  }

  public cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
