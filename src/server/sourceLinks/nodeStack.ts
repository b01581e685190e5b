/**
 * Node.js (V8) stack traces: `Type: message` then `    at fn (file:line:col)` / `    at file:line:col`.
 * dify-sandbox runs the Code node's runner with `eval(fs.readFileSync(3,'utf8'))`
 * (langgenius/dify-sandbox internal/core/runner/nodejs/prescript.js), so the user's frames read
 * `at main (eval at <anonymous> (/var/sandbox/…/tmp/x.js:38:1), <anonymous>:5:27)`: the position that
 * counts is the last one, in the eval'd runner, which this parser reports as file `<anonymous>`.
 * An uncaught error is printed after a `file:line` / source line / caret block; for eval'd code the file
 * is `undefined` (older Node) or `<anonymous_script>` (Node 20.20, checked), kept as the frame's text.
 */
import type { ParsedStack, StackFrame } from '../../shared/stackFrame';
import { textLines } from './stackFrames';

const AT = /^\s*at (.+)$/;
/** `fn (location)` where fn may read `async fn`, `new Foo`, `Object.<anonymous>`, `fn [as alias]`. */
const CALL = /^(.*?) \((.*)\)$/;
const POSITION = /^(.*):(\d+):(\d+)$/;
const ERROR = /^((?:[A-Za-z_$][\w$.]*?)?(?:Error|Exception)|Uncaught [\w$.]+)(?: \[[A-Z0-9_]+\])?(?::\s?(.*))?$/;
/** The `file:line` header of V8's uncaught-error source excerpt. */
const SOURCE_HEADER = /^(\S.*):(\d+)$/;
const EVAL_FILE = '<anonymous>';

interface SourceExcerpt {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Every run of `at` lines is one stack; text without any gives []. Never throws. */
export function parseNodeStacks(text: string): ParsedStack[] {
  const lines = textLines(text);
  const stacks: ParsedStack[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!AT.test(lines[i] ?? '')) {
      i++;
      continue;
    }
    const start = i;
    const frames: StackFrame[] = [];
    for (; i < lines.length && AT.test(lines[i] ?? ''); i++) {
      const frame = nodeFrame(AT.exec(lines[i] ?? '')?.[1] ?? '');
      if (frame) frames.push(frame);
    }
    const error = errorBefore(lines, start);
    const excerpt = excerptBefore(lines, start);
    stacks.push({
      language: 'javascript',
      frames: excerpt ? withExcerpt(frames, excerpt) : frames,
      ...(error?.[1] === undefined ? {} : { exceptionType: error[1] }),
      ...(error?.[2] === undefined ? {} : { message: error[2] }),
    });
  }
  return stacks;
}

/** One `at` line; frames without a position (`at Array.map (<anonymous>)`, `native`) cannot be opened and are skipped. */
function nodeFrame(body: string): StackFrame | undefined {
  const call = CALL.exec(body);
  const fn = call?.[1]?.replace(/^async /, '');
  let location = call ? (call[2] ?? '') : body;
  // `eval at f (outer), <anonymous>:5:27`, possibly nested: the eval'd code's own position is the last one.
  if (location.startsWith('eval at ')) location = location.slice(location.lastIndexOf('), ') + 3);
  const position = POSITION.exec(location);
  if (!position) return undefined;
  const file = position[1] ?? '';
  return {
    file,
    line: Number(position[2]),
    column: Number(position[3]),
    ...(fn === undefined ? {} : { function: fn }),
    isUserCode: isNodeUserCode(file),
  };
}

/** Node's own modules, installed packages and dify-sandbox's prescript are not the user's code. */
export function isNodeUserCode(file: string): boolean {
  const path = file.replaceAll('\\', '/');
  return !(path.startsWith('node:') || path.startsWith('internal/') || path.includes('/node_modules/') || path.startsWith('/var/sandbox/'));
}

/** The error line is the first of the non-blank block just above the frames (messages can span lines). */
function errorBefore(lines: readonly string[], start: number): RegExpExecArray | undefined {
  let top = start;
  while (top > 0 && (lines[top - 1] ?? '').trim() !== '' && !AT.test(lines[top - 1] ?? '')) top--;
  for (let j = top; j < start; j++) {
    const match = ERROR.exec(lines[j] ?? '');
    if (match) return match;
  }
  return undefined;
}

/** `file:line`, the source line, carets: V8's excerpt of where an uncaught error was thrown. */
function excerptBefore(lines: readonly string[], start: number): SourceExcerpt | undefined {
  for (let j = start - 1; j >= 0 && j >= start - 8; j--) {
    const header = SOURCE_HEADER.exec(lines[j] ?? '');
    // The caret line is blank when the error is at the end of the input (a SyntaxError, checked on Node 20.20).
    if (header && /^\s*\^*\s*$/.test(lines[j + 2] ?? '')) {
      const raw = header[1] ?? '';
      const file = raw === 'undefined' || raw === '<anonymous_script>' ? EVAL_FILE : raw;
      return { file, line: Number(header[2]), text: (lines[j + 1] ?? '').trim() };
    }
  }
  return undefined;
}

/** Puts the excerpt's source line on the frame it belongs to, or adds that frame (a SyntaxError has none of its own). */
function withExcerpt(frames: StackFrame[], excerpt: SourceExcerpt): StackFrame[] {
  const index = frames.findIndex((f) => f.file === excerpt.file && f.line === excerpt.line);
  const found = frames[index];
  if (found) return frames.map((f, k) => (k === index ? { ...found, text: excerpt.text } : f));
  return [{ file: excerpt.file, line: excerpt.line, text: excerpt.text, isUserCode: isNodeUserCode(excerpt.file) }, ...frames];
}
