/**
 * Reads the data literals that log lines and error texts embed: JSON (what the plugin daemon's Go
 * encoding/json writes) and Python reprs (what `logger.error("… %s", obj)` writes for a dict), one
 * tolerant recursive-descent reader for both. Stack traces survive inside them only as escaped string
 * values; decoding the literal, not pattern-matching the escaped text, is what recovers them intact.
 */

export interface EmbeddedLiteral {
  readonly value: unknown;
  readonly start: number;
  readonly end: number;
}

/** Below this many characters an object cannot hold a stack trace worth finding. */
const MIN_LITERAL = 2;

/** Every top-level `{…}` / `[…]` literal in the text that reads completely, left to right. */
export function findEmbeddedLiterals(text: string): EmbeddedLiteral[] {
  const found: EmbeddedLiteral[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '{' && ch !== '[') continue;
    const read = readLiteral(text, i);
    if (read && read.end - i >= MIN_LITERAL) {
      found.push({ value: read.value, start: i, end: read.end });
      i = read.end - 1;
    }
  }
  return found;
}

interface Read {
  readonly value: unknown;
  readonly end: number;
}

const KEYWORDS: ReadonlyArray<readonly [string, unknown]> = [
  ['null', null], ['None', null], ['true', true], ['True', true], ['false', false], ['False', false],
];
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', a: '\x07', '0': '\0', '/': '/', '\\': '\\', "'": "'", '"': '"',
};

/** Nesting beyond this is not a log payload; stopping keeps hostile text from overflowing the stack. */
const MAX_NESTING = 64;

/** Reads one literal starting at `at` (after blanks); undefined when the text there is not one. */
export function readLiteral(text: string, at: number, nesting = 0): Read | undefined {
  const i = skipBlanks(text, at);
  const ch = text[i];
  if (ch === '{' || ch === '[' || ch === '(') return nesting < MAX_NESTING ? readContainer(text, i, nesting + 1) : undefined;
  if (ch === "'" || ch === '"') return readString(text, i);
  for (const [word, value] of KEYWORDS) if (text.startsWith(word, i)) return { value, end: i + word.length };
  NUMBER.lastIndex = i;
  const number = NUMBER.exec(text);
  return number ? { value: Number(number[0]), end: i + number[0].length } : undefined;
}

/** Objects become records (keys as strings), lists and Python tuples arrays; trailing commas are Python's. */
function readContainer(text: string, start: number, nesting: number): Read | undefined {
  const isObject = text[start] === '{';
  const close = isObject ? '}' : text[start] === '[' ? ']' : ')';
  const entries: Array<[string, unknown]> = [];
  const items: unknown[] = [];
  let i = skipBlanks(text, start + 1);
  while (text[i] !== close) {
    const first = readLiteral(text, i, nesting);
    if (!first) return undefined;
    i = skipBlanks(text, first.end);
    if (isObject) {
      if (text[i] !== ':') return undefined;
      const value = readLiteral(text, i + 1, nesting);
      if (!value) return undefined;
      entries.push([String(first.value), value.value]);
      i = skipBlanks(text, value.end);
    } else {
      items.push(first.value);
    }
    if (text[i] === ',') i = skipBlanks(text, i + 1);
    else if (text[i] !== close) return undefined;
  }
  return { value: isObject ? Object.fromEntries(entries) : items, end: i + 1 };
}

/** JSON and Python escapes (\n, \", \', \\, \xHH, \uXXXX incl. surrogate pairs, \UXXXXXXXX); others kept as written, as Python does. */
function readString(text: string, start: number): Read | undefined {
  const quote = text[start];
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === quote) return { value: out, end: i + 1 };
    if (ch === '\n') return undefined; // neither dialect lets a raw newline into a one-quoted string
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[++i] ?? '';
    const width = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = text.slice(i + 1, i + 1 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return undefined;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return undefined;
      out += next === 'U' ? String.fromCodePoint(code) : String.fromCharCode(code);
      i += width;
    } else {
      out += SIMPLE_ESCAPES[next] ?? `\\${next}`;
    }
  }
  return undefined;
}

function skipBlanks(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}
