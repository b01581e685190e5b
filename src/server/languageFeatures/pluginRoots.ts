/**
 * The plugin projects in the workspace folders the client names: every folder holding a
 * `manifest.yaml` with an `author` and a `name`, found by a bounded walk with node:fs (the server
 * has no `vscode.workspace.findFiles`). Synchronous and small: it runs when the folders change.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readManifestIdentity } from '../../shared/sourceTargets';
import type { PluginRoot } from './failureIndex';

const SKIPPED = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', '.vscode-test', 'dist']);
const MAX_DEPTH = 4;
const MAX_DIRS = 5000;

/** Plugin roots under the given workspace folder URIs (non-file URIs are skipped). */
export function findPluginRoots(folderUris: readonly string[]): PluginRoot[] {
  const roots: PluginRoot[] = [];
  let budget = MAX_DIRS;
  const walk = (dir: string, depth: number) => {
    if (budget-- <= 0) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === 'manifest.yaml')) {
      try {
        const { author, name, version } = readManifestIdentity(readFileSync(join(dir, 'manifest.yaml'), 'utf8'));
        if (author && name) roots.push({ author, name, ...(version ? { version } : {}), path: dir });
      } catch {
        // An unreadable manifest is not a candidate; the others still are.
      }
    }
    if (depth >= MAX_DEPTH) return;
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED.has(entry.name)) walk(join(dir, entry.name), depth + 1);
    }
  };
  for (const uri of folderUris) {
    if (!uri.startsWith('file:')) continue;
    walk(fileURLToPath(uri), 0);
  }
  return roots;
}

/** The workspace file URI of a path inside a plugin root, when that file exists. */
export function existingFileUri(root: PluginRoot, relativePath: string): string | undefined {
  const parts = relativePath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  const path = join(root.path, ...parts);
  try {
    return statSync(path).isFile() ? pathToFileURL(path).href : undefined;
  } catch {
    return undefined;
  }
}
