import { posix, win32 } from 'node:path';

/** A path's real location, symlinks resolved; undefined when it does not exist. Injectable for tests. */
export type RealPath = (path: string) => string | undefined;

const isWindowsPath = (path: string): boolean => /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');

/**
 * The path, normalised and with symlinks resolved, when it lies inside one of the folders (also
 * resolved); undefined otherwise. Paths in traces are data: `<folder>/../../etc/passwd` or a symlink
 * out of the workspace must not open. POSIX and Windows rules alike (drive letters and case on
 * Windows), whatever the platform the trace server runs on.
 */
export function containedPath(path: string, folders: readonly string[], realPath: RealPath): string | undefined {
  const style = isWindowsPath(path) ? win32 : posix;
  if (!style.isAbsolute(path)) return undefined;
  const normalised = style.normalize(path);
  const real = realPath(normalised) ?? normalised;
  for (const folder of folders) {
    if (isWindowsPath(folder) !== (style === win32)) continue;
    const root = realPath(style.normalize(folder)) ?? style.normalize(folder);
    const compare = (p: string): string => (style === win32 ? p.toLowerCase() : p);
    const relative = style.relative(compare(root), compare(real));
    if (relative === '' || (!relative.startsWith('..') && !style.isAbsolute(relative))) return real;
  }
  return undefined;
}
