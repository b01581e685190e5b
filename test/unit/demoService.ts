import assert from 'node:assert/strict';
import { TraceService } from '../../src/server/traceService';
import { emitDemoTraces, type DemoSummary, type EmitDemoOptions } from '../demo/emitDemoTraces';

/** The real trace service with its receiver on a free loopback port, and no one listening to its events. */
export function quietTraceService(): TraceService {
  return new TraceService(
    { receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 100_000, maxLogRecords: 1000 } },
    { runsChanged: () => {}, statusChanged: () => {}, log: () => {} },
  );
}

/** Starts the service and sends the demo to its receiver with the real OpenTelemetry SDK. */
export async function startAndSendDemo(service: TraceService, options: Omit<EmitDemoOptions, 'endpoint'> = {}): Promise<DemoSummary> {
  await service.start();
  const state = service.status().receiver;
  assert.equal(state.state, 'listening', 'the receiver listens');
  return emitDemoTraces({ ...options, endpoint: state.state === 'listening' ? state.url : '' });
}
