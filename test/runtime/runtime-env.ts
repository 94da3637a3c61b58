/**
 * When the runtime tier can run: as root on Linux with the programs test/setup/install-deps.sh
 * installs. Under CI=true it must run: a missing prerequisite fails the suite instead of skipping.
 */
import * as fs from 'fs';

const PROGRAMS = ['/usr/bin/nsenter', '/usr/bin/unshare', '/usr/bin/setpriv', '/usr/sbin/ip', '/usr/bin/openssl'];

export function runtimeUnavailable(extra: string[] = []): string | undefined {
  if (process.platform !== 'linux') return 'the runtime tier needs Linux (network and mount namespaces)';
  if (process.getuid?.() !== 0) return 'the runtime tier needs root (network namespaces, bind mounts, setpriv)';
  const missing = [...PROGRAMS, ...extra].filter((p) => !fs.existsSync(p));
  if (missing.length) return `the runtime tier needs ${missing.join(', ')} (run bash test/setup/install-deps.sh)`;
  return undefined;
}

/** `describe` when the tier can run; otherwise a skip with the reason, or a failure under CI=true. */
export function describeRuntime(name: string, programs: string[], fn: () => void): void {
  const why = runtimeUnavailable(programs);
  if (!why) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => test('prerequisites', () => { throw new Error(`CI=true and ${why}`); }));
  } else {
    // eslint-disable-next-line no-console
    console.warn(`runtime tier skipped: ${why}`);
    describe.skip(name, fn);
  }
}
