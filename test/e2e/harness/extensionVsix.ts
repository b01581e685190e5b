import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repoPaths.js';

/** The packaged .vsix (`npm run package`); packs it first when missing, so the tier runs alone too. */
export function extensionVsix(): string {
  const root = repoRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(root, `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(vsix)) execFileSync('node', ['scripts/package.mjs'], { cwd: root, stdio: 'inherit' });
  return vsix;
}
