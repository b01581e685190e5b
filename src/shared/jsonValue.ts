/**
 * Attribute values as JSON trees: which values are worth a tree (objects and arrays, parsed from a
 * string only below a size cap so a 1 MB prompt cannot stall the pane), and their entries a page at
 * a time. DOM-free; the webview's render/details/jsonTree.ts draws it.
 */
import type { AttributeValue } from '../model/span';

/** Strings longer than this are shown as text, never parsed (JSON.parse of megabytes blocks the webview). */
export const jsonParseLimit = 256 * 1024;

/** Entries rendered at once per object or array; the rest wait behind "Show N more". */
export const jsonPageSize = 100;

export type JsonContainer = readonly AttributeValue[] | { readonly [key: string]: AttributeValue };

function isContainer(value: unknown): value is JsonContainer {
  return typeof value === 'object' && value !== null;
}

/** Parses `text` when it looks like a JSON object or array and is small enough; undefined otherwise (never throws). */
export function parseJsonText(text: string, limit = jsonParseLimit): JsonContainer | undefined {
  if (text.length > limit) return undefined;
  const trimmed = text.trim();
  const first = trimmed[0];
  const last = trimmed[trimmed.length - 1];
  if (!((first === '{' && last === '}') || (first === '[' && last === ']'))) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return isContainer(parsed) ? (parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** An attribute value as a JSON container: structured values (OTLP arrays and kvlists) as they are, strings when they parse. */
export function jsonContainerOf(value: AttributeValue | undefined, limit = jsonParseLimit): JsonContainer | undefined {
  if (typeof value === 'string') return parseJsonText(value, limit);
  return isContainer(value) ? value : undefined;
}

/** Entries `[from, from + count)` of an object or array as `[label, value]` pairs; array labels are indices. */
export function jsonEntries(container: JsonContainer, from = 0, count = jsonPageSize): [string, AttributeValue][] {
  if (Array.isArray(container)) {
    const items = container as readonly AttributeValue[];
    return items.slice(from, from + count).map((v, i) => [String(from + i), v]);
  }
  return Object.entries(container as Readonly<Record<string, AttributeValue>>).slice(from, from + count);
}

export function jsonSize(container: JsonContainer): number {
  return Array.isArray(container) ? container.length : Object.keys(container).length;
}

/** A one-line summary of a container: `{3 keys}`, `[120 items]`. */
export function jsonSummary(container: JsonContainer): string {
  const n = jsonSize(container);
  return Array.isArray(container) ? `[${n.toLocaleString('en-US')} item${n === 1 ? '' : 's'}]` : `{${n.toLocaleString('en-US')} key${n === 1 ? '' : 's'}}`;
}

/** A leaf as JSON text (strings quoted so "1" and 1 differ); containers get their summary. */
export function jsonLeafText(value: AttributeValue): string {
  if (isContainer(value)) return jsonSummary(value);
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** What a copy button copies: strings as they are, everything else as pretty JSON. */
export function copyTextOf(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}
