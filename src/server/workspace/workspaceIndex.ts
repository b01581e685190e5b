/**
 * What the trace server knows of the workspace: its folders, the plugin projects in them (folders
 * with a `manifest.yaml` naming an `author` and a `name`) and the YAML files that may be exported
 * Dify app DSLs. Found by one bounded walk with node:fs (the server has no `vscode.workspace`),
 * redone when folders or watched files change. File contents are read when needed, so an edit is
 * seen at once.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPluginManifest } from '../../dify/pluginProject';

/** A plugin project in a workspace folder: the folder of its `manifest.yaml`. */
export interface PluginRoot {
  readonly author: string;
  readonly name: string;
  readonly version?: string;
  /** File system path of the folder. */
  readonly path: string;
  /** Provider YAML paths from `plugins.tools`, relative to the folder. */
  readonly toolProviders: readonly string[];
}

/** Read access to files, injectable so that the resolution logic is testable without a disk. */
export interface FileAccess {
  isFile(path: string): boolean;
  /** undefined when the file cannot be read. */
  readText(path: string): string | undefined;
  /** Changes when the file changes (mtime and size); undefined when it does not exist. */
  version(path: string): string | undefined;
  /** The path with symlinks resolved; undefined when it does not exist. */
  realPath(path: string): string | undefined;
}

export const nodeFileAccess: FileAccess = {
  isFile(path) {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  version(path) {
    try {
      const stat = statSync(path);
      return stat.isFile() ? `${stat.mtimeMs}:${stat.size}` : undefined;
    } catch {
      return undefined;
    }
  },
  realPath(path) {
    try {
      return realpathSync.native(path);
    } catch {
      return undefined;
    }
  },
};

const SKIPPED = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', '.vscode-test', 'dist', '.mypy_cache', '.pytest_cache', 'site-packages']);
const MAX_DEPTH = 5;
const MAX_DIRS = 5000;
/** App DSLs are a few hundred KiB at most; larger YAML files are data, not apps. */
const MAX_DSL_BYTES = 8 * 1024 * 1024;

export interface WorkspaceSnapshot {
  /** File system paths of the workspace folders (file: URIs only). */
  readonly folders: readonly string[];
  readonly pluginRoots: readonly PluginRoot[];
  /** `.yml` / `.yaml` files other than plugin manifests and declarations: the candidates for app DSLs. */
  readonly yamlFiles: readonly string[];
}

export function emptyWorkspace(): WorkspaceSnapshot {
  return { folders: [], pluginRoots: [], yamlFiles: [] };
}

/** Walks the given workspace folder URIs (non-file URIs are skipped). Synchronous and bounded. */
export function scanWorkspace(folderUris: readonly string[], files: FileAccess = nodeFileAccess): WorkspaceSnapshot {
  const folders = folderUris.filter((u) => u.startsWith('file:')).map((u) => trimSep(fileURLToPath(u)));
  const pluginRoots: PluginRoot[] = [];
  const yamlFiles: string[] = [];
  let budget = MAX_DIRS;
  const walk = (dir: string, depth: number, insidePlugin: boolean) => {
    if (budget-- <= 0) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    let isPlugin = false;
    if (entries.some((e) => e.isFile() && e.name === 'manifest.yaml')) {
      const manifest = readPluginManifest(files.readText(join(dir, 'manifest.yaml')) ?? '');
      // A manifest that does not parse or names no plugin is not a candidate; the others still are.
      if (manifest.ok && manifest.author && manifest.name) {
        isPlugin = true;
        pluginRoots.push({ author: manifest.author, name: manifest.name, ...(manifest.version ? { version: manifest.version } : {}), path: dir, toolProviders: manifest.toolProviders });
      }
    }
    for (const entry of entries) {
      // Plugin declarations (provider and tool YAML) are never app DSLs; skip them inside plugin projects.
      if (entry.isFile() && /\.ya?ml$/i.test(entry.name) && entry.name !== 'manifest.yaml' && !(isPlugin || insidePlugin)) {
        const path = join(dir, entry.name);
        try {
          if (statSync(path).size <= MAX_DSL_BYTES) yamlFiles.push(path);
        } catch {
          // Vanished between readdir and stat.
        }
      }
    }
    if (depth >= MAX_DEPTH) return;
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name), depth + 1, isPlugin || insidePlugin);
    }
  };
  for (const folder of folders) walk(folder, 0, false);
  return { folders, pluginRoots, yamlFiles };
}

function trimSep(path: string): string {
  return path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
}

/** A path below a folder, by path segments, refusing `..` escapes. */
export function joinInside(root: string, relativePath: string): string | undefined {
  const parts = relativePath.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..') || parts.length === 0) return undefined;
  return join(root, ...parts);
}
