/**
 * A scalar's value with, for each UTF-16 unit of it, the source span it was decoded from: the
 * link that lets a line of a Code node's code be found in the DSL file whatever the YAML style.
 */
export interface DecodedText {
  readonly value: string;
  /** `from[i]`..`to[i]`: offsets in the scalar's source of the text that produced `value[i]` (an escape, a doubled quote or a line break that folded to a space or a line feed). */
  readonly from: readonly number[];
  readonly to: readonly number[];
}

/** Appends decoded text with its source spans; `take` hands out the result once. */
export class DecodedTextBuilder {
  private readonly parts: string[] = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];

  /** `text` (one or more UTF-16 units, e.g. an astral character from `\U0001F600`) decoded from `source[start..end)`. */
  push(text: string, start: number, end: number): void {
    this.parts.push(text);
    for (let i = 0; i < text.length; i++) {
      this.from.push(start);
      this.to.push(end);
    }
  }

  /** `source[start..end)` taken as it is, each unit from its own offset. */
  copy(source: string, start: number, end: number): void {
    this.parts.push(source.slice(start, end));
    for (let i = start; i < end; i++) {
      this.from.push(i);
      this.to.push(i + 1);
    }
  }

  /** UTF-16 units pushed so far. */
  get length(): number {
    return this.from.length;
  }

  take(): DecodedText {
    return { value: this.parts.join(''), from: this.from, to: this.to };
  }
}

/** Length of the line break at `i` (`\n` or `\r\n`, as the `yaml` package and VS Code count lines), 0 when there is none. */
export function breakLength(source: string, i: number): number {
  const ch = source[i];
  if (ch === '\n') return 1;
  return ch === '\r' && source[i + 1] === '\n' ? 2 : 0;
}
