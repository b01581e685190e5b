/**
 * The files of a Dify plugin project that lead from a tool to its code, read as the plugin SDK
 * reads them (langgenius/dify-plugin-sdks, src/dify_plugin/core/plugin_registration.py): the
 * `manifest.yaml` names the plugin (`author`, `name`, `version`) and lists provider YAML paths per
 * kind under `plugins` (`tools`, `models`, `endpoints`, `agent_strategies`, `datasources`,
 * `triggers`; core/entities/plugin/setup.py); a tool provider YAML has `identity.name`, `tools`
 * (tool YAML paths) and `extra.python.source`; a tool YAML has `identity.name` and
 * `extra.python.source` (entities/tool.py). Every path is relative to the plugin's root. The SDK
 * loads each tool's Python file and takes the one module-level subclass of `dify_plugin.Tool` in
 * it, whose `_invoke(self, tool_parameters)` runs the tool (core/utils/class_loader.py,
 * interfaces/tool/tool.py).
 */
import { isMap, type Document } from 'yaml';
import { describeTopLevel, pathValue, readYaml, stringList, stringValue } from './dsl/yamlFields';
import { pythonStatements, type PythonStatement } from './plugin/pythonStatements';

export type PluginManifestRead =
  | { readonly ok: true; readonly author?: string; readonly name?: string; readonly version?: string; readonly toolProviders: readonly string[] }
  | { readonly ok: false; readonly error: string };
/** A credential the provider asks for (`credentials_for_provider`); `secret` for `secret-input`. */
export interface ProviderCredential {
  readonly name: string;
  readonly secret: boolean;
  readonly required: boolean;
}
export type ToolProviderRead =
  | { readonly ok: true; readonly name?: string; readonly tools: readonly string[]; readonly pythonSource?: string; readonly credentials: readonly ProviderCredential[] }
  | { readonly ok: false; readonly error: string };
export type ToolDeclarationRead = { readonly ok: true; readonly name?: string; readonly pythonSource?: string } | { readonly ok: false; readonly error: string };

/** A class deriving from the SDK's `Tool`, with 1-based lines. */
export interface ToolClass {
  readonly className: string;
  readonly classLine: number;
  /** The `def _invoke` line (not its decorators); undefined when the class does not define it. */
  readonly invokeLine?: number;
}

/** The top-level mapping of a YAML file, or why there is none. */
function topMapping(text: string, what: string): { ok: true; top: Document.Parsed['contents'] } | { ok: false; error: string } {
  const read = readYaml(text);
  if (!read.ok) return read;
  const shape = describeTopLevel(read.doc);
  return shape === 'a mapping' ? { ok: true, top: read.doc.contents } : { ok: false, error: `not a ${what}: the file is ${shape}, not a mapping` };
}

/** `{ key: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}

/** `manifest.yaml`: the plugin's identity and its tool provider YAML paths (`plugins.tools`). */
export function readPluginManifest(text: string): PluginManifestRead {
  const read = topMapping(text, 'plugin manifest');
  if (!read.ok) return read;
  const { top } = read;
  return {
    ok: true,
    ...optional('author', stringValue(pathValue(top, 'author'))),
    ...optional('name', stringValue(pathValue(top, 'name'))),
    ...optional('version', stringValue(pathValue(top, 'version'))),
    toolProviders: stringList(pathValue(top, 'plugins', 'tools')),
  };
}

/** A tool provider YAML (e.g. `provider/weather.yaml`): its name, its tool YAML paths and its Python file. */
export function readToolProvider(text: string): ToolProviderRead {
  const read = topMapping(text, 'tool provider');
  if (!read.ok) return read;
  const { top } = read;
  return {
    ok: true,
    ...optional('name', stringValue(pathValue(top, 'identity', 'name'))),
    tools: stringList(pathValue(top, 'tools')),
    ...optional('pythonSource', stringValue(pathValue(top, 'extra', 'python', 'source'))),
    credentials: credentialsOf(pathValue(top, 'credentials_for_provider')),
  };
}

/** `credentials_for_provider`: a mapping of name → {type, required, ...} (the SDK's ProviderConfig). */
function credentialsOf(node: unknown): ProviderCredential[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) => {
    const name = stringValue(pair.key);
    if (name === undefined) return [];
    return [{ name, secret: stringValue(pathValue(pair.value, 'type')) === 'secret-input', required: stringValue(pathValue(pair.value, 'required')) === 'true' }];
  });
}

