/**
 * Decodes the content of a plain, single-quoted or double-quoted YAML scalar (YAML 1.2 §7.3, the
 * same rules as YAML 1.1 for everything PyYAML writes), keeping for each decoded character the
 * source it came from. Dify exports a Code node's code with PyYAML's `yaml.dump` defaults
 * (langgenius/dify api/services/app_dsl_service.py, `export_dsl`), which writes code with indented
 * lines as a double-quoted scalar: `\n` escapes, long lines folded at ~80 columns with a trailing
 * `\` (escaped line break) and a leading `\ ` where the continuation starts with a space; code
 * without indented lines comes out single-quoted, its line feeds written as empty lines.
 *
 * Line folding (§6.5): an unescaped line break drops the white space before it and the indentation
 * after it, and becomes a space, or one line feed per empty line that follows it. An escaped line
 * break (`\` at the end of a line) becomes nothing, keeps the white space before it, and empty
 * lines after it each become a line feed (§7.3.1, production 112).
 */
import { breakLength, DecodedTextBuilder, type DecodedText } from './decodedText';

export type FlowScalarStyle = 'plain' | 'single-quoted' | 'double-quoted';

/** YAML's one-character escapes (§5.7), including `\<TAB>` and `\/`. */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

const isWhite = (ch: string | undefined): boolean => ch === ' ' || ch === '\t';

/**
 * Decodes `source[start..end)`: for quoted styles the text between the quotes, for plain the
 * scalar itself. Also decodes any part of such a scalar that starts and ends outside an escape.
 * Undefined for an invalid escape.
 */
export function decodeFlowContent(style: FlowScalarStyle, source: string, start: number, end: number): DecodedText | undefined {
  const out = new DecodedTextBuilder();
  // White space is held back until something other than a line break follows it (folding drops it).
  let pending: { start: number; end: number } | undefined;
  const flush = (): void => {
    if (pending) out.copy(source, pending.start, pending.end);
    pending = undefined;
  };
  /** Skips the white space of each empty line from `i` on, pushing a line feed for each; returns where the next non-empty line's content starts. */
  const emptyLines = (i: number): number => {
    for (;;) {
      let j = i;
      while (j < end && isWhite(source[j])) j++;
      const br = j < end ? breakLength(source, j) : 0;
      if (br === 0) return j;
      out.push('\n', j, j + br);
      i = j + br;
    }
  };
  let i = start;
  while (i < end) {
    const ch = source[i] ?? '';
    const br = breakLength(source, i);
    if (br > 0) {
      pending = undefined;
      const afterBreak = i + br;
      const before = out.length;
      const next = emptyLines(afterBreak);
      if (out.length === before) out.push(' ', i, afterBreak);
      i = next;
    } else if (isWhite(ch)) {
      pending = { start: pending?.start ?? i, end: i + 1 };
      i += 1;
    } else if (style === 'double-quoted' && ch === '\\') {
      flush();
      const escaped = decodeEscape(source, i, end, out);
      if (escaped === undefined) return undefined;
      i = escaped.escapedBreak ? emptyLines(escaped.next) : escaped.next;
    } else if (style === 'single-quoted' && ch === "'" && source[i + 1] === "'") {
      flush();
      out.push("'", i, i + 2);
      i += 2;
    } else {
      flush();
      out.push(ch, i, i + 1);
      i += 1;
    }
  }
  flush();
  return out.take();
}

/** Pushes the escape at `source[i]` (a backslash); an escaped line break pushes nothing. */
function decodeEscape(source: string, i: number, end: number, out: DecodedTextBuilder): { next: number; escapedBreak: boolean } | undefined {
  const br = breakLength(source, i + 1);
  if (br > 0) return { next: i + 1 + br, escapedBreak: true };
  const code = source[i + 1] ?? '';
  const simple = ESCAPES[code];
  if (simple !== undefined) {
    out.push(simple, i, i + 2);
    return { next: i + 2, escapedBreak: false };
  }
  const length = HEX_ESCAPE_LENGTH[code];
  const hex = length === undefined ? '' : source.slice(i + 2, i + 2 + length);
  if (length === undefined || i + 2 + length > end || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) return undefined;
  const point = Number.parseInt(hex, 16);
  if (point > 0x10ffff) return undefined;
  out.push(String.fromCodePoint(point), i, i + 2 + length);
  return { next: i + 2 + length, escapedBreak: false };
}
