import { stringAttribute, type Span } from '../model/span';
import { infra } from './difyNames';
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
    appName: appId ? `app ${appId.slice(0, 8)}` : (root ?? spans[0]!).resource.serviceName,
    appId,
    kind: 'unknown',
    linkedTraceIds: [],
    gaps: [],
  };
}
