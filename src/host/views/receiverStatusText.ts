/** Words and figures for the receiver's status bar item. Pure. */
import type { ReceiverStatus } from '../../shared/lspProtocol';

/** "12 spans/s", "0.4 spans/s", "1.2k spans/s"; empty when nothing arrives (or the server does not say). */
export function spanRateText(spansPerSecond: number | undefined): string {
  if (spansPerSecond === undefined || !Number.isFinite(spansPerSecond) || spansPerSecond < 0.05) return '';
  if (spansPerSecond >= 1000) return `${(spansPerSecond / 1000).toFixed(1)}k spans/s`;
  if (spansPerSecond >= 10) return `${Math.round(spansPerSecond)} spans/s`;
  return `${spansPerSecond.toFixed(1)} spans/s`;
}

/** The text after the address while listening: the rate, then refused requests (the status bar shows `$(warning)`). */
export function listeningDetails(status: ReceiverStatus): { readonly rate: string; readonly refused: string } {
  return {
    rate: spanRateText(status.spansPerSecond),
    refused: status.rejectedRequests > 0 ? `${status.rejectedRequests} refused` : '',
  };
}

/**
 * The counts line of the tooltip: traces, spans, log records. Not `runs`: the server counts runs
 * lazily (when they are listed), so the figure sent with a status can lag; the Runs view shows them.
 */
export function storeCountsText(status: ReceiverStatus): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const size = status.spanBytes === undefined ? '' : ` (${(status.spanBytes / (1024 * 1024)).toFixed(1)} MiB)`;
  const parts = [`${n(status.traces)} traces`, `${n(status.spans)} spans${size}`];
  if (status.logRecords > 0) parts.push(`${n(status.logRecords)} log records`);
  return `${parts.join(' · ')} in memory (embedded backend)`;
}

function requestsText(count: number | undefined): string {
  return count === undefined ? '' : ` (${count.toLocaleString('en-US')} request${count === 1 ? '' : 's'} so far)`;
}

/**
 * The OTLP/gRPC receiver beside the HTTP one: a short part for the status bar text ("gRPC 4317", or
 * its problem) and a sentence for the tooltip; undefined when it is turned off.
 */
export function grpcStatusText(status: ReceiverStatus): { readonly text: string; readonly tooltip: string; readonly problem: boolean } | undefined {
  const g = status.grpc;
  switch (g?.state) {
    case undefined:
    case 'disabled':
    case 'starting':
    case 'following':
      return undefined;
    case 'listening':
      return { text: `gRPC ${g.url.replace(/^.*:/, '')}`, tooltip: `OTLP/gRPC is taken at ${g.url.replace(/^http:\/\//, '')}${requestsText(status.acceptedRequests?.grpc)}.`, problem: false };
    case 'portInUse':
      return { text: `gRPC port ${g.port} in use`, tooltip: `Another process listens on ${g.host}:${g.port}, so OTLP/gRPC is not taken (OTLP/HTTP is).`, problem: true };
    case 'failed':
      return { text: 'gRPC failed', tooltip: `The OTLP/gRPC receiver could not start: ${g.message}`, problem: true };
  }
}
