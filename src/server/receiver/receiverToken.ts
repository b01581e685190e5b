import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The secrets a request may carry, the ways Dify already sends one: `Authorization: Bearer …` (the
 * infrastructure exporters' OTLP_API_KEY, ext_otel.py; Phoenix's exporter too), an `api_key` header
 * (Phoenix), an `Authentication` header (Alibaba Cloud over gRPC), Basic credentials (Langfuse: public key and secret key), and the license key in the path
 * of Dify's Alibaba Cloud exporter (`/adapt_{license_key}/api/otlp/traces`).
 */
export function offeredSecrets(headers: IncomingHttpHeaders, path: string): string[] {
  const offered: string[] = [];
  const authorization = headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) offered.push(bearer[1]!);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) offered.push(decoded.slice(colon + 1), decoded.slice(0, colon));
  }
  const apiKey = headers['api_key'] ?? headers['api-key'];
  if (typeof apiKey === 'string') offered.push(apiKey);
  // Alibaba Cloud's OTLP/gRPC endpoints take the license key as an `Authentication` header.
  const authentication = headers['authentication'];
  if (typeof authentication === 'string') offered.push(authentication);
  const license = /\/adapt_([^/]+)\//.exec(path);
  if (license) offered.push(decodeURIComponent(license[1]!));
  return offered;
}

/** Whether any offered secret is the token, compared in constant time. */
export function carriesToken(headers: IncomingHttpHeaders, path: string, token: string): boolean {
  const expected = Buffer.from(token);
  return offeredSecrets(headers, path).some((secret) => {
    const offered = Buffer.from(secret);
    return offered.length === expected.length && timingSafeEqual(offered, expected);
  });
}
