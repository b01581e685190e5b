/**
 * Recordings of a real Dify (test/recorded/<release>/): the request bodies its exporters sent, in
 * arrival order, with what Dify's own database says about each run (expected.json). Read by the
 * recorded tier of the unit tests and by `npm run bench` (fidelity per release and exporter).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Span } from '../../src/model/span';
import { decodeTraceRequest, encodingOf } from '../../src/server/receiver/otlpBody';
import { exportRequestToModel } from '../../src/server/receiver/otlpToModel';

export const recordedRoot = __dirname;

/** One request as Dify sent it. */
export interface RecordedBody {
  readonly ts: number;
  /** Which sender: `infra` (ENABLE_OTEL telemetry of API, worker, daemon), `aliyun`, `phoenix`, `langfuse`. */
  readonly sink: string;
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly body: Buffer;
}

/** Dify's truth about one run (from its workflow_runs / workflow_node_executions rows). */
export interface RecordedRun {
  readonly app_name: string;
  readonly scenario: string;
  readonly exporter: string;
  readonly variant: string;
  readonly workflow_run_id: string;
  readonly message_id: string | null;
  readonly conversation_id: string | null;
  readonly status: string;
  readonly kind: string;
  readonly failing_node: { readonly title: string; readonly node_type: string; readonly node_id: string } | null;
  readonly failed_nodes_in_db: readonly { readonly title: string; readonly node_type: string; readonly node_id: string; readonly index: number }[];
  readonly error: string | null;
  readonly expected_error_kind: string | null;
  readonly x_trace_id_header: string | null;
  readonly app_half_exported: boolean;
  readonly app_trace_id: string | null;
  readonly app_half_link_targets: readonly string[];
  readonly infra_trace_id: string | null;
  readonly infra_trace_recorded: boolean;
  readonly trace_link_joinable: boolean;
  readonly code_failure: { readonly language: string; readonly user_line: number } | null;
  readonly plugin_failure: { readonly plugin: string; readonly file: string; readonly line: number; readonly tool_file: string; readonly traceback_in_traces: boolean } | null;
  /** Runs Dify marked succeeded although a node or an infrastructure span failed (added by this project's review of the recording). */
  readonly hidden_error?: { readonly node_title: string; readonly error_kind: string; readonly explained_by: string } | null;
}

export interface RecordedCorpus {
  /** Folder name, e.g. `dify-1.13.3`. */
  readonly name: string;
  readonly bodies: readonly RecordedBody[];
  readonly runs: ReadonlyMap<string, RecordedRun>;
  /** The DSLs and plugin projects the runs came from, as a developer's workspace. */
  readonly workspace: string;
}

interface IndexEntry {
  readonly ts: number;
  readonly sink: string;
  readonly method?: string;
  readonly path: string;
  readonly content_type: string;
  readonly content_encoding: string;
  readonly offset: number;
  readonly size: number;
}

export function loadRecordedCorpus(name: string): RecordedCorpus {
  const dir = join(recordedRoot, name);
  const blob = gunzipSync(readFileSync(join(dir, 'bodies.bin.gz')));
  const index = readFileSync(join(dir, 'bodies.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as IndexEntry);
  const bodies = index.map((e) => ({
    ts: e.ts,
    sink: e.sink,
    method: e.method ?? 'POST',
    path: e.path,
    contentType: e.content_type,
    contentEncoding: e.content_encoding,
    body: blob.subarray(e.offset, e.offset + e.size),
  }));
  const runs = new Map(Object.entries(JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, RecordedRun>));
  return { name, bodies, runs, workspace: join(dir, 'workspace') };
}

/** Every recorded release in test/recorded, oldest name first. */
export function loadRecordedCorpora(): RecordedCorpus[] {
  return readdirSync(recordedRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(recordedRoot, d.name, 'bodies.jsonl')))
    .map((d) => d.name)
    .sort()
    .map(loadRecordedCorpus);
}

/** Sends one recorded body to a receiver as Dify sent it (method, path, content type and encoding); resolves with the HTTP status. */
export function postRecordedBody(baseUrl: string, body: RecordedBody): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': body.contentType };
    if (body.contentEncoding !== '') headers['content-encoding'] = body.contentEncoding;
    const req = request(baseUrl + body.path, { method: body.method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body.body);
  });
}

/**
 * Sends every recorded trace export to a receiver at `baseUrl` (as OTLP/HTTP on `/v1/traces`, the
 * Aliyun exporter's path included) and hands each body's spans, decoded as the receiver decodes
 * them, to `onSpans`: what a test then gives another store the same way. Fails on any refusal.
 */
export async function replayRecordedTraces(baseUrl: string, corpus: RecordedCorpus, onSpans: (spans: Span[]) => void | Promise<void>): Promise<void> {
  for (const body of corpus.bodies) {
    if (!/\/v1\/traces$|\/api\/otlp\/traces$/.test(body.path)) continue;
    const status = await postRecordedBody(baseUrl, { ...body, path: '/v1/traces' });
    if (status !== 200) throw new Error(`the receiver answered ${status} to recorded body ${body.path} of ${corpus.name}`);
    await onSpans(exportRequestToModel(decodeTraceRequest(body.body, encodingOf(body.contentType)!)).spans);
  }
}
