import type { Span } from '../model/span';
import type { TraceId } from '../model/units';
import type { RunSummary } from '../shared/runSummary';
import { aliyunRunFacts } from './aliyunRun';
import { genAi } from './difyNames';
import { infraRunFacts, unknownExporterRunFacts } from './infraRun';
import { isLangfuseIngestionSpan, langfuseIngestionRunFacts } from './langfuseIngestionRun';
import { isLangfuseSpan, langfuseRunFacts } from './langfuseRun';
import { isLangsmithSpan, langsmithRunFacts } from './langsmithRun';
import { phoenixRunFacts } from './phoenixRun';
import type { RunFacts } from './runFacts';
import { isAliyunAppSpan, isInfraDifySpan, isPhoenixApiCheck, isPhoenixSpan } from './spanFacts';
import type { ExtraHalves } from './joinHalves';
import { summariseRun, type LinkedSpans } from './summariseRun';

function runFacts(traceId: TraceId, spans: readonly Span[]): RunFacts | undefined {
  const aliyunSpans = spans.filter(isAliyunAppSpan);
  if (aliyunSpans.length > 0) return aliyunRunFacts(traceId, aliyunSpans);
  const ingested = spans.filter(isLangfuseIngestionSpan);
  const ingestedRun = ingested.length > 0 ? langfuseIngestionRunFacts(traceId, spans, ingested) : undefined;
  if (ingestedRun !== undefined) return ingestedRun;
  const langfuseSpans = spans.filter((s) => isLangfuseSpan(s) && !isLangfuseIngestionSpan(s));
  if (langfuseSpans.length > 0) return langfuseRunFacts(traceId, spans, langfuseSpans);
  const langsmithSpans = spans.filter(isLangsmithSpan);
  if (langsmithSpans.length > 0) {
    const run = langsmithRunFacts(traceId, spans, langsmithSpans);
    if (run !== undefined) return run;
  }
  const phoenixSpans = spans.filter((s) => isPhoenixSpan(s) && !isPhoenixApiCheck(s));
  if (phoenixSpans.length > 0) return phoenixRunFacts(traceId, phoenixSpans);
  if (spans.some(isInfraDifySpan)) return infraRunFacts(spans);
  if (spans.some((s) => s.attributes[genAi.framework] === genAi.frameworkValue)) return unknownExporterRunFacts(spans);
  return undefined;
}

/**
 * Recognises the Dify run held by one trace, from whichever exporter wrote it, and summarises it
 * with its linked infrastructure traces when `linkedSpans` finds them, and with the infrastructure
 * traces that share its node executions and the detached error traces of its retrieval nodes
 * (`extra`, found by the run index) where Dify's Trace Link does not lead to them. Returns undefined for traces
 * with no Dify identity (plain infrastructure traces are shown through Trace Link).
 */
export function detectRun(traceId: TraceId, spans: readonly Span[], linkedSpans?: LinkedSpans, extra?: ExtraHalves): RunSummary | undefined {
  const facts = runFacts(traceId, spans);
  return facts === undefined ? undefined : summariseRun(traceId, spans, facts, linkedSpans, extra);
}
