// LangSmith is hosted (self-hosting is an enterprise deployment): its adapter is tested against a
// server answering as LangSmith's API is documented to (sessions; `POST /api/v1/runs/query` with
// `session`, `is_root`, `start_time`, `trace`, `limit` up to 100, cursor paging; `x-api-key`), serving
// the runs a real Dify 1.13.3 sent to its LangSmith tracing (test/fixtures/langsmith, recorded here:
// its README). The runs listed must be the ones Dify's database knows, with their status, kind,
// failing node, error kind; `generate_conversation_name` runs are not runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RemoteBackend } from '../../src/server/backends/remote/remoteBackend';
import type { LangsmithRun } from '../../src/server/backends/remote/langsmithRuns';
import { LangsmithSource } from '../../src/server/backends/remote/langsmithSource';
import { SourceError } from '../../src/server/backends/remote/traceSource';
import { listenOnLoopback } from './listenOnLoopback';

const fixture = join(__dirname, '..', 'fixtures', 'langsmith', 'dify-1.13.3');
const runs = (JSON.parse(readFileSync(join(fixture, 'runs.json'), 'utf8')) as { runs: LangsmithRun[] }).runs;
interface Expected {
  readonly variant: string;
  readonly status: string;
  readonly kind: string;
  readonly failing_node: { readonly title: string; readonly node_type: string } | null;
  readonly error: string | null;
  readonly expected_error_kind: string | null;
  readonly langsmith_trace_id: string;
  readonly conversation_id: string | null;
}
const expected = new Map(Object.entries(JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Record<string, Expected>));
const session = runs[0]!.session_id!;
const apiKey = 'lsv2_pt_test';
const everything = { sinceMs: 0, untilMs: Date.now() + 3_600_000 };
const uuidHex = (id: string | null | undefined) => (id ?? '').replaceAll('-', '').toLowerCase();

function fakeLangsmith(asked: { path: string; body?: Record<string, unknown> }[]): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', (): void => {
      const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      asked.push({ path: url.pathname, ...(body === undefined ? {} : { body }) });
      if (req.headers['x-api-key'] !== apiKey) return send(401, { detail: 'Invalid token' });
      if (req.method === 'GET' && url.pathname === '/api/v1/sessions') {
        const project = { id: session, name: 'dify-langsmith', tenant_id: 'a6b1c3d4-0000-4000-8000-000000000001', run_count: runs.length };
        const name = url.searchParams.get('name');
        return send(200, name === null || name === project.name ? [project] : []);
      }
      if (req.method === 'POST' && url.pathname === '/api/v1/runs/query' && body !== undefined) {
        const limit = Number(body['limit'] ?? 100);
        if (limit > 100) return send(422, { detail: 'limit must be at most 100' });
        assert.deepEqual(body['session'], [session]);
        let found = runs;
        if (typeof body['trace'] === 'string') found = found.filter((r) => uuidHex(r.trace_id ?? r.id) === uuidHex(body['trace'] as string));
        if (body['is_root'] === true) found = found.filter((r) => !r.parent_run_id);
        const since = typeof body['start_time'] === 'string' ? Date.parse(body['start_time']) : -Infinity;
        found = found.filter((r) => Date.parse(`${r.start_time!}Z`) >= since).sort((a, b) => Date.parse(`${b.start_time!}Z`) - Date.parse(`${a.start_time!}Z`));
        const offset = Number(body['cursor'] ?? 0);
        const page = found.slice(offset, offset + limit);
        return send(200, { runs: page, cursors: { next: offset + limit < found.length ? String(offset + limit) : null } });
      }
      return send(404, { detail: 'Not Found' });
    });
  });
}

