/**
 * The HTTP calls a node makes from the Dify API process (to the plugin daemon and to dify-sandbox),
 * with the timing the HTTPX instrumentation records.
 */
import { APP, infraSpanId } from './demoRuns';
import type { NodeRecord, RunRecord } from './runRecords';

/** An HTTP call made by a node, as the HTTPX instrumentation sees it. */
export interface OutboundCall {
  readonly node: NodeRecord;
  readonly url: string;
  /** Gin route template when the callee is the plugin daemon. */
  readonly daemonRoute: string | null;
  readonly spanId: string;
  readonly startMs: number;
  /** HTTPX ends its span when handle_request returns, i.e. when response headers arrive, not when a stream ends. */
  readonly endMs: number;
}

/** PLUGIN_DAEMON_URL / CODE_EXECUTION_ENDPOINT defaults in Dify's docker compose. */
const DAEMON = 'http://plugin_daemon:5002';
const SANDBOX = 'http://sandbox:8194';

export function outboundCalls(record: RunRecord): OutboundCall[] {
  const calls: OutboundCall[] = [];
  const daemon = (n: NodeRecord, path: string, start: number, end: number): void => {
    calls.push({
      node: n,
      url: `${DAEMON}/plugin/${APP.tenantId}/dispatch/${path}`,
      daemonRoute: `/plugin/:tenant_id/dispatch/${path}`,
      spanId: infraSpanId(record.run.infraTraceId, `httpx:${n.key}`),
      startMs: start,
      endMs: end,
    });
  };
  for (const n of record.nodes) {
    // api/core/plugin/impl/base.py _stream_request -> POST {PLUGIN_DAEMON_URL}/plugin/{tenant_id}/dispatch/...
    if (n.key === 'llm') daemon(n, 'llm/invoke', n.startMs + 21, n.startMs + record.llmFirstTokenMs);
    if (n.key === 'retrieval') daemon(n, 'text_embedding/invoke', n.startMs + 9, n.startMs + 118);
    if (n.key === 'tool') daemon(n, 'tool/invoke', n.startMs + 11, n.endMs - 9);
    // api/core/helper/code_executor/code_executor.py execute_code -> POST {CODE_EXECUTION_ENDPOINT}/v1/sandbox/run
    if (n.key === 'code') {
      calls.push({ node: n, url: `${SANDBOX}/v1/sandbox/run`, daemonRoute: null, spanId: infraSpanId(record.run.infraTraceId, 'httpx:code'), startMs: n.startMs + 6, endMs: n.endMs - 5 });
    }
  }
  return calls;
}
