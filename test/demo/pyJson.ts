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
