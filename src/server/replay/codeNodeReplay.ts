import { pathToFileURL } from 'node:url';
import type { CodeNodeReplayRequest } from '../../shared/lspProtocol';
import type { TraceSpans } from '../backends/traceSpans';
import { codeNodeSource } from '../sourceLinks/codeNodeLocations';
import type { ResolverContext, SourceResolver } from '../sourceLinks/sourceResolver';
import { secretKeys } from '../../dify/replay/secretValues';
import { cutKeys, inputsObject, recordedInputs } from './recordedInputs';

export interface ReplaySources {
  readonly resolver: Pick<SourceResolver, 'evidence' | 'resolve' | 'appRun'>;
  readonly traceSpans: (params: { readonly traceId: string }) => Promise<TraceSpans | null>;
  readonly context: ResolverContext;
}

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
  if (source.language === undefined && source.declaredLanguage !== undefined) {
    return { ok: false, reason: `Code node "${query.title}" is written in ${source.declaredLanguage}, which the replay does not run (Python 3 and JavaScript, as Dify's Code node).` };
  }
  const trace = await sources.traceSpans({ traceId: params.traceId.toLowerCase() });
  const recorded = trace === null ? undefined : recordedInputs(evidence.span, trace);
  if (recorded === undefined) return { ok: false, reason: `The trace did not record the inputs of Code node "${query.title}" (no input attribute on its spans), so there is nothing to run it with.` };
  const parsed = inputsObject(recorded, `Code node "${query.title}"`);
  if (!parsed.ok) return parsed;
  const inputs = parsed.value;
  const resolved = await sources.resolver.resolve(params);
  const language = source.language ?? resolved?.codeNode?.language ?? query.language ?? 'python3';
  const userLine = resolved?.codeNode?.userLine;
  // An infrastructure trace's run is the app run that links to it: its workflow run id names the replay.
  const run = await sources.resolver.appRun(trace?.run, params.traceId);
  return {
    ok: true,
    appName: query.appName,
    title: query.title,
    ...(query.nodeId === undefined ? {} : { nodeId: query.nodeId }),
    language,
    code: source.text,
    dslUri: pathToFileURL(source.path).href,
    candidates: source.candidates,
    inputs,
    cutInputs: cutKeys(inputs),
    secretInputs: secretKeys(inputs),
    runId: run?.workflowRunId ?? run?.runId ?? params.traceId.toLowerCase(),
    expected: { ...(resolved?.exception === undefined ? {} : { exception: resolved.exception }), ...(userLine === undefined ? {} : { userLine }) },
  };
}
