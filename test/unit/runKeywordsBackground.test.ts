// The keyword index follows the spans in the background (RunKeywords.indexInBackground): once it
// has caught up, a keyword query reads no span; without it, the query reads them all first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Span } from '../../src/model/span';
import { RunKeywords } from '../../src/server/store/runKeywords';
import { aliyunResource, span, traceId } from './spanBuilder';

function traces(count: number): Map<string, Span[]> {
  const byTrace = new Map<string, Span[]>();
  for (let t = 1; t <= count; t++) byTrace.set(traceId(t), [span({ trace: traceId(t), id: 1, name: `workflow weaviate-${t}`, resource: aliyunResource, attributes: { 'input.value': `question ${t} about tokyo` } })]);
  return byTrace;
}

describe('keyword index in the background', () => {
  it('reads the changed traces between requests, so the first keyword query reads none', async () => {
    const byTrace = traces(500);
    let reads = 0;
    const keywords = new RunKeywords((id) => (reads++, byTrace.get(id)), () => undefined);
    keywords.indexInBackground(() => false);
    for (const id of byTrace.keys()) keywords.textChanged(id);
    await keywords.whenIndexed();
    assert.equal(reads, 500, 'every changed trace was read once, in the background');
    assert.equal(keywords.stats().traces, 500);
    assert.equal(reads, 500, 'the query found nothing left to read');
    keywords.stopBackground();
  });

  it('leaves the reading to the first keyword query when it is not asked to work in the background', () => {
    const byTrace = traces(20);
    let reads = 0;
    const keywords = new RunKeywords((id) => (reads++, byTrace.get(id)), () => undefined);
    for (const id of byTrace.keys()) keywords.textChanged(id);
    assert.equal(reads, 0);
    assert.equal(keywords.stats().traces, 20);
    assert.equal(reads, 20);
  });

  it('stops when told, leaving the rest to the next query', async () => {
    const byTrace = traces(50);
    let reads = 0;
    const keywords = new RunKeywords((id) => (reads++, byTrace.get(id)), () => undefined);
    keywords.indexInBackground(() => false);
    for (const id of byTrace.keys()) keywords.textChanged(id);
    keywords.stopBackground();
    // The slice was queued as an immediate before this one: had it not been cancelled, it ran first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(reads, 0, 'no slice ran after stopBackground');
    assert.equal(keywords.stats().traces, 50);
  });
});
