// Failures a run's status does not show, and error kinds only the linked infrastructure half names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectRun } from '../../src/dify/detectRun';
import type { Span } from '../../src/model/span';
import type { Microseconds } from '../../src/model/units';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { RunIndex } from '../../src/server/store/runIndex';
import { aliyunResource, span, traceId } from './spanBuilder';

const appTrace = traceId('7949e0bb5e8740aaa0a182ed5804ee9b');
const infraTrace = traceId('6c63bb2cacf24550a3073c89fbbfb572');
const link = [{ traceId: infraTrace, attributes: {} }];
const common = { 'gen_ai.framework': 'dify' };

/** A succeeded Aliyun workflow whose knowledge retrieval returned nothing, and its infrastructure trace where the vector database failed. */
function retrievalOverFailingVectorDb(): { app: Span[]; infra: Span[] } {
  const app = [
    span({ trace: appTrace, id: 1, name: 'workflow', start: 0, end: 900, resource: aliyunResource, links: link, attributes: { ...common, 'gen_ai.span.kind': 'CHAIN' } }),
    span({ trace: appTrace, id: 2, parent: 1, name: 'Start', start: 10, end: 20, resource: aliyunResource, links: link, attributes: { ...common, 'gen_ai.span.kind': 'TASK' } }),
    span({ trace: appTrace, id: 3, parent: 1, name: 'Search Policies', start: 30, end: 400, resource: aliyunResource, links: link, attributes: { ...common, 'gen_ai.span.kind': 'RETRIEVER', 'retrieval.document': '[]' } }),
    span({ trace: appTrace, id: 4, parent: 1, name: 'Answer', start: 410, end: 880, resource: aliyunResource, links: link, attributes: { ...common, 'gen_ai.span.kind': 'LLM' } }),
  ];
  const retrieval = span({ trace: infraTrace, id: 12, parent: 11, name: 'Search Policies', start: 30, end: 400, attributes: { 'node.type': 'knowledge-retrieval', 'node.id': 'search', 'node.execution_id': 'e-3' } });
  const qdrant = {
    ...span({ trace: infraTrace, id: 13, parent: 12, name: 'POST', start: 40, end: 60, error: 'HTTP 503' }),
    events: [{ name: 'exception', timeUs: 60 as Microseconds, attributes: { 'exception.type': 'qdrant_client.http.exceptions.ResponseHandlingException', 'exception.message': '[Errno 111] Connection refused' } }],
  };
  const infra = [
    span({ trace: infraTrace, id: 10, name: 'POST /v1/workflows/run', start: 0, end: 950 }),
    span({ trace: infraTrace, id: 11, parent: 10, name: 'core.app.apps.workflow.app_runner.WorkflowAppRunner.run', start: 5, end: 940, attributes: { 'dify.app_id': 'app-1' } }),
    retrieval,
    qdrant,
  ];
  return { app, infra };
}

describe('hidden errors in succeeded runs', () => {
  it('marks a succeeded run whose infrastructure half failed, names the node and the span, and classifies it', () => {
    const { app, infra } = retrievalOverFailingVectorDb();
    const run = detectRun(appTrace, app, (id) => (id === infraTrace ? infra : undefined));
    assert.ok(run);
    assert.equal(run.status, 'succeeded', 'Dify said succeeded; the extension does not overrule it');
    assert.equal(run.failingNode, undefined);
    assert.deepEqual(run.hiddenErrors?.node, { title: 'Search Policies', nodeType: 'knowledge-retrieval' });
    assert.equal(run.hiddenErrors?.count, 1);
    assert.match(run.hiddenErrors?.message ?? '', /Connection refused/);
    assert.equal(run.rootCause?.name, 'POST');
    assert.equal(run.rootCause?.traceId, infraTrace);
    assert.equal(run.errorKind, 'vectorDatabase');
  });

  it('finds them with the Runs filter, and counts them in the facets', () => {
    const store = new MemoryTraceStore(10_000);
    const index = new RunIndex(store);
    const { app, infra } = retrievalOverFailingVectorDb();
    index.markChanged(store.add(infra).touched);
    index.markChanged(store.add(app).touched);
    const clean = span({ trace: traceId(0xc1ea), id: 1, name: 'workflow', resource: aliyunResource, attributes: { ...common, 'gen_ai.span.kind': 'CHAIN' } });
    index.markChanged(store.add([clean]).touched);
    assert.equal(index.list({}, 10).runs.length, 2);
    assert.deepEqual(index.list({ hiddenErrors: true }, 10).runs.map((r) => r.traceId), [appTrace]);
    assert.equal(index.facets({}).hiddenErrors, 1);
  });

  it('leaves a clean succeeded run alone', () => {
    const { app } = retrievalOverFailingVectorDb();
    const run = detectRun(appTrace, app, () => []);
    assert.equal(run?.hiddenErrors, undefined);
    assert.equal(run?.rootCause, undefined);
    assert.equal(run?.errorKind, undefined);
  });
});

describe('error kinds across both halves', () => {
  it('reads a vector database error from the infrastructure span when the failing node says nothing specific', () => {
    const { app, infra } = retrievalOverFailingVectorDb();
    const failed = app.map((s) => (s.name === 'workflow' || s.name === 'Search Policies' ? { ...s, status: { code: 'error' as const, message: 'Query failed.' } } : s));
    const infraFailed = infra.map((s) => (s.name === 'Search Policies' ? { ...s, status: { code: 'error' as const, message: 'Query failed.' } } : s));
    const run = detectRun(appTrace, failed, (id) => (id === infraTrace ? infraFailed : undefined));
    assert.equal(run?.status, 'failed');
    assert.equal(run?.errorKind, 'vectorDatabase');
  });

  it('reads a provider status code as an LLM error only where a model was called', () => {
    const text = `Failed to invoke tool: req_id: 1a2b PluginInvokeError: {"args":{},"error_type":"HTTPError","message":"Error code: 429 - {'code': 'rate_limit_exceeded'}"}`;
    const spans = [
      span({ trace: appTrace, id: 1, name: 'workflow', resource: aliyunResource, error: text, attributes: { ...common, 'gen_ai.span.kind': 'CHAIN' } }),
      span({ trace: appTrace, id: 2, parent: 1, name: 'Get Weather', resource: aliyunResource, error: text, attributes: { ...common, 'gen_ai.span.kind': 'TOOL' } }),
    ];
    assert.equal(detectRun(appTrace, spans)?.errorKind, 'pluginInvoke', 'a tool that met a 429 is a plugin error');
    const llm = spans.map((s) => (s.name === 'Get Weather' ? { ...s, name: 'Draft Reply', attributes: { ...common, 'gen_ai.span.kind': 'LLM' } } : s));
    assert.equal(detectRun(appTrace, llm)?.errorKind, 'llmRateLimit', 'an LLM node that met a 429 hit the provider rate limit');
  });
});

describe('error headlines', () => {
  it('names the exception of a sandbox traceback, not its first line', async () => {
    const { errorHeadline } = await import('../../src/shared/errorHeadline');
    assert.equal(errorHeadline('Traceback (most recent call last):\n  File "<string>", line 3, in main\nValueError: item 13 failed the stock check\n'), 'ValueError: item 13 failed the stock check');
    assert.equal(errorHeadline("<anonymous_script>:4\n  return { result: customer.address.city };\n   ^\n\nTypeError: Cannot read properties of undefined (reading 'city')\n    at main (eval at <anonymous>)"), "TypeError: Cannot read properties of undefined (reading 'city')");
    assert.equal(errorHeadline('[Errno 111] Connection refused'), '[Errno 111] Connection refused');
  });
});
