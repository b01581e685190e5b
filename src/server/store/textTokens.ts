/**
 * The tokens the keyword index is built from and queried with, one scanner for both sides so that
 * they cannot disagree. A token is a run of letters and digits, lower-cased; Chinese and Japanese
 * text has no spaces, so each Han or Kana character is a token and so is each pair of adjacent ones.
 * Escapes inside JSON and Python reprs (`\n`, `\u4e2d`), which is how Dify writes node inputs,
 * outputs and prompts into attributes, are read as the characters they stand for.
 *
 * Tokens are handed over as a 32-bit FNV-1a hash of their characters (no string is allocated per
 * token); words (letters only, 2 to 32 characters, no escapes) also as their position in the source,
 * so the index can keep a vocabulary of words for matching inside words.
 */

/** What a token is, for the vocabulary: a word it keeps, letters it cannot keep, or anything else. */
export const TokenKind = {
  /** Digits in it, a single letter, a Han or Kana character or pair. */
  other: 0,
  /** Letters only, 2 to 32 of them, written as is: `source.slice(start, end)` lower-cased. */
  word: 1,
  /** Letters only, 2 or more, but longer than a word or written with a `\u` escape. */
  unlistedLetters: 2,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface TokenSink {
  token(hash: number, kind: TokenKind, source: string, start: number, end: number): void;
}

const separator = 1;
const letter = 2;
const digit = 3;
const cjk = 4;
/** Character class per UTF-16 code unit, filled on first sight; 0 = not looked up yet. */
const classes = new Uint8Array(65536);
const lower = new Uint16Array(65536);
const letterPattern = /^[\p{L}\p{M}]$/u;
const digitPattern = /^\p{N}$/u;
const cjkPattern = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;

function classify(c: number): number {
  const known = classes[c]!;
  if (known !== 0) return known;
  const ch = String.fromCharCode(c);
  // Surrogate halves (emoji, rare scripts) are separators: searching them is not worth the cost.
  const cls = c >= 0xd800 && c <= 0xdfff ? separator : cjkPattern.test(ch) ? cjk : letterPattern.test(ch) ? letter : digitPattern.test(ch) ? digit : separator;
  classes[c] = cls;
  lower[c] = ch.toLowerCase().charCodeAt(0);
  return cls;
}
for (let c = 0; c < 128; c++) classify(c);

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;
/** Longest word kept in the vocabulary; longer letter runs are still tokens, matched whole. */
const maxWordLength = 32;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** The code unit of the `\uXXXX` escape whose backslash is at `i` (four characters must follow the `u`), or -1. */
function unicodeEscape(text: string, i: number): number {
  let value = 0;
  for (let k = i + 2; k < i + 6; k++) {
    const h = hexValue(text.charCodeAt(k));
    if (h < 0) return -1;
    value = value * 16 + h;
  }
  return value;
}

/** Characters that follow a backslash in JSON and Python escapes; `\u` is decoded separately. */
const escapeLetters = new Set([...'ntrbf"\'\\/'].map((ch) => ch.charCodeAt(0)));

/** Scans `text` and hands every token to `sink`, in order (repeats included). */
export function scanTokens(text: string, sink: TokenSink): void {
  let hash = fnvOffset;
  let length = 0;
  let start = 0;
  let onlyLetters = true;
  let escaped = false;
  let previousCjk = -1;
  const end = (at: number): void => {
    if (length > 0) {
      const kind = !onlyLetters || length < 2 ? TokenKind.other : escaped || length > maxWordLength ? TokenKind.unlistedLetters : TokenKind.word;
      sink.token(hash >>> 0, kind, text, start, at);
    }
    hash = fnvOffset;
    length = 0;
    onlyLetters = true;
    escaped = false;
  };
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    let width = 1;
    if (c === 92 /* \ */ && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      const decoded = next === 117 /* u */ && i + 5 < n ? unicodeEscape(text, i) : -1;
      if (decoded >= 0) {
        c = decoded;
        width = 6;
      } else if (escapeLetters.has(next)) {
        // `\n`, `\t`, `\"`, ...: the escape is a separator, and its letter does not start a word.
        end(i);
        previousCjk = -1;
        i += 1;
        continue;
      }
    }
    const cls = c < 128 ? classes[c]! : classify(c);
    if (cls === letter || cls === digit) {
      if (length === 0) start = i;
      if (cls === digit) onlyLetters = false;
      // A decoded escape is not in the source as written: such a token cannot be sliced as a word.
      if (width > 1) escaped = true;
      hash = Math.imul(hash ^ lower[c]!, fnvPrime);
      length++;
      previousCjk = -1;
    } else {
      end(i);
      if (cls === cjk) {
        const unit = lower[c]!;
        sink.token(Math.imul(fnvOffset ^ unit, fnvPrime) >>> 0, TokenKind.other, text, i, i + width);
        if (previousCjk >= 0) sink.token(Math.imul(Math.imul(fnvOffset ^ previousCjk, fnvPrime) ^ unit, fnvPrime) >>> 0, TokenKind.other, text, i, i + width);
        previousCjk = unit;
      } else {
        previousCjk = -1;
      }
    }
    i += width - 1;
  }
  end(n);
}

