/**
 * CPython tracebacks as `traceback.format_exception` prints them (3.8–3.13): the header, frames of
 * `  File "path", line N, in func` each followed by its source line and, from 3.11, a line of carets
 * (`~~~^^^`), then `Type: message`. A chained exception ("During handling of the above exception…",
 * "The above exception was the direct cause…") prints the earlier traceback first, so the text gives
 * one ParsedStack per exception, in printed order; the last is the one that propagated.
 */
import { isPythonUserCode } from './pluginPaths';
import type { ParsedStack, StackFrame } from '../../shared/stackFrame';
import { textLines } from './stackFrames';

/** At the end of a line, so that a header inside an escaped one-line string does not open a traceback. */
const HEADER = /Traceback \(most recent call last\):\s*$/;
/** `, in func` is absent for a SyntaxError's location frame. */
const FRAME = /^\s+File "(.*)", line (\d+)(?:, in (.+?))?\s*$/;
const CARETS = /^\s*[~^]+\s*$/;
const REPEATED = /^\s*\[Previous line repeated \d+ more times?\]\s*$/;
/** `KeyError: 'x'`, `dify_plugin.errors.ToolError: x`, `StopIteration`: a dotted name at column 0. */
const EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;

interface OpenStack {
  frames: StackFrame[];
  /** Source line not yet seen for the last frame. */
  awaitingText: boolean;
}

/** Every traceback in the text, in printed order; text without one gives []. Never throws. */
export function parsePythonTracebacks(text: string): ParsedStack[] {
  const stacks: ParsedStack[] = [];
  let open: OpenStack | undefined;
  const close = (exceptionType?: string, message?: string): void => {
    if (!open) return;
    stacks.push({
      language: 'python',
      frames: open.frames,
      ...(exceptionType === undefined ? {} : { exceptionType }),
      ...(message === undefined ? {} : { message }),
    });
    open = undefined;
  };
  for (const line of textLines(text)) {
    if (HEADER.test(line)) {
      close(); // a header inside an open traceback means the previous one was cut off
      open = { frames: [], awaitingText: false };
      continue;
    }
    if (!open) continue;
    const frame = FRAME.exec(line);
    if (frame) {
      open.frames.push(pythonFrame(frame[1] ?? '', Number(frame[2]), frame[3]));
      open.awaitingText = true;
      continue;
    }
    if (line.trim() === '' || CARETS.test(line) || REPEATED.test(line)) continue;
    if (/^\s/.test(line)) {
      // The frame's source line; further indented lines are the rest of a multi-line expression (3.13).
      if (open.awaitingText) attachText(open, line.trim());
      continue;
    }
    const exception = EXCEPTION.exec(line);
    if (exception) close(exception[1], exception[2]);
    else close(); // other text at column 0: the traceback was truncated before its exception line
  }
  close(); // truncated at the end of the text
  return stacks;
}

function pythonFrame(file: string, line: number, fn: string | undefined): StackFrame {
  return { file, line, ...(fn === undefined ? {} : { function: fn }), isUserCode: isPythonUserCode(file) };
}

function attachText(open: OpenStack, text: string): void {
  const last = open.frames.at(-1);
  if (last) open.frames[open.frames.length - 1] = { ...last, text };
  open.awaitingText = false;
}
