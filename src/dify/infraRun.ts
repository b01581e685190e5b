import { stringAttribute, type Span } from '../model/span';
import { exceptionEvents, infra } from './difyNames';
import type { RunKind } from '../shared/runSummary';
import { topLevel, type RunFacts } from './runFacts';
import { parentIndex } from './spanDepth';

/**
 * A request trace of Dify's own telemetry (api/extensions/otel/) that no app-level exporter
 * covers: listed so that Dify installs with only ENABLE_OTEL still show their runs.
 */
export function infraRunFacts(spans: readonly Span[]): RunFacts {
  const root = topLevel(spans, () => true);
  const appId = spans.map((s) => stringAttribute(s.attributes, infra.appIdKey)).find((v) => v !== undefined);
  const failure = runnerFailure(spans);
  return {
    source: 'infrastructure',
    root,
    appSpans: spans,
    // Infrastructure spans carry the app id, not its name (the run index names it from the app's other runs).
    appName: appId ?? (root ?? spans[0]!).resource.serviceName,
    appId,
    kind: infraRunKind(spans),
    // The request's own status says nothing about the run (a failed run still answers 200); the
    // app runner's exception does.
    status: failure !== undefined || spans.some((s) => s.status.code === 'error') ? 'failed' : 'unknown',
    linkedTraceIds: [],
    gaps: [],
    ...(failure === undefined ? {} : { failure }),
  };
}

const isRunner = (span: Span): boolean => runnerKinds.slice(0, 5).some(([pattern]) => pattern.test(span.name));
const hasException = (span: Span): boolean => span.events.some((e) => (exceptionEvents.names as readonly string[]).includes(e.name));

/**
 * Dify marks its infrastructure node and runner spans OK even when a node failed (recorded on Dify
 * 1.13.3): the failure is the app runner span's `exception` / `log.exception` events (the graph
 * engine re-raises the node's error, ext_otel.py ExceptionLoggingHandler records it). The node that
 * failed is the last node span under the runner to end: the engine stops the run at a failure.
 */
function runnerFailure(spans: readonly Span[]): RunFacts['failure'] {
  const runner = spans.find((s) => isRunner(s) && hasException(s));
  if (runner === undefined) return undefined;
  const parentOf = parentIndex(spans);
  const underRunner = (span: Span): boolean => {
    for (let current = parentOf(span), hops = 0; current !== undefined && hops < 256; current = parentOf(current), hops++) if (current === runner) return true;
    return false;
  };
  let node: Span | undefined;
  for (const span of spans) {
    if (stringAttribute(span.attributes, infra.nodeTypeKey) === undefined || !underRunner(span)) continue;
    if (node === undefined || span.endUs > node.endUs || (span.endUs === node.endUs && span.startUs > node.startUs)) node = span;
  }
  return { evidence: runner, ...(node === undefined ? {} : { node }) };
}

/**
 * Spans that say they are Dify's (gen_ai.framework=dify) in a shape no known exporter writes:
 * listed with what is known, and the gap says so.
 */
export function unknownExporterRunFacts(spans: readonly Span[]): RunFacts {
  const root = topLevel(spans, () => true);
  const name = root?.name ?? '';
  return {
    source: 'unknown',
    root,
    appSpans: spans,
    appName: (root ?? spans[0]!).resource.serviceName,
    kind: name === 'workflow' || name.startsWith('workflow') ? 'workflow' : name === 'message' ? 'chat' : 'unknown',
    linkedTraceIds: [],
    gaps: [{ kind: 'unknownExporter', message: 'These spans say they come from Dify (gen_ai.framework=dify) but match no known exporter; run details are guessed.' }],
  };
}

/** The app runner span names its module (core.app.apps.<mode>.app_runner), else the Service API route tells. */
const runnerKinds: ReadonlyArray<readonly [RegExp, RunKind]> = [
  [/core\.app\.apps\.advanced_chat\./, 'chatflow'],
  [/core\.app\.apps\.workflow\./, 'workflow'],
  [/core\.app\.apps\.agent_chat\./, 'agent'],
  [/core\.app\.apps\.completion\./, 'completion'],
  [/core\.app\.apps\.chat\./, 'chat'],
  [/\/workflows\/run|\/workflows\/.+\/run/, 'workflow'],
  [/\/completion-messages/, 'completion'],
];

function infraRunKind(spans: readonly Span[]): RunKind {
  for (const [pattern, kind] of runnerKinds) if (spans.some((s) => pattern.test(s.name))) return kind;
  return 'unknown';
}
