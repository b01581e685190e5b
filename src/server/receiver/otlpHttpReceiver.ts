import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackAddress } from '../../shared/loopback';
import { BodyBudget } from './bodyBudget';
import { decompress, encodingOf, type OtlpEncoding } from './otlpBody';
import { inlineDecoder, type OtlpDecoder } from './otlpDecoder';
import { OtlpIngest, type OtlpSink } from './otlpIngest';
import { exportResponse, statusResponse } from './otlpResponses';
import { httpStatusOf, ReceiverError } from './receiverError';
import { ingestionToModel } from './langfuse/ingestionToModel';
import { headerForMessage, redactPath } from './redact';
import { carriesToken } from './receiverToken';
import { parseIngestionBatch } from './langfuse/ingestionWire';

export interface ReceiverOptions extends OtlpSink {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  /** Required on every request when the receiver is not on loopback (see receiverToken.ts). */
  readonly token?: string;
  /**
   * Bytes of request bodies held at once, over all requests being read (default four bodies at the
   * limit): past it a request is answered 503 with Retry-After, as OTLP senders expect, rather than
   * the trace server growing without bound under a flood. Shared with the gRPC receiver when given.
   */
  readonly budget?: BodyBudget;
  /** How bodies become spans (default: on this thread); shared with the gRPC receiver. */
  readonly decoder?: OtlpDecoder;
  /**
   * Which trace database this receiver writes to (a digest of its path): answered at
   * `GET /dify-trace/owner`, so the trace server of another window that finds the port taken knows
   * it can follow the same database rather than report a foreign process.
   */
  readonly archiveId?: string;
}


/** How long an idle connection stays open (several export intervals of an OpenTelemetry SDK). */
const keepAliveMs = 65_000;
/** The path another window's trace server asks to learn who holds the port. */
export const ownerPath = '/dify-trace/owner';
export const ownerService = 'dify-trace-explorer';

export type ListenResult =
  | { readonly ok: true; readonly url: string; readonly port: number }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * OTLP/HTTP receiver (opentelemetry-proto docs/specification.md, "OTLP/HTTP"): POST /v1/traces and
 * /v1/logs in protobuf or JSON, optionally gzip. /v1/metrics is accepted and dropped, because Dify's
 * API exports metrics to the same base endpoint and would otherwise log an error per export.
 */
export class OtlpHttpReceiver {
  private server: Server | undefined;
  /** Bound to a loopback address: only requests addressed to loopback are taken (no DNS rebinding). */
  private readonly loopbackOnly: boolean;

  /** Request body bytes held now, over every request being read. */
  readonly budget: BodyBudget;
  private readonly ingest: OtlpIngest;

  constructor(private readonly options: ReceiverOptions) {
    this.loopbackOnly = isLoopbackAddress(options.host);
    this.budget = options.budget ?? new BodyBudget(4 * options.maxBodyBytes);
    this.ingest = new OtlpIngest(options, options.decoder ?? inlineDecoder);
  }

