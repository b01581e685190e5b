// The OTLP/gRPC receiver, driven by the OpenTelemetry JS gRPC exporters (real clients, gzip as they
// send it) and by a raw grpc-js client for what an exporter would not send: bad bytes, a foreign
// authority, no token, a flood.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { credentials, Client, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecord } from '../../src/model/logRecord';
import type { Span } from '../../src/model/span';
import { BodyBudget } from '../../src/server/receiver/bodyBudget';
import { RetryInfoSchema } from '../../src/server/receiver/gen/google/rpc/retry_info_pb';
import { StatusSchema } from '../../src/server/receiver/gen/google/rpc/status_pb';
import { ExportTraceServiceResponseSchema } from '../../src/server/receiver/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb';
import { OtlpGrpcReceiver } from '../../src/server/receiver/otlpGrpcReceiver';
import { inlineDecoder } from '../../src/server/receiver/otlpDecoder';
import { OtlpIngest } from '../../src/server/receiver/otlpIngest';
import { sampleProtobuf } from './otlpFixtures';

const tracePath = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const metricsPath = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

interface Received {
  readonly spans: Span[][];
  readonly logs: LogRecord[][];
  readonly refused: string[];
  /** Resolves at the next accepted batch of spans. */
  nextSpans(): Promise<Span[]>;
  nextLogs(): Promise<LogRecord[]>;
}

function receiverUnderTest(options: { host?: string; token?: string; budgetBytes?: number; maxMessageBytes?: number } = {}): { received: Received; readonly port: number; receiver: OtlpGrpcReceiver } {
  const waiting: { spans: ((s: Span[]) => void)[]; logs: ((r: LogRecord[]) => void)[] } = { spans: [], logs: [] };
  const received: Received = {
    spans: [],
    logs: [],
    refused: [],
    nextSpans: () => new Promise((resolve) => waiting.spans.push(resolve)),
    nextLogs: () => new Promise((resolve) => waiting.logs.push(resolve)),
  };
  const ingest = new OtlpIngest(
    {
      onSpans: (spans) => {
        received.spans.push([...spans]);
        for (const w of waiting.spans.splice(0)) w([...spans]);
      },
      onLangfuseSpans: () => assert.fail('no Langfuse path over gRPC'),
      onLogs: (records) => {
        received.logs.push([...records]);
        for (const w of waiting.logs.splice(0)) w([...records]);
      },
      onRejected: (reason) => received.refused.push(reason),
    },
    inlineDecoder,
  );
  const maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
  const receiver = new OtlpGrpcReceiver({
    host: options.host ?? '127.0.0.1',
    port: 0,
    maxMessageBytes,
    budget: new BodyBudget(options.budgetBytes ?? 4 * maxMessageBytes),
    ingest,
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  let port = 0;
  before(async () => {
    const result = await receiver.listen();
    assert.ok(result.ok, result.ok ? '' : result.message);
    port = result.port;
  });
  after(() => receiver.close());
  return {
    received,
    receiver,
    get port() {
      return port;
    },
  };
}

/** One unary call with raw bytes; resolves with the answer or the error status. */
function call(port: number, path: string, body: Buffer, options: { metadata?: Metadata; authority?: string } = {}): Promise<{ ok: true; body: Buffer } | { ok: false; error: ServiceError }> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), options.authority ? { 'grpc.default_authority': options.authority } : {});
  const bytes = (b: Buffer): Buffer => b;
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, bytes, bytes, body, options.metadata ?? new Metadata(), (error, response) => {
      client.close();
      resolve(error ? { ok: false, error } : { ok: true, body: response! });
    });
  });
}

function retryDelaySeconds(error: ServiceError): number | undefined {
  const details = error.metadata.get('grpc-status-details-bin')[0];
  if (!(details instanceof Buffer)) return undefined;
  const status = fromBinary(StatusSchema, details);
  assert.equal(status.code, error.code, 'the detailed status repeats the call status');
  const retry = status.details.map((d) => anyUnpack(d, RetryInfoSchema)).find((r) => r !== undefined);
  return retry?.retryDelay === undefined ? undefined : Number(retry.retryDelay.seconds);
}

