import { createHash, createHmac, randomUUID } from 'node:crypto';

/** An Alibaba Cloud AccessKey pair (a RAM user's, with read access to the traces). */
export interface AccessKey {
  readonly id: string;
  readonly secret: string;
}

/** One RPC-style OpenAPI call: a product version, an action and its parameters, sent as a GET. */
export interface AcsCall {
  readonly version: string;
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
}

const algorithm = 'ACS3-HMAC-SHA256';
const emptyBodyHash = createHash('sha256').update('').digest('hex');

/**
 * Percent-encoding as Alibaba Cloud's signature wants it: RFC 3986, so `encodeURIComponent` plus
 * the four characters it leaves (`!'()*`). The query string sent is encoded the same way, so the
 * server's canonical form of it is the one signed.
 */
export function acsEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Parameters sorted by name, `name=value` joined by `&`: the canonical query string and the one sent. */
export function acsQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${acsEncode(k)}=${acsEncode(params[k]!)}`)
    .join('&');
}

/**
 * The headers of a signed request, per Alibaba Cloud's signature V3 (ACS3-HMAC-SHA256, "Request
 * syntax and signature method V3" in the Alibaba Cloud SDK documentation): the canonical request
 * is the method, the path, the canonical query, the `host`, `x-acs-*` (and `content-type`) headers
 * sorted and lowercased, their names, and the body's SHA-256; its SHA-256 is signed with HMAC-SHA256
 * and the AccessKey secret. `now` and `nonce` are parameters so a test can compare the result with
 * Alibaba's own signing library on the same request.
 */
export function acsSignedHeaders(call: AcsCall, host: string, key: AccessKey, now = new Date(), nonce: string = randomUUID()): Record<string, string> {
  const headers: Record<string, string> = {
    host,
    'x-acs-action': call.action,
    'x-acs-version': call.version,
    // ISO 8601 in UTC without milliseconds.
    'x-acs-date': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': emptyBodyHash,
  };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim()}\n`).join('');
  const canonicalRequest = ['GET', '/', acsQuery(call.params), canonicalHeaders, names.join(';'), emptyBodyHash].join('\n');
  const stringToSign = `${algorithm}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', key.secret).update(stringToSign).digest('hex');
  return { ...headers, authorization: `${algorithm} Credential=${key.id},SignedHeaders=${names.join(';')},Signature=${signature}` };
}
