/**
 * A Dify app DSL file (the YAML "Export DSL" writes) with source positions: its nodes, where each
 * sits in the file, and for a Code node where each line of its code is, so that "Go to Source"
 * from a failing Code node lands on the line the sandbox's traceback names.
 *
 * Shape (langgenius/dify api/services/app_dsl_service.py, `export_dsl`): top level `version`,
 * `kind: app`, `app` {name, mode, ...}; workflow and advanced-chat apps add `workflow.graph.nodes[]`,
 * each `{id, data: {type, title, ...}, parentId?, ...}` (nodes inside iterations and loops are in
 * the same flat list); chat, agent-chat and completion apps carry `model_config` instead, and are
 * read here as an app without nodes. Code node data: `code`, `code_language` (`python3` |
 * `javascript`); tool node data: `provider_id` (`author/plugin/provider` for plugins),
 * `provider_name`, `provider_type`, `tool_name`, `tool_label`, `plugin_unique_identifier`
 * (`author/plugin:version@sha256`) (graphon/nodes/tool/entities.py ToolNodeData).
 */
import { isMap, isScalar, isSeq, type LineCounter, type Scalar } from 'yaml';
import { decodeBlockScalar } from './blockScalar';
import type { DecodedText } from './decodedText';
import { decodeFlowContent } from './flowScalar';
import { describeTopLevel, mapValue, pathValue, readYaml, stringValue } from './yamlFields';

/** 0-based line and UTF-16 character, as in LSP and VS Code (`\n` and `\r\n` end a line). */
export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface TextRange {
  readonly start: Position;
  readonly end: Position;
}

export type ScalarStyle = 'plain' | 'single-quoted' | 'double-quoted' | 'literal' | 'folded';

/** A Code node's code: its text and what it takes to find each of its lines in the file. JSON-safe. */
export interface DslCode {
  /** `code_language`: `python3` or `javascript`. */
  readonly language?: string;
  /** The code as the `yaml` package reads it: what Dify hands to the sandbox. */
  readonly text: string;
  readonly style: ScalarStyle;
  /** The scalar as written in the file, from its opening quote or block header to its end. */
  readonly source: string;
  /** Where `source` starts in the file. */
  readonly start: Position;
  /** For block scalars: the indentation of the mapping holding `code` (an indentation indicator counts from it). */
  readonly parentIndent: number;
}

export interface DslToolRef {
  readonly providerId?: string;
  readonly providerName?: string;
  readonly providerType?: string;
  readonly toolName?: string;
  readonly toolLabel?: string;
  readonly pluginUniqueIdentifier?: string;
}

export interface DslNode {
  readonly id: string;
  readonly title?: string;
  readonly type?: string;
  /** The iteration or loop node this node runs inside. */
  readonly parentId?: string;
  /** The node's item in `workflow.graph.nodes`, from its first key (after `- `) to the end of its last value. */
  readonly range: TextRange;
  /** Code nodes (`data.type: code` with a string `data.code`). */
  readonly code?: DslCode;
  /** Tool nodes (`data.type: tool`). */
  readonly tool?: DslToolRef;
}

export interface DifyDsl {
  readonly appName?: string;
  /** `workflow`, `advanced-chat`, `chat`, `agent-chat` or `completion`. */
  readonly appMode?: string;
  /** The DSL format's `version` (e.g. `0.6.0`). */
  readonly dslVersion?: string;
  /** Every node item with an id, in file order (duplicates included). */
  readonly nodes: readonly DslNode[];
  /** Ids that more than one node item has, each once. */
  readonly duplicateNodeIds: readonly string[];
}

export type DslParse = { readonly ok: true; readonly dsl: DifyDsl } | { readonly ok: false; readonly error: string };