describe('OTLP/gRPC receiver', () => {
  const suite = receiverUnderTest();

  it('takes spans from the OpenTelemetry gRPC trace exporter, gzip-compressed', async () => {
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${suite.port}`, compression: CompressionAlgorithm.GZIP });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'dify-api' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const arrived = suite.received.nextSpans();
    const span = provider.getTracer('opentelemetry.instrumentation.flask').startSpan('POST /console/api/apps/{app_id}/workflows/draft/run', { attributes: { 'http.method': 'POST' } });
    span.end();
    await provider.forceFlush();
    const [stored] = await arrived;
    assert.equal(stored?.name, 'POST /console/api/apps/{app_id}/workflows/draft/run');
    assert.equal(stored?.attributes['http.method'], 'POST');
    assert.equal(stored?.resource.serviceName, 'dify-api');
    assert.equal(stored?.traceId, span.spanContext().traceId);
    await provider.shutdown();
  });

  it('takes log records from the OpenTelemetry gRPC logs exporter', async () => {
    const exporter = new OTLPLogExporter({ url: `http://127.0.0.1:${suite.port}` });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'dify-worker' }), processors: [new BatchLogRecordProcessor({ exporter })] });
    const arrived = suite.received.nextLogs();
    provider.getLogger('app').emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'Traceback (most recent call last): KeyError' });
    await provider.forceFlush();
    const [record] = await arrived;
    assert.equal(record?.body, 'Traceback (most recent call last): KeyError');
    assert.equal(record?.severityText, 'ERROR');
    await provider.shutdown();
  });

  it('answers an Export with an ExportTraceServiceResponse, and accepts metrics without keeping them', async () => {
    const traces = await call(suite.port, tracePath, sampleProtobuf());
    assert.ok(traces.ok);
    assert.equal(fromBinary(ExportTraceServiceResponseSchema, traces.body).partialSuccess, undefined);
    const before = suite.received.spans.length;
    const metrics = await call(suite.port, metricsPath, Buffer.alloc(0));
    assert.ok(metrics.ok, 'Dify exports metrics to the same gRPC address');
    assert.equal(suite.received.spans.length, before);
  });

  it('refuses bytes that are not an ExportTraceServiceRequest with INVALID_ARGUMENT and says why', async () => {
    const result = await call(suite.port, tracePath, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    assert.ok(!result.ok);
    assert.equal(result.error.code, GrpcStatus.INVALID_ARGUMENT);
    assert.match(result.error.details, /^Body is not a protobuf ExportTraceServiceRequest: /);
    assert.equal(retryDelaySeconds(result.error), undefined, 'no retry for a request that can never be taken');
    assert.match(suite.received.refused.at(-1) ?? '', /^gRPC: Body is not a protobuf/);
  });

  it('refuses a call addressed to a name that is not loopback (DNS rebinding)', async () => {
    const before = suite.received.spans.length;
    const result = await call(suite.port, tracePath, sampleProtobuf(), { authority: 'rebound.example:4317' });
    assert.ok(!result.ok);
    assert.equal(result.error.code, GrpcStatus.PERMISSION_DENIED);
    assert.match(result.error.details, /rebound\.example/);
    assert.equal(suite.received.spans.length, before);
    assert.ok((await call(suite.port, tracePath, sampleProtobuf(), { authority: 'localhost:4317' })).ok, 'localhost is loopback');
  });
});

describe('OTLP/gRPC receiver limits', () => {
  const suite = receiverUnderTest({ maxMessageBytes: 64 * 1024, budgetBytes: 256 });

  it('answers a message over the limit RESOURCE_EXHAUSTED without RetryInfo, before and after gzip', async () => {
    const big = await call(suite.port, tracePath, Buffer.alloc(65 * 1024));
    assert.ok(!big.ok);
    assert.equal(big.error.code, GrpcStatus.RESOURCE_EXHAUSTED);
    assert.equal(retryDelaySeconds(big.error), undefined, 'exporters do not retry RESOURCE_EXHAUSTED without RetryInfo');

    // A gzip bomb: a small compressed message that inflates past the limit.
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${suite.port}`, compression: CompressionAlgorithm.GZIP });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const before = suite.received.spans.length;
    provider.getTracer('t').startSpan('x', { attributes: { prompt: 'a'.repeat(200 * 1024) } }).end();
    await assert.rejects(provider.forceFlush(), /RESOURCE_EXHAUSTED: Received message that decompresses to a size larger than 65536/);
    assert.equal(suite.received.spans.length, before, 'nothing stored');
    await provider.shutdown();
  });

  it('answers UNAVAILABLE with RetryInfo when the bytes held would pass the budget', async () => {
    const result = await call(suite.port, tracePath, sampleProtobuf());
    assert.ok(sampleProtobuf().length > 256, "the request is larger than the budget");
    assert.ok(!result.ok);
    assert.equal(result.error.code, GrpcStatus.UNAVAILABLE);
    assert.equal(retryDelaySeconds(result.error), 1);
    assert.match(result.error.details, /retry after a second/);
  });
});

describe('OTLP/gRPC receiver open to the network', () => {
  const token = 'b1946ac92492d2347c6235b4d2611184';
  const suite = receiverUnderTest({ host: '0.0.0.0', token });

  it('takes only calls that carry the token, as Dify sends OTLP_API_KEY (authorization: Bearer)', async () => {
    const none = await call(suite.port, tracePath, sampleProtobuf());
    assert.ok(!none.ok);
    assert.equal(none.error.code, GrpcStatus.UNAUTHENTICATED);
    const wrong = new Metadata();
    wrong.set('authorization', 'Bearer not-the-token');
    const refused = await call(suite.port, tracePath, sampleProtobuf(), { metadata: wrong });
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, GrpcStatus.UNAUTHENTICATED);
    assert.ok(!refused.error.details.includes('not-the-token'), 'the offered secret is not echoed');
    const right = new Metadata();
    right.set('authorization', `Bearer ${token}`);
    const before = suite.received.spans.length;
    assert.ok((await call(suite.port, tracePath, sampleProtobuf(), { metadata: right })).ok);
    assert.equal(suite.received.spans.length, before + 1);
  });
});

describe('OTLP/gRPC receiver start', () => {
  it('reports a port in use as EADDRINUSE', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const ingest = new OtlpIngest({ onSpans: () => {}, onLangfuseSpans: () => {}, onLogs: () => {}, onRejected: () => {} }, inlineDecoder);
    const receiver = new OtlpGrpcReceiver({ host: '127.0.0.1', port, maxMessageBytes: 1024, budget: new BodyBudget(4096), ingest });
    const result = await receiver.listen();
    blocker.close();
    assert.ok(!result.ok);
    assert.equal(result.code, 'EADDRINUSE');
  });
});