  listen(): Promise<ListenResult> {
    const server = createServer((req, res) => void this.handle(req, res));
    // OpenTelemetry SDKs export every 5 s by default (OTEL_BSP_SCHEDULE_DELAY), which is also Node's
    // default keep-alive timeout: the server would close a connection just as the exporter reuses it,
    // and the exporter sees ECONNRESET. Idle connections are kept well past one export interval.
    server.keepAliveTimeout = keepAliveMs;
    server.headersTimeout = keepAliveMs + 1_000;
    this.server = server;
    return new Promise((resolve) => {
      server.once('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, code: e.code ?? 'unknown', message: e.message }));
      server.listen(this.options.port, this.options.host, () => {
        const { port } = server.address() as AddressInfo;
        const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
        resolve({ ok: true, url: `http://${host}:${port}`, port });
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const encoding: OtlpEncoding = encodingOf(req.headers['content-type']) ?? 'protobuf';
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (this.loopbackOnly && !isLoopbackHost(req.headers.host)) {
        // A web page whose DNS name was rebound to 127.0.0.1 could otherwise post traces from the user's browser.
        throw new ReceiverError('misdirected', `The receiver listens on loopback only and takes requests addressed to it (Host 127.0.0.1, localhost or [::1]), not to "${headerForMessage(req.headers.host)}".`);
      }
      if (!this.loopbackOnly && (this.options.token === undefined || !carriesToken(req.headers, path, this.options.token))) {
        // Open to the network: only senders that hold the token (Dify's OTLP_API_KEY, a license key, an API key).
        throw new ReceiverError('unauthorized', this.options.token === undefined ? 'The receiver is open to the network but has no token yet; it takes no requests.' : "The request carries no valid token: set Dify's OTLP_API_KEY (or the exporter's API key, license key or secret key) to the receiver token (Dify Trace: Copy Receiver Token).");
      }
      if (path === ownerPath && req.method === 'GET') {
        return send(res, 200, { contentType: 'application/json', body: Buffer.from(JSON.stringify({ service: ownerService, archive: this.options.archiveId ?? null })) });
      }
      const kind = endpointOf(path);
      if (kind === undefined) {
        throw new ReceiverError('notFound', `No OTLP endpoint at ${redactPath(path)}; send traces to /v1/traces and logs to /v1/logs.`);
      }
      if (kind === 'langfuseProjects') return send(res, 200, langfuseProjectsResponse(publicKeyOf(req.headers.authorization)));
      if (req.method !== 'POST') throw new ReceiverError('methodNotAllowed', `Use POST for ${redactPath(path)}.`);
      if (kind === 'langfuseIngestion') return await this.acceptLangfuse(req, res);
      const bodyEncoding = encodingOf(req.headers['content-type']);
      if (bodyEncoding === undefined) {
        throw new ReceiverError('badRequest', `Unsupported Content-Type "${headerForMessage(req.headers['content-type'])}"; send application/x-protobuf or application/json.`);
      }
      const raw = await readBody(req, this.options.maxBodyBytes, this.budget);
      try {
        const body = await decompress(raw.body, req.headers['content-encoding'], this.options.maxBodyBytes);
        if (kind === 'metrics') return send(res, 200, exportResponse(bodyEncoding, 'traces', 0));
        const { rejected, rejectionReason } = kind === 'logs' ? await this.ingest.logs(body, bodyEncoding) : await this.ingest.traces(body, bodyEncoding, kind === 'langfuseOtlp');
        send(res, 200, exportResponse(bodyEncoding, kind === 'logs' ? 'logs' : 'traces', rejected, rejectionReason));
      } finally {
        raw.release();
      }
    } catch (e) {
      const status = ReceiverError.is(e) ? httpStatusOf[e.kind] : 503;
      const message = ReceiverError.is(e) ? e.message : `The trace server could not store the request's data: ${(e as Error).message}`;
      this.options.onRejected(message);
      if (status === 413 || status === 400) res.setHeader('Connection', 'close');
      // OTLP senders retry a 503 after Retry-After (opentelemetry-proto specification, "Failures").
      if (ReceiverError.is(e, 'overloaded')) res.setHeader('Retry-After', '1');
      send(res, status, statusResponse(encoding, message));
    }
  }

  /**
   * Langfuse's ingestion API: answered as Langfuse does, 207 with the envelope ids that succeeded
   * and those that failed (langfuse-python retries a whole batch when `errors` is not empty, so only
   * events that can never be taken are reported there).
   */
  private async acceptLangfuse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (encodingOf(req.headers['content-type']) !== 'json') throw new ReceiverError('badRequest', `Unsupported Content-Type "${headerForMessage(req.headers['content-type'])}" for Langfuse ingestion; send application/json.`);
    const raw = await readBody(req, this.options.maxBodyBytes, this.budget);
    let body: Buffer;
    try {
      body = await decompress(raw.body, req.headers['content-encoding'], this.options.maxBodyBytes);
    } finally {
      raw.release();
    }
    const batch = parseIngestionBatch(body);
    const mapped = ingestionToModel(batch.events, publicKeyOf(req.headers.authorization), Date.now() * 1000);
    if (mapped.spans.length > 0) this.options.onLangfuseSpans(mapped.spans);
    const errors = [...batch.refused, ...mapped.refused].map((r) => ({ id: r.id, status: 400, message: r.message }));
    if (errors.length > 0) this.options.onRejected(`Langfuse ingestion: ${errors.length} event(s) refused, e.g. ${errors[0]!.message}`);
    const failed = new Set(errors.map((e) => e.id));
    const successes = [...batch.events.map((e) => e.id), ...batch.ignored].filter((id) => !failed.has(id)).map((id) => ({ id, status: 201 }));
    send(res, 207, { contentType: 'application/json', body: Buffer.from(JSON.stringify({ successes, errors })) });
  }
}

/**
 * Standard OTLP paths, plus the path Dify's Alibaba Cloud exporter builds from its endpoint and
 * license key (`{endpoint}/adapt_{license_key}/api/otlp/traces`, or `.../api/v1/traces` for CMS 2.0;
 * and Langfuse's `{host}/api/public/otel/v1/traces`;
 * dify_trace_aliyun/data_exporter/traceclient.py build_endpoint), so that exporter can point here.
 */
export function endpointOf(path: string): 'traces' | 'langfuseOtlp' | 'logs' | 'metrics' | 'langfuseIngestion' | 'langfuseProjects' | undefined {
  if (path === '/v1/traces' || /\/adapt_[^/]+\/api\/(?:otlp\/traces|v1\/traces)$/.test(path)) return 'traces';
  // Langfuse's REST ingestion API and the project list its SDK reads to check credentials, where
  // Dify's Langfuse exporter sends when its host points here (langfuse-python client.py auth_check).
  if (path.endsWith('/api/public/ingestion')) return 'langfuseIngestion';
  if (path.endsWith('/api/public/projects')) return 'langfuseProjects';
  // Langfuse's OTLP endpoint, where Dify's native Langfuse export sends when its host points here.
  if (path.endsWith('/api/public/otel/v1/traces')) return 'langfuseOtlp';
  if (path === '/v1/logs') return 'logs';
  if (path === '/v1/metrics') return 'metrics';
  return undefined;
}

/** A Host header naming a loopback address, with or without a port; a request without one (HTTP/1.0) is not a browser's. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return isLoopbackAddress(name);
}

/** The public key of a Langfuse client's Basic credentials (`public:secret`); the secret is never kept. */
export function publicKeyOf(authorization: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = (colon < 0 ? decoded : decoded.slice(0, colon)).trim();
  return key === '' ? undefined : key.slice(0, 200);
}

/**
 * The project list Langfuse answers for a key pair; both SDK generations Dify uses accept this shape
 * (4.x requires `organization` and `metadata`).
 */
function langfuseProjectsResponse(publicKey: string | undefined): { contentType: string; body: Buffer } {
  const name = publicKey ?? 'Dify Trace Explorer';
  const project = { id: 'dify-trace-explorer', name, organization: { id: 'local', name: 'Dify Trace Explorer' }, metadata: {} };
  return { contentType: 'application/json', body: Buffer.from(JSON.stringify({ data: [project] })) };
}

function send(res: ServerResponse, status: number, response: { contentType: string; body: Buffer }): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': response.contentType, 'Content-Length': response.body.length });
  res.end(response.body);
}

/**
 * Past the limit a body is still read to its end (and dropped), up to this much more, so that a
 * sender that writes its whole body before reading the answer gets the 413 rather than a broken
 * pipe it would retry; beyond it the connection is closed.
 */
const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Collects the body within the shared budget. One over the limit (declared or counted) is drained and
 * refused with 413; one that would take the trace server past its budget is drained and refused with
 * 503 (the sender retries later). The caller releases the bytes once the body is processed.
 */
function readBody(req: IncomingMessage, maxBytes: number, budget: BodyBudget): Promise<{ body: Buffer; release: () => void }> {
  const declared = Number(req.headers['content-length'] ?? '0');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let tooLarge = declared > maxBytes;
    let overloaded = false;
    const drop = (): void => {
      budget.release(held);
      held = 0;
      chunks.length = 0;
    };
    const refuse = (): ReceiverError =>
      overloaded
        ? new ReceiverError('overloaded', `The trace server holds ${budget.limit} bytes of request bodies already; retry after a second.`)
        : new ReceiverError('tooLarge', declared > maxBytes ? `Body of ${declared} bytes exceeds the limit of ${maxBytes} bytes.` : `Body exceeds the limit of ${maxBytes} bytes.`);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (!tooLarge && size > maxBytes) {
        tooLarge = true;
        drop();
      }
      if (!tooLarge && !overloaded) {
        if (budget.reserve(chunk.length)) {
          held += chunk.length;
          chunks.push(chunk);
        } else {
          overloaded = true;
          drop();
        }
      }
      if ((tooLarge || overloaded) && size > maxBytes + DRAIN_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        reject(refuse());
      }
    });
    req.on('end', () => (tooLarge || overloaded ? reject(refuse()) : resolve({ body: Buffer.concat(chunks, size), release: () => drop() })));
    req.on('error', (e) => {
      drop();
      reject(new ReceiverError('badRequest', `The request body could not be read: ${e.message}`, { cause: e }));
    });
  });
}
