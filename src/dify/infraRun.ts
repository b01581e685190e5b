import { stringAttribute, type Span } from '../model/span';
import { infra } from './difyNames';
import type { RunKind } from '../shared/runSummary';
import { topLevel, type RunFacts } from './runFacts';

/**
 * A request trace of Dify's own telemetry (api/extensions/otel/) that no app-level exporter
 * covers: listed so that Dify installs with only ENABLE_OTEL still show their runs.
 */
export function infraRunFacts(spans: readonly Span[]): RunFacts {
  const root = topLevel(spans, () => true);
  const appId = spans.map((s) => stringAttribute(s.attributes, infra.appIdKey)).find((v) => v !== undefined);
  return {
    source: 'infrastructure',
    root,
    appSpans: spans,
    // Infrastructure spans carry the app id, not its name.
    appName: appId ?? (root ?? spans[0]!).resource.serviceName,
    appId,
    kind: infraRunKind(spans),
    // The request's own status says nothing about the run (a failed run still answers 200).
    status: spans.some((s) => s.status.code === 'error') ? 'failed' : 'unknown',
    linkedTraceIds: [],
    gaps: [],
  };
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
