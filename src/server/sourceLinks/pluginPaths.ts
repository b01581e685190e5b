/**
 * Paths in a plugin's Python traceback back to the plugin: the daemon runs each installed plugin in
 * PLUGIN_WORKING_PATH/{author}/{name}-{version}@{checksum} (langgenius/dify-plugin-daemon
 * internal/core/local_runtime/constructor.go buildPluginWorkingPath: the identity `author/name:version`
 * with ':' replaced by '-'), with its venv in `.venv/` inside; Dify's docker compose puts that under
 * /app/storage/cwd. Files below the working dir map 1:1 to the plugin project root.
 */

export interface PluginIdentity {
  readonly author: string;
  readonly name: string;
  readonly version: string;
}

export interface PluginFileLocation {
  readonly pluginIdentity: PluginIdentity;
  /** SHA-256 hex of the package as the daemon names the directory. */
  readonly checksum: string;
  /** The working directory with '/' separators, as far as the path shows it. */
  readonly workingDir: string;
  /** Path below the working directory with '/' separators, e.g. `tools/get_weather.py`. */
  readonly relativePath: string;
  /** False when the file is the plugin's dependencies (its `.venv/`, site-packages), not its source. */
  readonly isUserCode: boolean;
}

/** manifest `author` (plugin_entities AuthorRegex; older daemons also allow upper case). */
const AUTHOR = /^[A-Za-z0-9_-]{1,64}$/;
/**
 * `{name}-{version}@{checksum}`. Names may contain '-', so the version anchors the split: manifest_entities
 * PluginDeclarationVersionRegex `\d{1,4}(\.\d{1,4}){1,3}(-\w{1,16})?` (exactly three parts in some releases).
 */
const PLUGIN_DIR = /^([A-Za-z0-9_-]{1,128})-(\d{1,4}(?:\.\d{1,4}){1,3}(?:-\w{1,16})?)@([0-9a-f]{1,64})$/;

/** Forward slashes only, so Windows paths and POSIX paths go through the same rules. */
export function normalisePath(path: string): string {
  return path.replaceAll('\\', '/');
}

/** The installed plugin a traceback path belongs to, or undefined when the path is not under the daemon's layout. */
export function locatePluginFile(path: string): PluginFileLocation | undefined {
  const segments = normalisePath(path).split('/');
  // The rightmost match: the working path itself is configuration and could in theory look like one.
  for (let i = segments.length - 2; i >= 1; i--) {
    const dir = PLUGIN_DIR.exec(segments[i] ?? '');
    const author = segments[i - 1] ?? '';
    if (!dir || !AUTHOR.test(author)) continue;
    const [, name = '', version = '', checksum = ''] = dir;
    const relativePath = segments.slice(i + 1).join('/');
    if (relativePath === '') return undefined;
    return {
      pluginIdentity: { author, name, version },
      checksum,
      workingDir: segments.slice(0, i + 1).join('/'),
      relativePath,
      isUserCode: isPythonUserCode(relativePath),
    };
  }
  return undefined;
}

/**
 * Python frames that are never the user's: the plugin's venv and any installed package (incl. the
 * dify_plugin SDK), the interpreter's stdlib (POSIX `lib/pythonX.Y/`, Windows `PythonXY/Lib/`, frozen
 * modules), and dify-sandbox's prescript that exec()s the Code node's runner
 * (langgenius/dify-sandbox internal/core/runner/python: /var/sandbox/sandbox-python/tmp/{uuid}.py).
 */
const LIBRARY_PATTERNS: readonly RegExp[] = [
  /^<frozen /,
  /(^|\/)\.?venv\//,
  /(^|\/)(site|dist)-packages\//,
  /(^|\/)dify_plugin\//,
  /(^|\/)lib\/python\d+(\.\d+)?t?\//i,
  /(^|\/)python\d+\/lib\//i,
  /^\/var\/sandbox\//,
];

export function isPythonUserCode(path: string): boolean {
  const normalised = normalisePath(path);
  return !LIBRARY_PATTERNS.some((pattern) => pattern.test(normalised));
}
