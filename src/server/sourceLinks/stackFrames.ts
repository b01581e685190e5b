/** Helpers shared by the stack-trace parsers in this folder; the frame model is in src/shared/stackFrame.ts. */
import type { ParsedStack, StackFrame } from '../../shared/stackFrame';

/** Splits text into lines the way all three runtimes end them (LF, or CRLF on Windows). */
export function textLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** The frame that raised: the innermost one, whichever end the language prints it at. */
export function innermostFrame(stack: ParsedStack): StackFrame | undefined {
  return stack.language === 'python' ? stack.frames.at(-1) : stack.frames[0];
}

/** The innermost frame that is the user's code, i.e. the one "Go to Source" should open. */
export function innermostUserFrame(stack: ParsedStack): StackFrame | undefined {
  const user = stack.frames.filter((f) => f.isUserCode);
  return stack.language === 'python' ? user.at(-1) : user[0];
}
