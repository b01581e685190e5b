/**
 * `json.dumps(value, ensure_ascii=False)` as Python writes it: ", " and ": " separators, non-ASCII kept.
 * Dify serialises span attribute values this way (dify_trace_aliyun utils.py serialize_json_data,
 * api/extensions/otel/parser/base.py safe_json_dumps), so the demo does too.
 */
import type { Json } from './demoContent';

/** `str(value)` for the scalars Dify formats with str(): strings as they are, anything else as JSON. */
export const pyStr = (value: Json | undefined): string => (typeof value === 'string' ? value : value === undefined ? '' : pyJson(value));

export function pyJson(value: Json | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v: Json) => pyJson(v)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `repr(value)` as Python prints it, for what `logger.x("... %s", value)` puts in a log line: dicts
 * as `{'k': v}` in insertion order, None/True/False, str with Python's quote choice and escapes.
 * Non-ASCII is kept as is (Python escapes only non-printable code points; the demo has none).
 */
export function pyRepr(value: Json | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map((v: Json) => pyRepr(v)).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`)
    .join(', ')}}`;
}

/** CPython unicode_repr: single quotes unless the text has ' and no ", backslash escapes for the rest. */
function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', [quote]: `\\${quote}` };
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += escapes[ch] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch);
  }
  return `${quote}${out}${quote}`;
}
