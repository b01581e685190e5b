/**
 * Finds the stack traces in whatever text Dify leaves them in: an exception event's stacktrace, a
 * Code node's error (the sandbox's stderr after "process exited with code N"), or the API's log line
 * for a plugin error, where the SDK's `args.traceback` sits in JSON (the SDK's error), inside a JSON
 * string (the daemon's PluginInvokeError), inside a Python repr (`logger.error("… %s", rep.__dict__)`
 * in langgenius/dify api/core/plugin/impl/base.py). Each layer is read as the literal it is, and the
 * decoded strings are searched again, so frames come out with their paths and lines unescaped.
 */
import { findEmbeddedLiterals } from './embeddedLiterals';
import { parseGoPanics } from './goPanic';
import { parseNodeStacks } from './nodeStack';
import { parsePythonTracebacks } from './pythonTraceback';
import type { ParsedStack } from '../../shared/stackFrame';

/** The daemon's payload is three layers deep in the API's log line; a few more allow for re-wrapping. */
const MAX_LAYERS = 8;
/** A decoded string is searched again only if it can hold a trace or another literal. */
const WORTH_SEARCHING = /Traceback \(most recent call last\)|^\s*at |^goroutine \d|[{[]/m;

/** Every stack trace with at least one frame, in the order found, without duplicates. Never throws. */
export function findTracebacks(text: string): ParsedStack[] {
  const found = new Map<string, ParsedStack>();
  search(text, 0, found);
  return [...found.values()];
}

function search(text: string, layer: number, found: Map<string, ParsedStack>): void {
  for (const stack of [...parsePythonTracebacks(text), ...parseNodeStacks(text), ...parseGoPanics(text)]) {
    if (stack.frames.length === 0) continue; // nothing to jump to (e.g. a header inside a still-escaped string)
    const key = JSON.stringify(stack);
    if (!found.has(key)) found.set(key, stack);
  }
  if (layer >= MAX_LAYERS) return;
  for (const literal of findEmbeddedLiterals(text)) {
    for (const value of stringsIn(literal.value)) if (WORTH_SEARCHING.test(value)) search(value, layer + 1, found);
  }
}

/** The string values of a decoded literal, depth first in document order. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item: unknown) => stringsIn(item));
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap((item: unknown) => stringsIn(item));
  return [];
}
