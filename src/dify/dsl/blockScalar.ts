/**
 * Decodes a literal (`|`) or folded (`>`) block scalar (YAML 1.2 §8.1, as YAML 1.1 and PyYAML
 * read them), keeping for each decoded character the source it came from. Dify never writes block
 * scalars (PyYAML's `yaml.dump` picks quoted styles for multi-line strings; langgenius/dify
 * api/services/app_dsl_service.py), but a hand-edited DSL usually has `code: |`.
 *
 * Header: indicator, then an indentation indicator (1-9) and a chomping indicator (`-` strip,
 * `+` keep, none clip) in either order, then an optional comment. Content lines are indented by
 * n = the parent node's indentation + the indicator, or else by the indentation of the first
 * line that is not only spaces; lines of at most n spaces are empty lines. Literal keeps every
 * line break. Folded joins two adjacent "text" lines (their content starts with neither a space
 * nor a tab) with a space, turns the break before k ≥ 1 empty lines between two text lines into k
 * line feeds, and keeps every break around a "more-indented" line.
 */
import { breakLength, DecodedTextBuilder, type DecodedText } from './decodedText';

type Chomping = 'strip' | 'clip' | 'keep';

interface SourceLine {
  readonly start: number;
  /** End of the line's text, before its break. */
  readonly end: number;
  /** End of its line break; `end` when the source ends without one. */
  readonly breakEnd: number;
}

interface BodyLine extends SourceLine {
  /** Where the content starts (after n spaces); undefined for an empty line. */
  readonly content?: number;
}

export interface DecodedBlockScalar extends DecodedText {
  readonly style: 'literal' | 'folded';
  /** n: the indentation of the content lines. */
  readonly indent: number;
}

const HEADER = /^([|>])(?:([1-9])([-+])?|([-+])([1-9])?)?[ \t]*(?:#[^\r\n]*)?(?=\r?\n|$)/;

/** `source` runs from the header indicator to the end of the scalar; `parentIndent` is the indentation of the collection holding it. Undefined when it is not a block scalar this decoder reads the way YAML does. */
export function decodeBlockScalar(source: string, parentIndent: number): DecodedBlockScalar | undefined {
  const header = HEADER.exec(source);
  if (!header) return undefined;
  const style = header[1] === '|' ? 'literal' : 'folded';
  const indicator = header[2] ?? header[5];
  const chompChar = header[3] ?? header[4];
  const chomping: Chomping = chompChar === '-' ? 'strip' : chompChar === '+' ? 'keep' : 'clip';
  const raw = sourceLines(source, header[0].length + breakLength(source, header[0].length));
  const indent = indicator === undefined ? detectIndent(source, raw) : parentIndent + Number(indicator);
  if (indent === undefined) return undefined;
  const lines: BodyLine[] = [];
  for (const line of raw) {
    const text = source.slice(line.start, line.end);
    const spaces = /^ */.exec(text)?.[0].length ?? 0;
    if (spaces === text.length && spaces <= indent) lines.push(line);
    else if (spaces >= indent) lines.push({ ...line, content: line.start + indent });
    else break; // less indented: not part of the scalar
  }
  const out = new DecodedTextBuilder();
  const feed = (line: SourceLine): void => {
    if (line.breakEnd > line.end) out.push('\n', line.end, line.breakEnd);
  };
  const isText = (line: BodyLine): boolean => line.content !== undefined && !/^[ \t]/.test(source.slice(line.content, line.end));
  let previous: BodyLine | undefined;
  let empties: BodyLine[] = [];
  for (const line of lines) {
    if (line.content === undefined) {
      empties.push(line);
      continue;
    }
    if (previous === undefined) empties.forEach(feed);
    else if (style === 'folded' && isText(previous) && isText(line)) {
      if (empties.length === 0) out.push(' ', previous.end, previous.breakEnd);
      else empties.forEach(feed);
    } else {
      feed(previous);
      empties.forEach(feed);
    }
    out.copy(source, line.content, line.end);
    previous = line;
    empties = [];
  }
  if (previous !== undefined && chomping !== 'strip') feed(previous);
  if (chomping === 'keep') empties.forEach(feed);
  return { ...out.take(), style, indent };
}

function sourceLines(source: string, from: number): SourceLine[] {
  const lines: SourceLine[] = [];
  let start = from;
  while (start < source.length) {
    let end = start;
    while (end < source.length && breakLength(source, end) === 0) end++;
    const breakEnd = end + breakLength(source, end);
    lines.push({ start, end, breakEnd });
    start = breakEnd;
  }
  return lines;
}

/** Auto-detected indentation (§8.1.1.1): that of the first line with more than spaces on it. */
function detectIndent(source: string, lines: readonly SourceLine[]): number | undefined {
  for (const line of lines) {
    const text = source.slice(line.start, line.end);
    const spaces = /^ */.exec(text)?.[0].length ?? 0;
    if (spaces < text.length) return spaces;
  }
  return Math.max(0, ...lines.map((l) => l.end - l.start));
}
