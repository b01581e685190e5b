/**
 * The extension's URI: `vscode://dify-trace.dify-trace-explorer/trace?id=<trace id | run id |
 * message id | conversation id | URL-encoded trace URL>`. Anyone can send such a link, so the
 * input is only ever parsed into a lookup query (never a path, command or setting). Pure.
 */
import { lookupExpected, parseLookupQuery, type TraceLookupQuery } from '../../shared/traceLookup';

export type TraceUriParse = { readonly kind: 'lookup'; readonly text: string; readonly query: TraceLookupQuery } | { readonly kind: 'invalid'; readonly message: string };

const maxQueryLength = 4096;

/**
 * `path` and `query` as `vscode.Uri` gives them. VS Code decodes the query once, so a URL inside
 * `id` may arrive encoded or decoded (its own `&` then splits it): every reading is tried, and the
 * first that is a valid lookup wins.
 */
export function parseTraceUri(path: string, query: string): TraceUriParse {
  if (path.replace(/\/+$/, '') !== '/trace') return { kind: 'invalid', message: `This link is not a Dify Trace Explorer link (${truncate(path, 60)}); expected /trace?id=…` };
  if (query.length > maxQueryLength) return { kind: 'invalid', message: 'This link is too long to be a trace link.' };
  for (const text of candidates(query)) {
    const parsed = parseLookupQuery(text);
    if (parsed.kind !== 'invalid') return { kind: 'lookup', text: text.trim(), query: parsed };
  }
  return { kind: 'invalid', message: `This link's id is not one the lookup understands. ${lookupExpected}` };
}

function candidates(query: string): string[] {
  const found: string[] = [];
  const add = (value: string | null | undefined) => {
    if (value === null || value === undefined || value.trim() === '') return;
    if (!found.includes(value)) found.push(value);
    const decoded = safeDecode(value);
    if (decoded !== undefined && !found.includes(decoded)) found.push(decoded);
  };
  add(new URLSearchParams(query).get('id'));
  // The whole rest after `id=`: a decoded URL whose own query was split on `&`.
  const raw = /(?:^|&)id=(.*)$/s.exec(query)?.[1];
  add(raw);
  return found;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** The link for a trace, as the README documents it. */
export function traceUri(extensionId: string, id: string): string {
  return `vscode://${extensionId}/trace?id=${encodeURIComponent(id)}`;
}
