/**
 * Hand-run sanity check: every request of every case decodes with the receiver's OTLP/JSON decoder and maps to
 * model spans with 0 rejected spans (except cases that expect 'rejectedSpans'); every expected node / root cause /
 * run trace points at a span or trace the case really sends. Run: node --import tsx test/corpus/checkCorpus.ts
 */
import { decodeTraceRequest } from '../../src/server/receiver/otlpBody';
import { exportRequestToModel } from '../../src/server/receiver/otlpToModel';
import { loadCorpus } from './loadCorpus';

function main(): void {
  const cases = loadCorpus();
  let problems = 0;
  let spans = 0;
  for (const c of cases) {
    const ids = new Set<string>();
    const traces = new Set<string>();
    let rejected = 0;
    for (const req of c.requests) {
      const mapped = exportRequestToModel(decodeTraceRequest(Buffer.from(JSON.stringify(req)), 'json'));
      rejected += mapped.rejected;
      spans += mapped.spans.length;
      for (const s of mapped.spans) {
        ids.add(`${s.traceId}/${s.spanId}`);
        traces.add(s.traceId);
      }
    }
    const say = (m: string): void => {
      problems += 1;
      console.error(`${c.exporter}/${c.name}: ${m}`);
    };
    const expectRejected = c.expected.warnings?.includes('rejectedSpans') ?? false;
    if (rejected > 0 && !expectRejected) say(`${rejected} rejected span(s)`);
    if (rejected === 0 && expectRejected) say('expects rejected spans but none were rejected');
    for (const n of c.expected.nodes) if (!ids.has(`${n.traceId}/${n.spanId}`)) say(`node ${n.title} not sent`);
    for (const r of c.expected.runs) {
      if (!traces.has(r.traceId)) say(`run trace ${r.traceId} not sent`);
      if (r.rootCause && !ids.has(`${r.rootCause.traceId}/${r.rootCause.spanId}`)) say('root cause span not sent');
      const missing = r.linkedTraceIds.filter((t) => !traces.has(t));
      if (missing.length > 0 && !c.expected.warnings?.includes('linkedTraceMissing')) say(`linked ${missing.join(',')} absent without linkedTraceMissing`);
      if (missing.length === 0 && r.linkedTraceIds.length > 0 && c.expected.warnings?.includes('linkedTraceMissing')) say('linkedTraceMissing but all linked traces present');
    }
  }
  console.log(`${cases.length} cases, ${spans} spans decoded, ${problems} problem(s)`);
  if (problems > 0) process.exitCode = 1;
}

main();
