import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { create, toBinary } from '@bufbuild/protobuf';
import { anyPack, DurationSchema } from '@bufbuild/protobuf/wkt';
import { RetryInfoSchema } from './gen/google/rpc/retry_info_pb';
import { StatusSchema } from './gen/google/rpc/status_pb';
import { ReceiverError, type ReceiverErrorKind } from './receiverError';

/**
 * The gRPC status for each reason a request is refused. OTLP/gRPC exporters retry UNAVAILABLE, and
 * RESOURCE_EXHAUSTED only when it carries RetryInfo (opentelemetry-proto specification, "OTLP/gRPC
 * Throttling"); a request that can never be taken gets a status they do not retry.
 */
export const grpcStatusOf: Record<ReceiverErrorKind, GrpcStatus> = {
  badRequest: GrpcStatus.INVALID_ARGUMENT,
  tooLarge: GrpcStatus.INVALID_ARGUMENT,
  notFound: GrpcStatus.UNIMPLEMENTED,
  methodNotAllowed: GrpcStatus.UNIMPLEMENTED,
  misdirected: GrpcStatus.PERMISSION_DENIED,
  overloaded: GrpcStatus.UNAVAILABLE,
  unauthorized: GrpcStatus.UNAUTHENTICATED,
};

/** Seconds an overloaded receiver asks the exporter to wait (the HTTP receiver's Retry-After too). */
export const retryAfterSeconds = 1;

/**
 * A refused call as grpc-js sends it: the status, the message, and for "retry later" a
 * google.rpc.Status with RetryInfo in `grpc-status-details-bin`, which the Python and Go exporters
 * read to wait before retrying.
 */
export function grpcErrorOf(e: unknown): Partial<ServiceError> {
  const retry = !ReceiverError.is(e) || e.kind === 'overloaded';
  const code = ReceiverError.is(e) ? grpcStatusOf[e.kind] : GrpcStatus.UNAVAILABLE;
  const details = ReceiverError.is(e) ? e.message : `The trace server could not store the request's data: ${(e as Error).message}`;
  const metadata = new Metadata();
  if (retry) {
    const retryInfo = create(RetryInfoSchema, { retryDelay: create(DurationSchema, { seconds: BigInt(retryAfterSeconds) }) });
    const status = create(StatusSchema, { code, message: details, details: [anyPack(RetryInfoSchema, retryInfo)] });
    metadata.set('grpc-status-details-bin', Buffer.from(toBinary(StatusSchema, status)));
  }
  return { code, details, metadata };
}
