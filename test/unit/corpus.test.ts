// The classification corpus (test/corpus/cases): every Dify exporter's shape × node type × error
// type, decoded by the receiver and classified; each measure must be 100%.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCorpus } from '../corpus/loadCorpus';
import { decodeTraceRequest } from '../../src/server/receiver/otlpBody';
import { exportRequestToModel } from '../../src/server/receiver/otlpToModel';
import { TraceService } from '../../src/server/traceService';
import { evaluateCorpus, ingestCase, percent, type Score } from './corpusEvaluation';

describe('classification corpus', () => {
  const cases = loadCorpus();
  const scores = evaluateCorpus(cases);
  const expectAll = (name: string, s: Score): void => {
    assert.ok(s.total > 0, `the corpus has ${name} to check`);
    assert.deepEqual(s.misses, [], `${name}: ${percent(s)}`);
  };

  it('has cases for every exporter', () => {
    const exporters = new Set(cases.map((c) => c.exporter));
    for (const exporter of ['aliyun', 'phoenix', 'langfuse', 'infrastructure']) assert.ok(exporters.has(exporter as never), `cases for ${exporter}`);
  });
  it('recognises every run', () => expectAll('runs recognised', scores.runsRecognised));
  it('names every node type', () => expectAll('node types right', scores.nodeTypesRight));
  it('finds every root cause', () => expectAll('root causes right', scores.rootCausesRight));
  it('joins every Trace Link', () => expectAll('Trace Links joined', scores.traceLinksJoined));
  it('gets status, kind, ids, failing node, error type and tokens right', () => expectAll('run fields right', scores.runFieldsRight));
  it('shows every expected gap as a warning on the run', () => expectAll('warnings shown', scores.warningsShown));
  it('sums the price of a run where the exporter records costs (Langfuse cost_details)', () => {
    const c = cases.find((x) => x.exporter === 'langfuse' && x.name === 'native-workflow-ok')!;
    const run = ingestCase(c).runs[0]!;
    assert.equal(run.price?.currency, 'USD');
    assert.ok((run.price?.amount ?? 0) > 0);
  });
  it('reads iteration and loop indexes, plugin ids and Code node languages', () => expectAll('node details right', scores.nodeDetailsRight));
  it('says so on the trace when the receiver refused some of its spans', async () => {
    for (const c of cases.filter((x) => x.expected.warnings?.includes('rejectedSpans'))) {
      const service = new TraceService({ receiver: { enabled: false, host: '127.0.0.1', port: 0, maxBodyMiB: 1 }, store: { maxSpans: 10_000 } }, { runsChanged: () => {}, statusChanged: () => {}, log: () => {} });
      for (const request of c.requests) {
        const mapped = exportRequestToModel(decodeTraceRequest(Buffer.from(JSON.stringify(request)), 'json'));
        service.ingest(mapped.spans, mapped.rejectedByTrace);
      }
      const snapshot = await service.backend.getTrace({ traceId: c.expected.runs[0]!.traceId });
      assert.deepEqual(snapshot?.warnings.map((w) => w.kind), ['rejectedSpans'], c.name);
    }
  });
  it('shows no warning a case does not expect', () => {
    const unexpected = cases.flatMap((c) => {
      const expected = new Set<string>(c.expected.warnings ?? []);
      return ingestCase(c).runs.flatMap((r) => (r.gaps ?? []).filter((g) => !expected.has(g.kind)).map((g) => `${c.exporter}/${c.name}: ${g.kind}`));
    });
    assert.deepEqual(unexpected, []);
  });
});