/** A tool YAML (e.g. `tools/get_weather.yaml`): the tool's name and its Python file. */
export function readToolDeclaration(text: string): ToolDeclarationRead {
  const read = topMapping(text, 'tool declaration');
  if (!read.ok) return read;
  const { top } = read;
  return {
    ok: true,
    ...optional('name', stringValue(pathValue(top, 'identity', 'name'))),
    ...optional('pythonSource', stringValue(pathValue(top, 'extra', 'python', 'source'))),
  };
}

const CLASS = /^class\s+([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)?(?:\((.*)\))?\s*:/;
const INVOKE = /^(?:async\s+)?def\s+_invoke\s*\(/;

/**
 * The module-level classes of a tool's Python file that derive from the SDK's `Tool`: a base
 * written `Tool` (unless the file imports that name from outside `dify_plugin`), an alias from
 * `from dify_plugin… import Tool as T`, `dify_plugin.Tool` or `<alias of dify_plugin>.Tool`, or
 * another such class of the same file. Classes nested in functions, classes or `if` blocks are
 * left out: the SDK only looks at module-level names. A working tool file has exactly one (the SDK
 * refuses a file with several, counting imported subclasses too). Scans statements
 * (pythonStatements.ts), so a `Tool` in a string or comment does not count.
 */
export function findToolClasses(python: string): ToolClass[] {
  const statements = pythonStatements(python);
  const isToolBase = toolBaseTest(statements);
  const classes = statements.flatMap((statement, index) => {
    const match = statement.indent === 0 ? CLASS.exec(statement.code) : null;
    return match ? [{ statement, index, name: match[1] ?? '', bases: splitBases(match[2] ?? '') }] : [];
  });
  const tools = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of classes) {
      if (!tools.has(c.name) && c.bases.some((base) => isToolBase(base) || tools.has(base))) {
        tools.add(c.name);
        grew = true;
      }
    }
  }
  return classes
    .filter((c) => tools.has(c.name))
    .map(({ statement, index, name }) => {
      const invoke = methodLine(statements, index, statement.indent, INVOKE);
      return { className: name, classLine: statement.line, ...(invoke === undefined ? {} : { invokeLine: invoke }) };
    });
}

/** The base class expressions of a class header, without keyword arguments (`metaclass=…`) and subscripts. */
function splitBases(list: string): string[] {
  const bases: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of `${list},`) {
    if (ch === ',' && depth === 0) {
      const base = current.trim().replace(/\[.*$/, '').replace(/\s+/g, '');
      if (base !== '' && !base.includes('=')) bases.push(base);
      current = '';
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    current += ch;
  }
  return bases;
}

/** Which base expressions name `dify_plugin`'s `Tool`, given the file's imports (anywhere in it). */
function toolBaseTest(statements: readonly PythonStatement[]): (base: string) => boolean {
  const names = new Set<string>();
  const modules = new Set<string>(['dify_plugin']);
  let toolFromElsewhere = false;
  for (const { code } of statements) {
    const from = /^from\s+([\w.]+)\s+import\s+\(?([^)]*)\)?$/.exec(code);
    if (from) {
      const sdk = /^dify_plugin(\.|$)/.test(from[1] ?? '');
      for (const item of (from[2] ?? '').split(',')) {
        const imported = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(item);
        if (imported?.[1] !== 'Tool') continue;
        if (sdk) names.add(imported[2] ?? 'Tool');
        else if ((imported[2] ?? 'Tool') === 'Tool') toolFromElsewhere = true;
      }
      continue;
    }
    const plain = /^import\s+(.+)$/.exec(code);
    for (const item of plain?.[1]?.split(',') ?? []) {
      const imported = /^\s*(dify_plugin(?:\.[\w.]+)?)(?:\s+as\s+(\w+))?\s*$/.exec(item);
      if (imported) modules.add(imported[2] ?? imported[1] ?? 'dify_plugin');
    }
  }
  if (!toolFromElsewhere) names.add('Tool');
  return (base) => names.has(base) || [...modules].some((module) => base === `${module}.Tool`) || /^dify_plugin(\.\w+)*\.Tool$/.test(base);
}

/** The line of the first statement matching `header` directly in the body of the class at `classIndex`. */
function methodLine(statements: readonly PythonStatement[], classIndex: number, classIndent: number, header: RegExp): number | undefined {
  let bodyIndent: number | undefined;
  for (let i = classIndex + 1; i < statements.length; i++) {
    const statement = statements[i];
    if (!statement || statement.indent <= classIndent) break;
    bodyIndent ??= statement.indent;
    if (statement.indent === bodyIndent && header.test(statement.code)) return statement.line;
  }
  return undefined;
}
