/**
 * The language-neutral shape every stack-trace parser (src/server/sourceLinks) produces, and the
 * base of the frames the protocol carries: one `ParsedStack` per exception (a chained Python
 * traceback or a Go panic with several goroutines gives several), every frame kept in the order the
 * runtime printed it, each marked whether it can be the user's code.
 */

export interface StackFrame {
  /** The path as printed, unchanged (`<fd3>`, `<anonymous>` and Windows paths included). */
  readonly file: string;
  /** 1-based, as every runtime here prints it. */
  readonly line: number;
  /** 1-based (Node.js prints 1-based columns); Python and Go frames have none. */
  readonly column?: number;
  readonly function?: string;
  /** The source line the runtime printed with the frame, trimmed. */
  readonly text?: string;
  /** False for runtimes, libraries and wrappers: the SDK, the venv, the stdlib, the sandbox prescript. */
  readonly isUserCode: boolean;
}

export type StackLanguage = 'python' | 'javascript' | 'go';

export interface ParsedStack {
  readonly language: StackLanguage;
  readonly exceptionType?: string;
  readonly message?: string;
  /** In printed order: Python prints the innermost call last, Node.js and Go print it first. */
  readonly frames: readonly StackFrame[];
}
