import { Server, ServerCredentials, type MethodDefinition, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { isLoopbackAddress } from '../../shared/loopback';
import type { BodyBudget } from './bodyBudget';
import { grpcErrorOf } from './grpcErrors';
import type { OtlpIngest } from './otlpIngest';
import { exportResponse } from './otlpResponses';
import { isLoopbackHost, type ListenResult } from './otlpHttpReceiver';
import { headerForMessage } from './redact';
import { ReceiverError } from './receiverError';
import { carriesToken } from './receiverToken';

export interface GrpcReceiverOptions {
  readonly host: string;
  readonly port: number;
  /** Largest message, before and after decompression (grpc-js answers RESOURCE_EXHAUSTED past it). */
  readonly maxMessageBytes: number;
  /** Required on every call when the receiver is not on loopback (see receiverToken.ts). */
  readonly token?: string;
  /** Bytes held over both receivers: a call past it is answered UNAVAILABLE with RetryInfo. */
  readonly budget: BodyBudget;
  /** The decode and store path the HTTP receiver uses too. */
  readonly ingest: OtlpIngest;
}

type Signal = 'traces' | 'logs' | 'metrics';

/** A unary method whose messages stay bytes: the shared decoder turns them into spans, within its limits. */
function rawUnary(path: string): MethodDefinition<Buffer, Buffer> {
  const bytes = (b: Buffer): Buffer => b;
  return { path, requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes };
}

/** The OTLP collector services (opentelemetry-proto collector/*\/v1/*_service.proto). */
const services: Record<Signal, { Export: MethodDefinition<Buffer, Buffer> }> = {
  traces: { Export: rawUnary('/opentelemetry.proto.collector.trace.v1.TraceService/Export') },
  logs: { Export: rawUnary('/opentelemetry.proto.collector.logs.v1.LogsService/Export') },
  // Dify's API exports metrics to the same endpoint (ext_otel.py, OTEL_EXPORTER_OTLP_PROTOCOL=grpc): accepted and dropped.
  metrics: { Export: rawUnary('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export') },
};

/** Calls read at once per connection: with the message limit, what one sender can make the server hold. */
const maxConcurrentStreams = 8;

/**
 * OTLP/gRPC receiver (opentelemetry-proto docs/specification.md, "OTLP/gRPC") on grpc-js: the
 * trace, logs and metrics Export calls, gzip as the exporters send it, the same exposure rules as
 * the HTTP receiver (loopback authority, or the token), and the same decode and store path.
 */
export class OtlpGrpcReceiver {
  private server: Server | undefined;
  private readonly loopbackOnly: boolean;

  constructor(private readonly options: GrpcReceiverOptions) {
    this.loopbackOnly = isLoopbackAddress(options.host);
  }

  listen(): Promise<ListenResult> {
    const server = new Server({
      'grpc.max_receive_message_length': this.options.maxMessageBytes,
      'grpc.max_concurrent_streams': maxConcurrentStreams,
    });
    for (const signal of Object.keys(services) as Signal[]) {
      const implementation: UntypedServiceImplementation = { Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => void this.handle(signal, call, callback) };
      server.addService(services[signal], implementation);
    }
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return new Promise((resolve) => {
      server.bindAsync(`${host}:${this.options.port}`, ServerCredentials.createInsecure(), (error, port) => {
        if (error) {
          server.forceShutdown();
          resolve({ ok: false, code: /EADDRINUSE/.test(error.message) ? 'EADDRINUSE' : 'unknown', message: error.message });
          return;
        }
        this.server = server;
        resolve({ ok: true, url: `http://${host}:${port}`, port });
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    // Calls in flight are answered; an exporter whose call is cut retries it elsewhere or later.
    return new Promise((resolve) => {
      const timer = setTimeout(() => server.forceShutdown(), 2000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async handle(signal: Signal, call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): Promise<void> {
    const body = call.request;
    let reserved = false;
    try {
      if (this.loopbackOnly && !isLoopbackHost(call.getHost())) {
        throw new ReceiverError('misdirected', `The receiver listens on loopback only and takes calls addressed to it (127.0.0.1, localhost or [::1]), not to "${headerForMessage(call.getHost())}".`);
      }
      if (!this.loopbackOnly && (this.options.token === undefined || !carriesToken(headersOf(call), '', this.options.token))) {
        throw new ReceiverError('unauthorized', this.options.token === undefined ? 'The receiver is open to the network but has no token yet; it takes no calls.' : "The call carries no valid token: set Dify's OTLP_API_KEY (sent as authorization: Bearer) to the receiver token (Dify Trace: Copy Receiver Token).");
      }
      if (!this.options.budget.reserve(body.length)) {
        throw new ReceiverError('overloaded', `The trace server holds ${this.options.budget.limit} bytes of requests already; retry after a second.`);
      }
      reserved = true;
      if (signal === 'metrics') return callback(null, Buffer.alloc(0));
      const { rejected, rejectionReason } = signal === 'logs' ? await this.options.ingest.logs(body, 'protobuf') : await this.options.ingest.traces(body, 'protobuf');
      callback(null, exportResponse('protobuf', signal, rejected, rejectionReason).body);
    } catch (e) {
      const error = grpcErrorOf(e);
      this.options.ingest.sink.onRejected(`gRPC: ${error.details ?? 'refused'}`);
      callback(error);
    } finally {
      if (reserved) this.options.budget.release(body.length);
    }
  }
}

/** The call's metadata as the headers the token check reads (gRPC metadata keys are lower case). */
function headersOf(call: ServerUnaryCall<Buffer, Buffer>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(call.metadata.getMap())) if (typeof value === 'string') headers[key] = value;
  return headers;
}
