/**
 * Reading Dify's YAML files (app DSL, plugin manifest, provider and tool declarations) with the
 * `yaml` package, which keeps every node's source offsets. Dify and the plugin SDK read these files
 * with PyYAML's `safe_load` (langgenius/dify api/services/app_dsl_service.py `import_app`;
 * langgenius/dify-plugin-sdks src/dify_plugin/core/utils/yaml_loader.py), that is YAML 1.1:
 * so the documents are parsed as YAML 1.1 (a plain `1e3` is a string there, not a number), and a
 * repeated key is allowed with the last one winning, as in PyYAML.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';

export type YamlRead = { readonly ok: true; readonly doc: Document.Parsed; readonly lines: LineCounter } | { readonly ok: false; readonly error: string };

/** Parses one YAML document; the error names the first problem with its line and column. */
export function readYaml(text: string): YamlRead {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', keepSourceTokens: true, lineCounter: lines, uniqueKeys: false, prettyErrors: true });
  const [first] = doc.errors;
  if (first) return { ok: false, error: `invalid YAML: ${(first.message.split('\n')[0] ?? first.code).replace(/:$/, '')}` };
  return { ok: true, doc, lines };
}

/** What the top level of a document is, for error messages. */
export function describeTopLevel(doc: Document.Parsed): 'a mapping' | 'a sequence' | 'a scalar' | 'empty' {
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return 'empty';
  return isMap(top) ? 'a mapping' : isSeq(top) ? 'a sequence' : 'a scalar';
}

/** The value of `key` in a mapping node (the last one when the key repeats, as PyYAML reads it); undefined for anything else. */
export function mapValue(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined;
  for (let i = node.items.length - 1; i >= 0; i--) {
    const pair = node.items[i];
    if (pair && isScalar(pair.key) && stringValue(pair.key) === key) return pair.value ?? undefined;
  }
  return undefined;
}

/** `mapValue` along a path of keys. */
export function pathValue(node: unknown, ...keys: readonly string[]): unknown {
  return keys.reduce<unknown>((current, key) => mapValue(current, key), node);
}

/**
 * A scalar as a string: a string value as it is, a plain number, boolean or date as written (a
 * node id `1747900000401` or a `version: 1.0` that someone typed without quotes); undefined for
 * null, collections and aliases.
 */
export function stringValue(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  if (typeof node.value === 'string') return node.value;
  return typeof node.source === 'string' ? node.source : undefined;
}

/** The string items of a sequence node; other items are skipped. */
export function stringList(node: unknown): string[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) => {
    const value = stringValue(item);
    return value === undefined ? [] : [value];
  });
}
