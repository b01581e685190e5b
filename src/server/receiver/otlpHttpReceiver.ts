import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import type { TraceId } from '../../model/units';
import { decodeLogsRequest, decodeTraceRequest, decompress, encodingOf, type OtlpEncoding } from './otlpBody';
import { logsRequestToModel } from './otlpLogsToModel';
import { exportResponse, statusResponse } from './otlpResponses';
import { exportRequestToModel } from './otlpToModel';
import { httpStatusOf, ReceiverError } from './receiverError';

export interface ReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  /** Called once per accepted request with its spans; throwing makes the request fail with 503. */
  /** Accepted spans, and per trace the spans of that trace the request carried but we rejected. */
  readonly onSpans: (spans: readonly Span[], rejectedByTrace: ReadonlyMap<TraceId, number>) => void;
  /** Called once per accepted logs request with its records; throwing makes the request fail with 503. */
  readonly onLogs: (records: readonly LogRecord[]) => void;
  readonly onRejected: (reason: string) => void;
}

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

  constructor(private readonly options: ReceiverOptions) {}

  listen(): Promise<ListenResult> {
    const server = createServer((req, res) => void this.handle(req, res));
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
      const kind = endpointOf(path);
      if (kind === undefined) {
        throw new ReceiverError('notFound', `No OTLP endpoint at ${path}; send traces to /v1/traces and logs to /v1/logs.`);
      }
      if (req.method !== 'POST') throw new ReceiverError('methodNotAllowed', `Use POST for ${path}.`);
      const bodyEncoding = encodingOf(req.headers['content-type']);
      if (bodyEncoding === undefined) {
        throw new ReceiverError('badRequest', `Unsupported Content-Type "${req.headers['content-type'] ?? ''}"; send application/x-protobuf or application/json.`);
      }
      const raw = await readBody(req, this.options.maxBodyBytes);
      const body = await decompress(raw, req.headers['content-encoding'], this.options.maxBodyBytes);
      if (kind === 'metrics') return send(res, 200, exportResponse(bodyEncoding, 'traces', 0));
      const { rejected, rejectionReason } = kind === 'logs' ? this.acceptLogs(body, bodyEncoding) : this.acceptSpans(body, bodyEncoding);
      if (rejectionReason) this.options.onRejected(rejectionReason);
      send(res, 200, exportResponse(bodyEncoding, kind, rejected, rejectionReason));
    } catch (e) {
      const status = ReceiverError.is(e) ? httpStatusOf[e.kind] : 503;
      const message = ReceiverError.is(e) ? e.message : `The trace server could not store the request's data: ${(e as Error).message}`;
      this.options.onRejected(message);
      if (status === 413 || status === 400) res.setHeader('Connection', 'close');
      send(res, status, statusResponse(encoding, message));
    }
  }

  private acceptSpans(body: Buffer, encoding: OtlpEncoding): { rejected: number; rejectionReason?: string | undefined } {
    const mapped = exportRequestToModel(decodeTraceRequest(body, encoding));
    if (mapped.spans.length > 0 || mapped.rejectedByTrace.size > 0) this.options.onSpans(mapped.spans, mapped.rejectedByTrace);
    return mapped;
  }

  private acceptLogs(body: Buffer, encoding: OtlpEncoding): { rejected: number; rejectionReason?: string | undefined } {
    const mapped = logsRequestToModel(decodeLogsRequest(body, encoding));
    if (mapped.records.length > 0) this.options.onLogs(mapped.records);
    return mapped;
  }
}

/**
 * Standard OTLP paths, plus the path Dify's Alibaba Cloud exporter builds from its endpoint and
 * license key (`{endpoint}/adapt_{license_key}/api/otlp/traces`, or `.../api/v1/traces` for CMS 2.0;
 * and Langfuse's `{host}/api/public/otel/v1/traces`;
 * dify_trace_aliyun/data_exporter/traceclient.py build_endpoint), so that exporter can point here.
 */
export function endpointOf(path: string): 'traces' | 'logs' | 'metrics' | undefined {
  if (path === '/v1/traces' || /\/adapt_[^/]+\/api\/(?:otlp\/traces|v1\/traces)$/.test(path)) return 'traces';
  // Langfuse's OTLP endpoint, where Dify's native Langfuse export sends when its host points here.
  if (path.endsWith('/api/public/otel/v1/traces')) return 'traces';
  if (path === '/v1/logs') return 'logs';
  if (path === '/v1/metrics') return 'metrics';
  return undefined;
}

function send(res: ServerResponse, status: number, response: { contentType: string; body: Buffer }): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': response.contentType, 'Content-Length': response.body.length });
  res.end(response.body);
}

/** Collects the body, refusing it (413) as soon as it is known to exceed the limit. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) {
    req.resume();
    return Promise.reject(new ReceiverError('tooLarge', `Body of ${declared} bytes exceeds the limit of ${maxBytes} bytes.`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ReceiverError('tooLarge', `Body exceeds the limit of ${maxBytes} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', (e) => reject(new ReceiverError('badRequest', `The request body could not be read: ${e.message}`, { cause: e })));
  });
}