describe("LangSmith backend, against its documented runs query API serving a real Dify's LangSmith export", () => {
  const asked: { path: string; body?: Record<string, unknown> }[] = [];
  const server = fakeLangsmith(asked);
  let url = '';
  const source = (extra: Partial<ConstructorParameters<typeof LangsmithSource>[0]> = {}) => new LangsmithSource({ url, headers: { authorization: `Bearer ${apiKey}` }, ...extra });

  before(async () => {
    url = await listenOnLoopback(server);
  });
  after(() => server.close());

  it('lists every run Dify recorded, with its status, kind, failing node and error kind', async () => {
    // Two runs were sent with one X-Trace-Id, which Dify 1.13.3 makes their LangSmith trace id: one trace, one run shown.
    const sharedTrace = [...expected.values()].filter((r, _, all) => all.filter((o) => o.langsmith_trace_id === r.langsmith_trace_id).length > 1);
    assert.equal(sharedTrace.length, 2);
    const page = await new RemoteBackend('langsmith', source(), { searchLimit: 1_000 }).listRuns({ filter: everything, limit: 1_000 });
    const byRunId = new Map(page.runs.map((r) => [r.workflowRunId, r]));
    assert.equal(page.runs.length, expected.size - 1, page.runs.map((r) => `${r.appName} ${r.workflowRunId}`).join('\n'));
    for (const [workflowRunId, truth] of expected) {
      const run = byRunId.get(workflowRunId);
      if (run === undefined && sharedTrace.some((r) => r === truth)) continue;
      assert.ok(run, `${truth.variant} ${workflowRunId} is listed`);
      assert.equal(run.status, truth.status, truth.variant);
      assert.equal(run.kind, truth.kind, truth.variant);
      assert.equal(run.source, 'langsmith');
      assert.equal(run.failingNode?.title, truth.failing_node?.title, truth.variant);
      assert.equal(run.errorKind ?? null, truth.expected_error_kind, truth.variant);
      assert.equal(run.conversationId ?? null, truth.conversation_id, truth.variant);
      assert.equal(run.appName, 'dify-langsmith', 'Dify 1.13.3 sends app_name "": the project names the app');
    }
    // Root runs were asked page by page (cursor), then each trace.
    assert.ok(asked.some((a) => a.body?.['is_root'] === true && a.body['cursor'] === undefined));
    assert.ok(asked.filter((a) => typeof a.body?.['trace'] === 'string').length >= expected.size - 1);
  });

  it('opens a failed run: the failing node carries the workflow run\'s error, node titles as names', async () => {
    const [workflowRunId, truth] = [...expected].find(([, r]) => r.variant === 'wf-code-py-error.otel-off')!;
    const traceId = uuidHex(truth.langsmith_trace_id);
    const snapshot = await new RemoteBackend('langsmith', source()).getTrace({ traceId });
    assert.ok(snapshot);
    const failed = snapshot.spans.filter((s) => s.status.code === 'error');
    assert.deepEqual(failed.map((s) => s.name).sort(), ['Split Shipments', 'workflow']);
    assert.ok(failed.every((s) => /ZeroDivisionError/.test(s.status.message ?? '')));
    assert.equal(snapshot.run?.workflowRunId, workflowRunId);
    assert.equal(snapshot.spans.find((s) => s.parentSpanId === undefined)?.attributes['langsmith.run_id'], workflowRunId);
  });

  it('reads only the projects named, and says so when one does not exist', async () => {
    const page = await new RemoteBackend('langsmith', source({ projects: ['dify-langsmith'] }), { searchLimit: 1_000 }).listRuns({ filter: everything, limit: 1_000 });
    assert.equal(page.runs.length, expected.size - 1);
    await assert.rejects(source({ projects: ['nope'] }).search({ ...everything, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'notFound' && /"nope"/.test(e.message));
  });

  it('says what to do without an API key, or with one LangSmith refuses', async () => {
    const before = asked.length;
    await assert.rejects(source({ headers: {} }).search({ ...everything, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'unauthorized' && /Set Backend Credentials/.test(e.message));
    assert.equal(asked.length, before, 'nothing is asked without a key');
    await assert.rejects(source({ headers: { authorization: 'Bearer lsv2_wrong' } }).search({ ...everything, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'unauthorized' && /Invalid token/.test(e.message) && !e.message.includes('lsv2_wrong'));
  });

  it('links a run to its place in LangSmith\'s UI', async () => {
    const s = source({ url: url });
    const truth = [...expected.values()].find((r) => r.variant === 'wf-success.otel-off')!;
    await s.trace(uuidHex(truth.langsmith_trace_id) as never);
    assert.match(s.uiUrl(uuidHex(truth.langsmith_trace_id)), new RegExp(`/o/a6b1c3d4-0000-4000-8000-000000000001/projects/p/${session}/r/${truth.langsmith_trace_id}$`));
    assert.equal(new LangsmithSource({ url: 'https://api.smith.langchain.com' }).uiUrl('0'.repeat(32)), 'https://smith.langchain.com/');
    assert.equal(new LangsmithSource({ url: 'https://eu.api.smith.langchain.com' }).uiUrl('0'.repeat(32)), 'https://eu.smith.langchain.com/');
    assert.equal(new LangsmithSource({ url: 'https://langsmith.internal/api' }).uiUrl('0'.repeat(32)), 'https://langsmith.internal/');
  });
});
