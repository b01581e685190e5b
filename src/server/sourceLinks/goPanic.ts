/**
 * Go panics and goroutine dumps as the runtime prints them (runtime/traceback.go): `panic: msg`
 * (or `fatal error: msg`), a blank line, then per goroutine `goroutine N [state]:` (Go 1.21+ may add
 * `gp=… m=…` before the state) and pairs of lines: `pkg.fn(args)` then `\t/path/file.go:12 +0x1d`.
 * `created by pkg.fn in goroutine N` names the creator. The plugin daemon and dify-sandbox are Go.
 */
import type { ParsedStack, StackFrame } from '../../shared/stackFrame';
import { textLines } from './stackFrames';

const GOROUTINE = /^goroutine \d+(?: [^[]*)? ?\[[^\]]*\]:\s*$/;
const PANIC = /^(panic|fatal error): (.*?)\s*$/;
const LOCATION = /^\t(.+):(\d+)(?: \+0x[0-9a-fA-F]+)?\s*$/;
/** `main.(*T).m(0xc000…, {0x…})` → `main.(*T).m`; `created by main.main in goroutine 1` → `created by main.main`. */
const CALL = /^(created by \S+|\S.*?)(?:\([^()]*\))?(?: in goroutine \d+)?\s*$/;

/** One ParsedStack per goroutine; the panic's type and message go on the first goroutine after it. Never throws. */
export function parseGoPanics(text: string): ParsedStack[] {
  const stacks: ParsedStack[] = [];
  let panic: RegExpExecArray | undefined;
  let frames: StackFrame[] | undefined;
  let fn: string | undefined;
  const close = (): void => {
    if (!frames) return;
    stacks.push({
      language: 'go',
      frames: withoutRecoveryFrames(frames),
      ...(panic ? { exceptionType: panic[1] ?? 'panic', message: panic[2] ?? '' } : {}),
    });
    panic = undefined; // the other goroutines of the dump did not panic
    frames = undefined;
  };
  for (const line of textLines(text)) {
    const panicLine = PANIC.exec(line);
    if (panicLine) {
      close();
      panic = panicLine; // a re-panic prints several; the last is the one that killed the process
      continue;
    }
    if (GOROUTINE.test(line)) {
      close();
      frames = [];
      fn = undefined;
      continue;
    }
    if (!frames) continue;
    const location = LOCATION.exec(line);
    if (location) {
      const file = location[1] ?? '';
      frames.push({ file, line: Number(location[2]), ...(fn === undefined ? {} : { function: fn }), isUserCode: isGoUserCode(file, fn) });
      fn = undefined;
    } else if (line.trim() === '' || !/^\S/.test(line)) {
      close();
    } else if (!line.startsWith('...')) {
      fn = CALL.exec(line)?.[1];
    }
  }
  close();
  return stacks;
}

/**
 * A stack printed while a panic is being recovered (`runtime/debug.Stack()` in a deferred
 * function, as the plugin daemon's recovery middleware logs it) starts with the deferred
 * recovery code, then `panic(…)`, then the frame that panicked. The frames above `panic` are
 * kept but are not where the failure is, so they are not the user's code.
 */
function withoutRecoveryFrames(frames: StackFrame[]): StackFrame[] {
  const panicAt = frames.findIndex((f) => f.function === 'panic' || f.function === 'runtime.gopanic');
  if (panicAt <= 0) return frames;
  return frames.map((f, i) => (i < panicAt ? { ...f, isUserCode: false } : f));
}

/** The Go runtime and standard library (GOROOT/src), and modules from the module cache or vendor/, are not the user's code. */
export function isGoUserCode(file: string, fn?: string): boolean {
  const path = file.replaceAll('\\', '/');
  if (fn?.startsWith('runtime.') || fn === 'panic') return false;
  // GOROOT/src/<pkg>: standard packages have no '.' in their first element, GOPATH projects (github.com/…) do.
  return !(/\/go\/src\/[^./]+\//.test(path) || /\/pkg\/mod\//.test(path) || /\/vendor\//.test(path) || path.startsWith('runtime/'));
}
