import { pathToFileURL } from 'node:url';
import type { Span } from '../../model/span';
import type { CodeNodeReplayRequest } from '../../shared/lspProtocol';
import { nodeInputsOutputs } from '../../shared/nodeInputsOutputs';
import { parentIndex } from '../../dify/spanDepth';
import type { TraceSpans } from '../backends/traceSpans';
import { codeNodeSource } from '../sourceLinks/codeNodeLocations';
import type { ResolverContext, SourceResolver } from '../sourceLinks/sourceResolver';

export interface ReplaySources {
  readonly resolver: Pick<SourceResolver, 'evidence' | 'resolve'>;
  readonly traceSpans: (params: { readonly traceId: string }) => Promise<TraceSpans | null>;
  readonly context: ResolverContext;
}

/** What exporters put in place of a value they cut or hid; a key holding one is marked in the replay. */
const cutMarker = /\[(?:truncated|redacted)\]|\((?:truncated|redacted)\)|\.\.\.\[\d+ chars?\]|…$/i;

/**
 * Replay Code Node's facts for one span: the Code node it stands for (the span itself, its
 * Trace Link counterpart, or the node span above it), the node's code from the app's DSL, the inputs
 * recorded on the node's span, and how it failed in the trace. Every way this can fail says why.
 */
export async function codeNodeReplay(sources: ReplaySources, params: CodeNodeReplayRequest.Params): Promise<CodeNodeReplayRequest.Result> {
  const evidence = await sources.resolver.evidence(params.traceId, params.spanId);
  if (evidence === undefined) return { ok: false, reason: `Span ${params.spanId} of trace ${params.traceId} is no longer in the trace server.` };
  const query = evidence.codeNode;
  if (query === undefined) return { ok: false, reason: `"${evidence.span.name}" is not a Code node's span, so there is no code to replay: pick the Code node in the trace (or its failing run in the Runs view).` };
  const dslPaths = params.dslUri !== undefined ? [new URL(params.dslUri).pathname] : sources.context.workspace().yamlFiles;
  const source = codeNodeSource(query, dslPaths, sources.context.dsls);
  if (source === undefined) {
    return { ok: false, reason: `No exported DSL of app "${query.appName}" in the workspace has the Code node "${query.title}"${query.nodeId ? ` (id ${query.nodeId})` : ''}, so its code is not known here. Export the app's DSL (Dify: app menu → Export DSL) into the workspace, then replay again.` };
  }
  const trace = await sources.traceSpans({ traceId: params.traceId.toLowerCase() });
  const recorded = trace === null ? undefined : recordedInputs(evidence.span, trace);
  if (recorded === undefined) return { ok: false, reason: `The trace did not record the inputs of Code node "${query.title}" (no input attribute on its spans), so there is nothing to run it with.` };
  let inputs: unknown = recorded;
  if (typeof recorded === 'string') {
    try {
      inputs = JSON.parse(recorded);
    } catch {
      return { ok: false, reason: `The inputs recorded for Code node "${query.title}" are not JSON (${recorded.slice(0, 80)}${recorded.length > 80 ? '…' : ''}); the exporter may have cut them.` };
    }
  }
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) return { ok: false, reason: `The inputs recorded for Code node "${query.title}" are not a JSON object of named inputs.` };
  const resolved = await sources.resolver.resolve(params);
  const language = source.language ?? resolved?.codeNode?.language ?? query.language ?? 'python3';
  const userLine = resolved?.codeNode?.userLine;
  const run = trace?.run;
  return {
    ok: true,
    appName: query.appName,
    title: query.title,
    ...(query.nodeId === undefined ? {} : { nodeId: query.nodeId }),
    language,
    code: source.text,
    dslUri: pathToFileURL(source.path).href,
    candidates: source.candidates,
    inputs: inputs as Record<string, unknown>,
    cutInputs: Object.entries(inputs).filter(([, value]) => typeof value === 'string' && cutMarker.test(value)).map(([key]) => key),
    runId: run?.workflowRunId ?? run?.runId ?? params.traceId.toLowerCase(),
    expected: { ...(resolved?.exception === undefined ? {} : { exception: resolved.exception }), ...(userLine === undefined ? {} : { userLine }) },
  };
}

/**
 * The node's inputs: on the span asked about, else on its Trace Link counterparts (the app-level
 * node span holds them when the infrastructure span does not), else on the node span above it.
 */
function recordedInputs(span: Span, trace: TraceSpans): unknown {
  const candidates: Span[] = [span];
  const byKey = new Map(trace.spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  for (const pair of trace.counterparts ?? []) {
    const other = pair.app.spanId === span.spanId && pair.app.traceId === span.traceId ? pair.infra : pair.infra.spanId === span.spanId && pair.infra.traceId === span.traceId ? pair.app : undefined;
    const found = other === undefined ? undefined : byKey.get(`${other.traceId}/${other.spanId}`);
    if (found) candidates.push(found);
  }
  const parentOf = parentIndex(trace.spans);
  for (let up = parentOf(span), depth = 0; up !== undefined && depth < 4; up = parentOf(up), depth++) candidates.push(up);
  for (const candidate of candidates) {
    const inputs = nodeInputsOutputs(candidate.attributes).inputs;
    if (inputs !== undefined) return inputs.value;
  }
  return undefined;
}
