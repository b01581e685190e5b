import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'dify-trace-explorer';

/** The repository root: the nearest ancestor of the working directory whose package.json is ours. */
export function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`run the e2e tests from inside the ${PACKAGE_NAME} repository (cwd: ${process.cwd()})`);
    }
    dir = parent;
  }
}

/** `<repo>/test-results`, created on demand (ignored by git; CI keeps it as an artifact). */
export function testResultsDir(): string {
  const dir = join(repoRoot(), 'test-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function readPackageName(manifest: string): unknown {
  const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
  return typeof parsed === 'object' && parsed !== null && 'name' in parsed ? parsed.name : undefined;
}
