/**
 * Trace ids, Dify UUIDs and trace URLs in a line of terminal output, for the terminal link
 * provider. Pure. Terminal output is full of hex and UUIDs that are not traces (file names, paths,
 * commit hashes, container ids), so an id must stand alone: not inside a word, a path or a longer
 * hex string, and not followed by a file extension. URLs count only when they look like a trace
 * page or carry a trace or run id parameter.
 */
import { parseIdToken, parseLookupQuery, type TraceLookupQuery } from '../../shared/traceLookup';

export interface TraceTextLink {
  readonly startIndex: number;
  readonly length: number;
  readonly text: string;
  readonly query: TraceLookupQuery;
}

const urlPattern = /\bhttps?:\/\/[^\s"'<>`]+/gi;
/** Characters that, before or after an id, mean it is part of something bigger. */
const before = String.raw`(?<![\w/\\.\-+])`;
const after = String.raw`(?![\w/\\\-+]|\.\w)`;
const traceparentPattern = new RegExp(`${before}[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}${after}`, 'gi');
const uuidPattern = new RegExp(`${before}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}${after}`, 'gi');
const hexPattern = new RegExp(`${before}(?:[0-9a-f]{32}|[0-9A-F]{32})${after}`, 'g');

/** Query and fragment keys that carry a trace, run, message or conversation id. */
const idKeys = /(?:^|[?&#/])(?:trace_?id|traceID|selectedTraceId|peek|trace|workflow_?run_?id|run_id|message_?id|conversation_?id)=/i;

/** Trailing characters that close a sentence or a bracket, not the URL. */
const trailingPunctuation = /[.,;:!?)\]}>]+$/;

const maxLineLength = 10_000;
const maxLinks = 50;

export function findTraceLinks(line: string): TraceTextLink[] {
  if (line.length > maxLineLength) line = line.slice(0, maxLineLength);
  const links: TraceTextLink[] = [];
  const taken: [number, number][] = [];
  const overlaps = (start: number, end: number) => taken.some(([s, e]) => start < e && end > s);
  const add = (start: number, text: string, query: TraceLookupQuery | undefined) => {
    if (query === undefined || overlaps(start, start + text.length) || links.length >= maxLinks) return;
    taken.push([start, start + text.length]);
    links.push({ startIndex: start, length: text.length, text, query });
  };
  for (const m of line.matchAll(urlPattern)) {
    const url = m[0].replace(trailingPunctuation, '');
    // A URL is taken whole, a trace URL or not, so that ids inside other URLs are not linked.
    taken.push([m.index, m.index + m[0].length]);
    if (!looksLikeTraceUrl(url)) continue;
    const parsed = parseLookupQuery(url);
    if (parsed.kind !== 'invalid') links.push({ startIndex: m.index, length: url.length, text: url, query: parsed });
  }
  for (const pattern of [traceparentPattern, uuidPattern, hexPattern]) {
    for (const m of line.matchAll(pattern)) add(m.index, m[0], parseIdToken(m[0]));
  }
  return links.sort((a, b) => a.startIndex - b.startIndex);
}

/** A trace page (`/trace/<id>`, `/traces/<id>`), an id parameter, or Grafana Explore's state. */
function looksLikeTraceUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (/\/traces?\/[^/]/i.test(url.pathname)) return true;
  if (idKeys.test(url.search) || idKeys.test(url.hash)) return true;
  return /\/explore\b/.test(url.pathname) && /[?&](?:panes|left)=/.test(url.search);
}