// The first line may carry a byte order mark (an editor's UTF-8 "with BOM").
const KIND_APP_LINE = /^\uFEFF?kind:[ \t]*(["']?)app\1[ \t]*(?:#.*)?\r?$/m;
const APP_LINE = /^\uFEFF?app:[ \t]*(?:#.*)?\r?$/m;

/**
 * A cheap test before `parseDifyDsl`: an unindented `kind: app` line and an unindented `app:`
 * line, as every export has (PyYAML sorts the keys, so `kind` can follow a long `dependencies`
 * list). A DSL written as flow YAML or JSON is not recognised.
 */
export function looksLikeDifyDsl(text: string): boolean {
  return KIND_APP_LINE.test(text) && APP_LINE.test(text);
}

/** Reads a Dify app DSL. Never throws: a YAML error (with its line), or a file that is not an app DSL, is an `ok: false` with a sentence saying so. */
export function parseDifyDsl(text: string): DslParse {
  const read = readYaml(text);
  if (!read.ok) return read;
  const top = read.doc.contents;
  if (!isMap(top)) return { ok: false, error: `not a Dify app DSL: the file is ${describeTopLevel(read.doc)}, not a mapping` };
  const kind = stringValue(mapValue(top, 'kind'));
  if (kind !== 'app') return { ok: false, error: kind === undefined ? 'not a Dify app DSL (no `kind: app`)' : `not a Dify app DSL (\`kind: ${kind}\`, not \`kind: app\`)` };
  const nodes = readNodes(pathValue(top, 'workflow', 'graph', 'nodes'), text, read.lines);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const node of nodes) (seen.has(node.id) ? duplicates : seen).add(node.id);
  return {
    ok: true,
    dsl: {
      ...optional('appName', stringValue(pathValue(top, 'app', 'name'))),
      ...optional('appMode', stringValue(pathValue(top, 'app', 'mode'))),
      ...optional('dslVersion', stringValue(mapValue(top, 'version'))),
      nodes,
      duplicateNodeIds: [...duplicates],
    },
  };
}

function readNodes(list: unknown, text: string, lines: LineCounter): DslNode[] {
  if (!isSeq(list)) return [];
  const nodes: DslNode[] = [];
  for (const item of list.items) {
    const id = stringValue(mapValue(item, 'id'));
    if (id === undefined || !isMap(item) || !item.range) continue;
    const data = mapValue(item, 'data');
    const type = stringValue(mapValue(data, 'type'));
    const code = type === 'code' ? readCode(data, text, lines) : undefined;
    const tool = type === 'tool' ? readTool(data) : undefined;
    nodes.push({
      id,
      ...optional('title', stringValue(mapValue(data, 'title'))),
      ...optional('type', type),
      ...optional('parentId', stringValue(mapValue(item, 'parentId'))),
      range: { start: position(lines, item.range[0]), end: position(lines, trimEnd(text, item.range[0], item.range[1])) },
      ...optional('code', code),
      ...optional('tool', tool),
    });
  }
  return nodes;
}

const STYLES: Readonly<Record<Scalar.Type, ScalarStyle>> = {
  PLAIN: 'plain', QUOTE_SINGLE: 'single-quoted', QUOTE_DOUBLE: 'double-quoted', BLOCK_LITERAL: 'literal', BLOCK_FOLDED: 'folded',
};

function readCode(data: unknown, text: string, lines: LineCounter): DslCode | undefined {
  const node = mapValue(data, 'code');
  const token = isScalar(node) ? node.srcToken : undefined;
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range || node.type === undefined || !token || !('indent' in token)) return undefined;
  // The token starts at the quote or block header, after any tag or anchor; the range ends after the closing quote or the block's last line.
  const start = token.offset;
  return {
    ...optional('language', stringValue(mapValue(data, 'code_language'))),
    text: node.value,
    style: STYLES[node.type],
    source: text.slice(start, node.range[1]),
    start: position(lines, start),
    parentIndent: token.indent,
  };
}

function readTool(data: unknown): DslToolRef {
  const field = (key: string): string | undefined => stringValue(mapValue(data, key));
  return {
    ...optional('providerId', field('provider_id')),
    ...optional('providerName', field('provider_name')),
    ...optional('providerType', field('provider_type')),
    ...optional('toolName', field('tool_name')),
    ...optional('toolLabel', field('tool_label')),
    ...optional('pluginUniqueIdentifier', field('plugin_unique_identifier')),
  };
}

function position(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line: line - 1, character: col - 1 };
}

