/**
 * Which workspace files a stack frame's path stands for. Three ways, most explicit first:
 * 1. `difyTrace.pathMappings`: the user says where a container or remote path lives here. When a
 *    mapping's prefix matches, only that mapping is used (it is explicit; nothing is guessed).
 * 2. The plugin daemon's install layout (`{author}/{name}-{version}@{checksum}/…`, see
 *    pluginPaths.ts): the workspace plugin project with that author and name, only those of the
 *    same version when there are any.
 * 3. A path that already is inside a workspace folder: a plugin run in remote-debug mode on this
 *    machine prints its own checkout paths.
 * A candidate counts only if the file exists; a path that matches nothing gives no candidate
 * rather than a guess by file name.
 */
import { isAbsolute, normalize } from 'node:path';
import type { PathMapping, SourceFrame, SourceLocation } from '../../shared/lspProtocol';
import { containedPath } from '../workspace/containedPath';
import { joinInside, type FileAccess, type PluginRoot, type WorkspaceSnapshot } from '../workspace/workspaceIndex';

export interface FrameFile {
  readonly path: string;
  readonly via: SourceLocation['via'];
}

/** Forward slashes, no trailing slash; Windows drive letters lower-cased so prefixes compare. */
function comparable(path: string): string {
  const slashed = path.replaceAll('\\', '/').replace(/\/+$/, '');
  return /^[A-Za-z]:\//.test(slashed) ? slashed[0]!.toLowerCase() + slashed.slice(1) : slashed;
}

/** The rest of `path` after `prefix` when `prefix` is a whole-segment prefix of it. */
function below(path: string, prefix: string): string | undefined {
  const p = comparable(path);
  const q = comparable(prefix);
  if (q === '') return undefined;
  if (p === q) return '';
  return p.startsWith(`${q}/`) ? p.slice(q.length + 1) : undefined;
}

/** The frame's path through the longest matching mapping, or undefined when none matches. */
export function mapPath(path: string, mappings: readonly PathMapping[]): string | undefined {
  let best: { rest: string; mapping: PathMapping } | undefined;
  for (const mapping of mappings) {
    const rest = below(path, mapping.from);
    if (rest !== undefined && (best === undefined || comparable(mapping.from).length > comparable(best.mapping.from).length)) best = { rest, mapping };
  }
  if (!best) return undefined;
  return best.rest === '' ? normalize(best.mapping.to) : joinInside(best.mapping.to, best.rest);
}

function pluginFiles(frame: SourceFrame, roots: readonly PluginRoot[], files: FileAccess): string[] {
  const plugin = frame.plugin;
  if (!plugin) return [];
  const named = roots.filter((r) => r.author === plugin.author && r.name === plugin.name);
  const sameVersion = named.filter((r) => r.version === plugin.version);
  // The same version when the workspace has it; otherwise every copy, for the user to pick.
  const candidates = sameVersion.length > 0 ? sameVersion : named;
  const paths = candidates.map((r) => joinInside(r.path, plugin.relativePath)).filter((p): p is string => p !== undefined && files.isFile(p));
  return [...new Set(paths)];
}

/** The existing workspace files a frame's path stands for, best first. */
export function frameFiles(frame: SourceFrame, workspace: WorkspaceSnapshot, mappings: readonly PathMapping[], files: FileAccess): FrameFile[] {
  const mapped = mapPath(frame.file, mappings);
  if (mapped !== undefined) return files.isFile(mapped) ? [{ path: mapped, via: 'pathMapping' }] : [];
  const fromLayout = pluginFiles(frame, workspace.pluginRoots, files).map((path): FrameFile => ({ path, via: 'pluginLayout' }));
  if (fromLayout.length > 0) return fromLayout;
  if (isAbsolute(frame.file) || /^[A-Za-z]:[\\/]/.test(frame.file)) {
    // Normalised and with symlinks resolved first: `<folder>/../../etc/passwd` is not inside the folder.
    const inside = containedPath(frame.file, workspace.folders, (p) => files.realPath(p));
    if (inside !== undefined && files.isFile(inside)) return [{ path: inside, via: 'workspacePath' }];
  }
  return [];
}