/** One token of a keyword term, with the word itself when it can also match inside longer words. */
export interface QueryToken {
  readonly hash: number;
  readonly word?: string;
  /** A word the vocabulary keeps: a trace holds it exactly only if its vocabulary entry says so. */
  readonly listed: boolean;
}

export interface KeywordTerm {
  /** The term lower-cased with its whitespace collapsed, as phrases are verified. */
  readonly text: string;
  readonly tokens: readonly QueryToken[];
  /**
   * Whether the tokens alone decide the match: one token that is the whole term, or one or two Han
   * or Kana characters (a character and a pair of adjacent characters are tokens). Otherwise the
   * tokens only find candidates and the term itself is looked for in their texts.
   */
  readonly exact: boolean;
  /**
   * The longest run of ASCII letters and digits in `text`: JSON and Python escape no ASCII letter or
   * digit, so a value that does not contain it (lower-cased) cannot contain the term and is not
   * normalised; empty when the term has none.
   */
  readonly probe: string;
}

/**
 * Splits a keyword into terms: whitespace separates them and double quotes keep a phrase together.
 * Every term must match (AND); each term matches inside one value.
 */
export function parseKeyword(keyword: string): KeywordTerm[] {
  const terms: KeywordTerm[] = [];
  for (const match of keyword.matchAll(/"([^"]*)"|(\S+)/g)) {
    const raw = (match[1] ?? match[2] ?? '').trim();
    if (raw === '') continue;
    const tokens: QueryToken[] = [];
    const seen = new Set<number>();
    scanTokens(raw, {
      token(hash, kind, source, start, end) {
        if (seen.has(hash)) return;
        seen.add(hash);
        const listed = kind === TokenKind.word;
        // Any letters-only token of the keyword may lie inside a longer word (`p` in `py`), also one letter long.
        const text = listed || end - start === 1 ? source.slice(start, end).toLowerCase() : '';
        tokens.push(listed || /^[\p{L}\p{M}]$/u.test(text) ? { hash, word: text, listed } : { hash, listed });
      },
    });
    const wholeToken = tokens.length === 1 && /^[\p{L}\p{M}\p{N}]+$/u.test(raw) && !cjkRun.test(raw);
    const text = normaliseForPhrase(raw);
    const probe = (text.match(/[a-z0-9]+/g) ?? []).reduce((longest, run) => (run.length > longest.length ? run : longest), '');
    terms.push({ text, tokens, exact: wholeToken || shortCjkRun.test(raw), probe });
  }
  return terms;
}

const cjkRun = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const shortCjkRun = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]{1,2}$/u;

const escapes: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/**
 * A value as a phrase is looked for in it: lower-cased, JSON / Python escapes read, whitespace
 * collapsed to one space (a prompt's line break matches a space typed in the keyword).
 */
export function normaliseForPhrase(value: string): string {
  let text = value.toLowerCase();
  if (text.includes('\\')) {
    text = text.replace(/\\(u[0-9a-f]{4}|[ntrbf"'\\/])/g, (_, e: string) => (e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (escapes[e] ?? e)));
  }
  return /\s\s|[\t\n\r\f\v]/.test(text) ? text.replace(/\s+/g, ' ') : text;
}
