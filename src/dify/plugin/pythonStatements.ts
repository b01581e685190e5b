/**
 * Python source as logical lines ("statements"): a line joined with the lines its open brackets or
 * trailing backslash carry on to, with comments dropped and every string literal reduced to its
 * empty quotes, so that a `class` or `def` mentioned in a string or comment is not taken for one.
 * Enough to find class headers and method definitions; not a parser. Limits: `;`-separated
 * statements stay on one logical line, and an f-string that reuses its own quote inside a
 * replacement field (Python 3.12, PEP 701: `f"{d["k"]}"`) is read as two strings around code.
 */
export interface PythonStatement {
  /** 1-based line where the statement starts (a decorator is a statement of its own). */
  readonly line: number;
  /** Indentation of that line, tabs to the next multiple of 8 as the tokenizer counts them. */
  readonly indent: number;
  /** The statement on one line: strings emptied, comments dropped, continuation line breaks as spaces. */
  readonly code: string;
}

const breakAt = (source: string, i: number): number => (source[i] === '\n' ? 1 : source[i] === '\r' && source[i + 1] === '\n' ? 2 : 0);

export function pythonStatements(source: string): PythonStatement[] {
  const statements: PythonStatement[] = [];
  let code = '';
  let start = 0; // 0: between statements, at the start of a physical line
  let indent = 0;
  let depth = 0;
  let line = 1;
  let i = 0;
  const finish = (): void => {
    if (code.trim() !== '') statements.push({ line: start, indent, code: code.trim() });
    code = '';
    start = 0;
    depth = 0;
  };
  while (i < source.length) {
    if (start === 0) {
      let column = 0;
      while (i < source.length && ' \t\f'.includes(source[i] ?? '_')) {
        column = source[i] === '\t' ? (Math.floor(column / 8) + 1) * 8 : source[i] === '\f' ? 0 : column + 1;
        i++;
      }
      if (source[i] === '#' || breakAt(source, i) > 0) {
        while (i < source.length && breakAt(source, i) === 0) i++; // blank or comment-only line
        i += breakAt(source, i);
        line++;
        continue;
      }
      if (i >= source.length) break;
      [start, indent] = [line, column];
    }
    const ch = source[i] ?? '';
    const br = breakAt(source, i);
    if (br > 0) {
      line++;
      i += br;
      if (depth > 0) code += ' ';
      else finish();
    } else if (ch === '\\' && breakAt(source, i + 1) > 0) {
      line++;
      i += 1 + breakAt(source, i + 1);
      code += ' ';
    } else if (ch === '#') {
      while (i < source.length && breakAt(source, i) === 0) i++;
    } else if (ch === '"' || ch === "'") {
      const skipped = skipString(source, i);
      line += skipped.lines;
      i = skipped.end;
      code += ch + ch;
    } else {
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
      code += ch;
      i++;
    }
  }
  finish();
  return statements;
}

/** The end of the string literal opening at `start`, and the line breaks inside it. An unterminated one-line string ends at its line break. */
function skipString(source: string, start: number): { end: number; lines: number } {
  const quote = source[start] ?? '"';
  const triple = source.startsWith(quote.repeat(3), start);
  let i = start + (triple ? 3 : 1);
  let lines = 0;
  while (i < source.length) {
    const br = breakAt(source, i);
    if (source[i] === '\\') {
      if (breakAt(source, i + 1) > 0) lines++;
      i += 1 + Math.max(1, breakAt(source, i + 1));
    } else if (br > 0) {
      if (!triple) break;
      lines++;
      i += br;
    } else if (triple ? source.startsWith(quote.repeat(3), i) : source[i] === quote) {
      return { end: i + (triple ? 3 : 1), lines };
    } else i++;
  }
  return { end: i, lines };
}
