/**
 * Lines in a Code node's sandbox traceback back to the node's own code. Dify pastes the user's code
 * into a runner script (langgenius/dify api/core/helper/code_executor/{python3,javascript}/*_transformer.py,
 * plain str.replace of the placeholder) and dify-sandbox executes the runner, so a frame's line is a
 * runner line:
 * - Python: the code replaces the runner's first line, user line N == runner line N; runner lines past
 *   the code's U lines (U = code.split('\n').length) are the wrapper (`main(**inputs_obj)` is U + 9).
 *   Frames read `File "<fd3>"` (current sandbox, exec(compile(code, "<fd3>", "exec"))) or `File "<string>"`.
 * - JavaScript: the runner starts with an empty line and `// declare main function`, so runner line =
 *   user line + 2; frames are the eval'd runner, `<anonymous>:LINE:COL`. Columns are unchanged.
 * Older Dify releases had other runners (e.g. the JavaScript runner without the leading empty line,
 * offset 1, langgenius/dify@0f5077a), hence the offset parameter.
 */
import type { ParsedStack, StackFrame } from '../../shared/stackFrame';

export type CodeLanguage = 'python3' | 'javascript';

/** runner line − user line, for the runners of current Dify. */
export const RUNNER_LINE_OFFSET: Readonly<Record<CodeLanguage, number>> = { python3: 0, javascript: 2 };

export interface UserCodePosition {
  /** 1-based line in the Code node's code as stored in the DSL. */
  readonly line: number;
  readonly column?: number;
}

/** Whether the frame is in the runner script (user code or wrapper), as opposed to the sandbox's prescript or Node internals. */
export function isRunnerFrame(frame: StackFrame, language: CodeLanguage): boolean {
  return language === 'python3' ? frame.file === '<fd3>' || frame.file === '<string>' : frame.file === '<anonymous>';
}

/**
 * The user-code line a runner frame points at, or undefined for frames outside the runner and for
 * the runner's own wrapper lines.
 */
export function userCodePosition(
  frame: StackFrame,
  language: CodeLanguage,
  userCode: string,
  offset: number = RUNNER_LINE_OFFSET[language],
): UserCodePosition | undefined {
  if (!isRunnerFrame(frame, language)) return undefined;
  const line = frame.line - offset;
  const userLines = userCode.split('\n').length;
  if (!Number.isInteger(line) || line < 1 || line > userLines) return undefined;
  return frame.column === undefined ? { line } : { line, column: frame.column };
}

/** The stack with isUserCode true exactly on the frames that land in the user's code. */
export function markSandboxUserFrames(
  stack: ParsedStack,
  language: CodeLanguage,
  userCode: string,
  offset: number = RUNNER_LINE_OFFSET[language],
): ParsedStack {
  return {
    ...stack,
    frames: stack.frames.map((frame) => ({ ...frame, isUserCode: userCodePosition(frame, language, userCode, offset) !== undefined })),
  };
}