/** The end of a node's range without the line breaks and blank lines the `yaml` package counts into it. */
function trimEnd(text: string, start: number, end: number): number {
  let i = end;
  while (i > start && /\s/.test(text[i - 1] ?? '')) i--;
  return i;
}

/** `{ key: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** Python's and JavaScript's indentation white space: what "the line's first non-blank character" skips. */
const BLANK = new Set([' ', '\t', '\f']);
const decodedCodes = new WeakMap<DslCode, DecodedText | null>();

/**
 * The range in the DSL file of 1-based line `userLine` of a Code node's code (as the sandbox
 * numbers it: the code split at `\n`; a trailing `\n` leaves an empty last line): from that line's
 * first non-blank character to the end of its text, spanning several file lines where the YAML
 * style folded it. A blank line gives an empty range where its text ends. Undefined when the code
 * has fewer lines. `exact: false` (the range is the scalar's first character) only when the
 * decoded source differs from the `yaml` package's text, which it does where that package departs
 * from the YAML spec (yaml 2.9: an escaped line break followed by an empty line inside double
 * quotes reads as a space, not a line feed) — never for what PyYAML writes.
 */
export function codeLineRange(code: DslCode, userLine: number): { readonly range: TextRange; readonly exact: boolean } | undefined {
  const text = code.text;
  if (!Number.isInteger(userLine) || userLine < 1) return undefined;
  let lineStart = 0;
  for (let n = 1; n < userLine; n++) {
    const next = text.indexOf('\n', lineStart);
    if (next === -1) return undefined;
    lineStart = next + 1;
  }
  const decoded = decodeCode(code);
  if (!decoded) return { range: { start: code.start, end: code.start }, exact: false };
  const terminator = text.indexOf('\n', lineStart);
  const lineEnd = terminator === -1 ? text.length : terminator;
  let first = lineStart;
  while (first < lineEnd && BLANK.has(text[first] ?? '')) first++;
  let from: number;
  let to: number;
  if (first < lineEnd) [from, to] = [decoded.from[first] ?? 0, decoded.to[lineEnd - 1] ?? 0];
  else if (lineEnd > lineStart) from = to = decoded.to[lineEnd - 1] ?? 0; // only blanks: where they end
  else if (terminator !== -1) from = to = decoded.from[terminator] ?? 0; // empty: where its line feed is written
  else from = to = lineStart > 0 ? (decoded.to[lineStart - 1] ?? 0) : 0; // empty last line: after the last line feed
  return { range: { start: sourcePosition(code, from), end: sourcePosition(code, to) }, exact: true };
}

/** The code decoded from its source with each character's source span, when that gives exactly `code.text`. */
function decodeCode(code: DslCode): DecodedText | undefined {
  let decoded = decodedCodes.get(code);
  if (decoded === undefined) {
    const { style, source } = code;
    const result =
      style === 'literal' || style === 'folded' ? decodeBlockScalar(source, code.parentIndent)
      : style === 'plain' ? decodeFlowContent(style, source, 0, source.length)
      : decodeFlowContent(style, source, 1, source.length - 1);
    decoded = result?.value === code.text ? result : null;
    decodedCodes.set(code, decoded);
  }
  return decoded ?? undefined;
}

/** The file position of `offset` in `code.source`. */
function sourcePosition(code: DslCode, offset: number): Position {
  const before = code.source.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  let line = code.start.line;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return lastBreak === -1 ? { line, character: code.start.character + offset } : { line, character: offset - lastBreak - 1 };
}
