/**
 * Tests that run real system programs (tmux, Debian's Python with numpy/torch/sklearn, Prometheus,
 * curl, jq, a C++ toolchain) call requireSystem([...]) at the top of the file. When a package is
 * missing, the file's tests do not run and ava reports one failed hook whose message names the
 * missing Debian packages and the apt-get line that installs them: a fresh machine fails with the
 * fix in one line, never with a silent skip. `npm run test:unit` leaves these files out
 * (ava.unit.config.js finds them by their requireSystem call).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PYTHON } from './processes.js';

const onPath = (cmd: string) => () => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const pythonImports = (module: string) => () => spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;

/** Debian package -> how to tell it is there. */
const CHECKS = {
  tmux: onPath('tmux'),
  curl: onPath('curl'),
  jq: onPath('jq'),
  make: onPath('make'),
  'g++': onPath('g++'),
  procps: () => existsSync('/usr/bin/kill'),
  prometheus: () => existsSync('/usr/bin/prometheus') && existsSync('/usr/bin/promtool'),
  python3: () => spawnSync(PYTHON, ['--version'], { stdio: 'ignore' }).status === 0,
  'python3-numpy': pythonImports('numpy'),
  'python3-sklearn': pythonImports('sklearn'),
  'python3-torch': pythonImports('torch'),
  'python3-torchvision': pythonImports('torchvision'),
  'python3-pip': () => spawnSync(PYTHON, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0,
  'python3-setuptools': pythonImports('setuptools'),
} as const;

export type DebianPackage = keyof typeof CHECKS;

/** The Debian packages of `packages` that are missing here, in the given order. */
export function missingSystem(packages: readonly DebianPackage[]): DebianPackage[] {
  return packages.filter((p) => !CHECKS[p]());
}

/** The one-line report for missing packages. */
export function missingMessage(missing: readonly DebianPackage[]): string {
  return `missing Debian package${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; install (as root): apt-get install -y --no-install-recommends ${missing.join(' ')}`;
}

/** Call at the top of a test file: when a package is missing, the file's tests fail with the fix. */
export function requireSystem(packages: readonly DebianPackage[]): void {
  const missing = missingSystem(packages);
  if (missing.length === 0) return;
  test.before('system packages', (t) => t.fail(missingMessage(missing)));
}
