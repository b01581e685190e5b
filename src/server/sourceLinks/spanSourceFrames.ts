/**
 * "Go to Source" for one span: every stack trace found in what the span carries (its status
 * message, its `exception` / `log.exception` events) and in the log records logged in it, each
 * frame marked with the installed plugin its path belongs to. Pure: the caller looks up the span
 * and its records.
 */
import type { LogRecord } from '../../model/logRecord';
import type { AttributeValue, Span } from '../../model/span';
import type { SourceFrame, SourceStack } from '../../shared/lspProtocol';
import { exceptionEvents, langfuse } from '../../dify/difyNames';
import { findTracebacks } from './findTracebacks';
import { locatePluginFile } from './pluginPaths';
import type { ParsedStack, StackFrame } from '../../shared/stackFrame';

/** Exception attributes that may hold a traceback (OTel semantic conventions). */
const TRACE_KEYS = ['exception.stacktrace', 'exception.message'] as const;
/**
 * Log record attributes that may hold one too: the OTel keys, and `stack_trace`, where the plugin
 * daemon's recovery middleware puts a recovered panic's stack (langgenius/dify-plugin-daemon pkg/utils/log).
 */
const RECORD_TRACE_KEYS = [...TRACE_KEYS, 'stack_trace'] as const;

/** The texts of a span and its records that may hold a stack trace, most specific first. */
export function spanTraceTexts(span: Span, records: readonly LogRecord[]): string[] {
  const texts: string[] = [];
  for (const event of span.events) {
    if (!(exceptionEvents.names as readonly string[]).includes(event.name)) continue;
    for (const key of TRACE_KEYS) pushText(texts, event.attributes[key]);
  }
  if (span.status.message) texts.push(span.status.message);
  // Langfuse keeps a handled node failure (a Code node's sandbox error) only as the observation's status message.
  pushText(texts, span.attributes[langfuse.statusMessageKey]);
  for (const record of records) {
    if (record.spanId !== span.spanId) continue;
    for (const key of RECORD_TRACE_KEYS) pushText(texts, record.attributes[key]);
    pushText(texts, record.body);
  }
  return texts;
}

function pushText(texts: string[], value: AttributeValue | undefined): void {
  if (typeof value === 'string') {
    if (value !== '') texts.push(value);
  } else if (value !== null && typeof value === 'object') {
    texts.push(JSON.stringify(value));
  }
}

/**
 * The stacks of one text, the reported exception first: a chained Python traceback prints its
 * cause first and the exception that was raised (the one Dify reports) last, so Python stacks are
 * reversed; Go prints the panicking goroutine first, Node.js has no chains.
 */
function reportedFirst(stacks: readonly ParsedStack[]): ParsedStack[] {
  return [...stacks.filter((s) => s.language === 'python').reverse(), ...stacks.filter((s) => s.language !== 'python')];
}

/** The span's stack traces without duplicates (the same traceback often sits in the event and the log), the reported exception first. */
export function spanSourceFrames(span: Span, records: readonly LogRecord[]): SourceStack[] {
  const found = new Map<string, SourceStack>();
  for (const text of spanTraceTexts(span, records)) {
    for (const stack of reportedFirst(findTracebacks(text))) {
      const frames = stack.frames.map(toSourceFrame);
      const key = JSON.stringify(frames);
      if (found.has(key)) continue;
      found.set(key, {
        language: stack.language,
        ...(stack.exceptionType === undefined ? {} : { exceptionType: stack.exceptionType }),
        ...(stack.message === undefined ? {} : { message: stack.message }),
        frames,
      });
    }
  }
  return [...found.values()];
}

function toSourceFrame(frame: StackFrame): SourceFrame {
  const location = locatePluginFile(frame.file);
  const plugin = location?.isUserCode ? { ...location.pluginIdentity, relativePath: location.relativePath } : undefined;
  return {
    file: frame.file,
    line: frame.line,
    ...(frame.column === undefined ? {} : { column: frame.column }),
    ...(frame.function === undefined ? {} : { function: frame.function }),
    ...(frame.text === undefined ? {} : { text: frame.text }),
    isUserCode: frame.isUserCode,
    ...(plugin ? { plugin } : {}),
  };
}
