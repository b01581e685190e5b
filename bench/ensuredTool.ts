import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs one of the project's install scripts (`scripts/ensure-jaeger.sh`, `ensure-zipkin.sh`,
 * `ensure-phoenix.sh`: idempotent and cached) and returns the path it prints last, or undefined when
 * it failed. Its progress goes to this process's stderr.
 */
export function ensuredTool(script: string): string | undefined {
  const run = spawnSync('bash', [join(import.meta.dirname, '..', 'scripts', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = run.stdout.trim().split('\n').at(-1);
  return run.status === 0 && path !== undefined && path !== '' ? path : undefined;
}
