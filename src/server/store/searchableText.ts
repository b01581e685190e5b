import type { LogRecord } from '../../model/logRecord';
import type { AttributeValue, Attributes, Resource, Span } from '../../model/span';

/**
 * What the Runs view's keyword searches in a trace, in one place for the index, the phrase check and
 * the log store: span names, status messages, every attribute value (Dify puts node inputs and
 * outputs, LLM prompts and completions, tool_info and its metadata JSON there; numbers too, as
 * written), event names and attributes (exception messages and stack traces), resources, and log
 * record bodies with the exception attributes the OTel logging bridges fill from `logger.exception`.
 * Attribute keys are not searched: every span has `gen_ai.*` or `http.*` keys, so they would match all.
 */
export type TextVisitor = (text: string) => void;

function visitValue(value: AttributeValue, visit: TextVisitor): void {
  if (typeof value === 'string') visit(value);
  else if (typeof value === 'number') visit(String(value));
  else if (Array.isArray(value)) for (const item of value as readonly AttributeValue[]) visitValue(item, visit);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value as Attributes)) visitValue(item, visit);
}

export function forEachAttributeText(attributes: Attributes, visit: TextVisitor): void {
  for (const key in attributes) visitValue(attributes[key]!, visit);
}

export function forEachSpanText(span: Span, visit: TextVisitor): void {
  visit(span.name);
  if (span.status.message) visit(span.status.message);
  forEachAttributeText(span.attributes, visit);
  for (const event of span.events) {
    visit(event.name);
    forEachAttributeText(event.attributes, visit);
  }
}

export function forEachResourceText(resource: Resource, visit: TextVisitor): void {
  visit(resource.serviceName);
  forEachAttributeText(resource.attributes, visit);
}

/** Keys of the exception the OTel logging bridges attach to a record logged with `logger.exception`. */
const logExceptionKeys = ['exception.type', 'exception.message', 'exception.stacktrace'] as const;

export function forEachLogText(record: LogRecord, visit: TextVisitor): void {
  if (typeof record.body === 'string') visit(record.body);
  else if (record.body !== null) visit(JSON.stringify(record.body));
  for (const key of logExceptionKeys) {
    const value = record.attributes[key];
    if (typeof value === 'string') visit(value);
  }
}
