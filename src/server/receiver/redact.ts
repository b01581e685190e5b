/**
 * What a refused request may carry that is a secret: Dify's Alibaba Cloud exporter puts the license
 * key in the path (`/adapt_{license_key}/api/otlp/traces`, dify_trace_aliyun traceclient.py), other
 * senders put keys in headers. Nothing of a request reaches a log line or the status bar unredacted,
 * and a header value is cut to a length that cannot flood them.
 */
export function redactPath(path: string): string {
  return cut(path.replace(/\/adapt_[^/?#]*/g, '/adapt_<license key>').replace(/([?&](?:api_key|apikey|token|key|secret)=)[^&#]*/gi, '$1<redacted>'), 200);
}

/** A header value shown in a message: printable ASCII only, at most `max` characters. */
export function headerForMessage(value: string | undefined, max = 80): string {
  return cut((value ?? '').replace(/[^\x20-\x7e]/g, '?'), max);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
