import { difyNodesOf } from '../../src/dify/difyNodes';
import type { Span } from '../../src/model/span';
import { decodeTraceRequest } from '../../src/server/receiver/otlpBody';
import { exportRequestToModel } from '../../src/server/receiver/otlpToModel';
import { MemoryTraceStore } from '../../src/server/store/memoryTraceStore';
import { RunIndex } from '../../src/server/store/runIndex';
import type { RunSummary } from '../../src/shared/runSummary';
import type { CorpusCase, ExpectedRun } from '../corpus/corpusCase';

/** One measure: how many of the expected items the classifier got right, and what it got wrong. */
export interface Score {
  right: number;
  total: number;
  misses: string[];
}

export interface CorpusScores {
  readonly runsRecognised: Score;
  readonly nodeTypesRight: Score;
  readonly rootCausesRight: Score;
  readonly traceLinksJoined: Score;
  /** Every other expected run field (status, kind, app, ids, failing node, error kind, tokens). */
  readonly runFieldsRight: Score;
  /** Expected warnings shown as a gap of the run. */
  readonly warningsShown: Score;
  /** Iteration and loop indexes, plugin ids and Code node languages where a case expects them. */
  readonly nodeDetailsRight: Score;
}

const score = (): Score => ({ right: 0, total: 0, misses: [] });
const check = (s: Score, ok: boolean, miss: () => string): void => {
  s.total++;
  if (ok) s.right++;
  else s.misses.push(miss());
};
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Sends a case's requests through the real decoder into a fresh store, as the receiver would. */
export function ingestCase(c: CorpusCase): { spans: Span[]; runs: readonly RunSummary[] } {
  const store = new MemoryTraceStore(1_000_000);
  const index = new RunIndex(store);
  const spans: Span[] = [];
  for (const request of c.requests) {
    const mapped = exportRequestToModel(decodeTraceRequest(Buffer.from(JSON.stringify(request)), 'json'));
    spans.push(...mapped.spans);
    index.markChanged(store.add(mapped.spans).touched);
  }
  return { spans, runs: index.list({}, 1000).runs };
}

function compareRun(c: CorpusCase, expected: ExpectedRun, actual: RunSummary, scores: CorpusScores): void {
  const where = `${c.exporter}/${c.name} run ${expected.traceId.slice(0, 8)}`;
  const fields: Array<[string, unknown, unknown]> = [
    ['appName', expected.appName, actual.appName],
    ['kind', expected.kind, actual.kind],
    ['status', expected.status, actual.status],
  ];
  if (expected.workflowRunId !== undefined) fields.push(['workflowRunId', expected.workflowRunId, actual.workflowRunId]);
  if (expected.messageId !== undefined) fields.push(['messageId', expected.messageId, actual.messageId]);
  if (expected.conversationId !== undefined) fields.push(['conversationId', expected.conversationId, actual.conversationId]);
  if (expected.tokens !== undefined) fields.push(['tokens.total', expected.tokens.total, actual.tokens?.total]);
  fields.push(['failingNode', expected.failingNode, actual.failingNode && { title: actual.failingNode.title, ...(expected.failingNode?.nodeType === undefined ? {} : { nodeType: actual.failingNode.nodeType }) }]);
  fields.push(['errorKind', expected.errorKind, actual.errorKind]);
  for (const [name, want, got] of fields) check(scores.runFieldsRight, same(want, got), () => `${where}: ${name} expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  const rootCause = actual.rootCause && { traceId: actual.rootCause.traceId, spanId: actual.rootCause.spanId };
  if (expected.rootCause !== undefined || rootCause !== undefined) {
    check(scores.rootCausesRight, same(expected.rootCause, rootCause), () => `${where}: root cause expected ${JSON.stringify(expected.rootCause)}, got ${JSON.stringify(actual.rootCause)}`);
  }
  if (expected.linkedTraceIds.length > 0 || actual.linkedTraceIds.length > 0) {
    check(scores.traceLinksJoined, same([...expected.linkedTraceIds].sort(), [...actual.linkedTraceIds].sort()), () => `${where}: linked ${JSON.stringify(expected.linkedTraceIds)}, got ${JSON.stringify(actual.linkedTraceIds)}`);
  }
}

/** Runs the whole corpus through the receiver's decoder, the store and the classifier. */
export function evaluateCorpus(cases: readonly CorpusCase[]): CorpusScores {
  const scores: CorpusScores = { runsRecognised: score(), nodeTypesRight: score(), rootCausesRight: score(), traceLinksJoined: score(), runFieldsRight: score(), warningsShown: score(), nodeDetailsRight: score() };
  for (const c of cases) {
    const { spans, runs } = ingestCase(c);
    for (const expected of c.expected.runs) {
      const actual = runs.find((r) => r.traceId === expected.traceId);
      check(scores.runsRecognised, actual !== undefined, () => `${c.exporter}/${c.name}: run ${expected.traceId} not recognised (got ${runs.map((r) => r.traceId).join(', ') || 'none'})`);
      if (actual) compareRun(c, expected, actual, scores);
    }
    // Run-level warnings; `rejectedSpans` is the receiver's partial success, checked in its own test.
    const shown = new Set(runs.flatMap((r) => (r.gaps ?? []).map((g) => g.kind as string)));
    for (const kind of c.expected.warnings ?? []) {
      if (kind === 'rejectedSpans') continue;
      check(scores.warningsShown, shown.has(kind), () => `${c.exporter}/${c.name}: warning ${kind} not shown (got ${[...shown].join(', ') || 'none'})`);
    }
    const nodes = difyNodesOf(spans);
    for (const expected of c.expected.nodes) {
      const span = spans.find((s) => s.traceId === expected.traceId && s.spanId === expected.spanId);
      const node = span && nodes.get(span);
      const got = node && { nodeType: node.nodeType, title: node.title };
      check(scores.nodeTypesRight, same({ nodeType: expected.nodeType, title: expected.title }, got), () => `${c.exporter}/${c.name}: node ${expected.spanId} expected ${expected.nodeType} "${expected.title}", got ${JSON.stringify(got)}`);
      const details: Array<[string, unknown, unknown]> = [
        ['iterationIndex', expected.iterationIndex, node?.iterationIndex],
        ['loopIndex', expected.loopIndex, node?.loopIndex],
        ['pluginId', expected.pluginId, node?.plugin?.pluginId],
        ['codeLanguage', expected.codeLanguage, node?.codeLanguage],
      ];
      for (const [name, want, have] of details) {
        if (want === undefined) continue;
        check(scores.nodeDetailsRight, same(want, have), () => `${c.exporter}/${c.name}: node ${expected.title} ${name} expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`);
      }
    }
  }
  return scores;
}

export function percent(s: Score): string {
  return s.total === 0 ? 'n/a' : `${((100 * s.right) / s.total).toFixed(1)}% (${s.right}/${s.total})`;
}
