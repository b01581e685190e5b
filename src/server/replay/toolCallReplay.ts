import { fileURLToPath } from 'node:url';
import type { ToolCallReplayRequest } from '../../shared/lspProtocol';
import { pluginTools, toolSourcesOfCall } from '../sourceLinks/pluginToolSources';
import type { ReplaySources } from './codeNodeReplay';
import { secretKeys } from '../../dify/replay/secretValues';
import { cutKeys, inputsObject, recordedInputs } from './recordedInputs';

/**
 * Replay Tool Call's facts for one span of a plugin tool node (its app-level span, the daemon's or the
 * plugin runtime's below it): which workspace plugin project implements the tool (manifest →
 * provider YAML → tool YAML → the `Tool` subclass), what credentials its provider asks for, the
 * parameters the trace recorded, and how it failed there. Every way this can fail says why.
 */
export async function toolCallReplay(sources: ReplaySources, params: ToolCallReplayRequest.Params): Promise<ToolCallReplayRequest.Result> {
  const evidence = await sources.resolver.evidence(params.traceId, params.spanId);
  if (evidence === undefined) return { ok: false, reason: `Span ${params.spanId} of trace ${params.traceId} is no longer in the trace server.` };
  const query = evidence.toolNode;
  if (query === undefined) return { ok: false, reason: `"${evidence.span.name}" is not a plugin tool's span, so there is no tool call to replay: pick the tool node in the trace (or its failing run in the Runs view).` };
  const workspace = sources.context.workspace();
  const tools = workspace.pluginRoots.flatMap((root) => pluginTools(root, sources.context.files));
  // Several workspace copies of the plugin: the first (the same order Go to Source lists them).
  const [source] = toolSourcesOfCall(query.appName, query, tools, workspace.yamlFiles, sources.context.dsls);
  if (source === undefined) {
    return { ok: false, reason: `No plugin project in the workspace implements the tool of node "${query.title}" (plugin ${query.pluginId}${query.provider ? `, provider ${query.provider}` : ''}). Open the plugin's folder in the workspace (with its manifest.yaml), and the app's exported DSL if the provider has several tools, then replay again.` };
  }
  const trace = await sources.traceSpans({ traceId: params.traceId.toLowerCase() });
  const recorded = trace === null ? undefined : recordedInputs(evidence.span, trace);
  if (recorded === undefined) return { ok: false, reason: `The trace did not record the parameters of tool node "${query.title}" (no input attribute on its spans), so there is nothing to call the tool with.` };
  const parsed = inputsObject(recorded, `tool node "${query.title}"`);
  if (!parsed.ok) return parsed;
  // An infrastructure trace's run is the app run that links to it: its workflow run id names the replay.
  const run = await sources.resolver.appRun(trace?.run, params.traceId);
  // The tool node's own span seldom holds the traceback: the run's root cause (the plugin's span) does.
  const asked = await sources.resolver.resolve(params);
  const resolved = asked?.exception === undefined && run?.rootCause !== undefined ? ((await sources.resolver.resolve(run.rootCause)) ?? asked) : asked;
  const inTool = resolved?.locations.find((l) => l.via !== 'toolCode' && fileURLToPath(l.uri) === fileURLToPath(source.uri));
  return {
    ok: true,
    appName: query.appName,
    title: query.title,
    pluginId: source.pluginId,
    tool: source.tool,
    pluginRoot: source.root,
    pythonSource: source.pythonSource,
    className: source.className,
    credentials: source.credentials,
    parameters: parsed.value,
    cutParameters: cutKeys(parsed.value),
    secretParameters: secretKeys(parsed.value),
    runId: run?.workflowRunId ?? run?.runId ?? params.traceId.toLowerCase(),
    expected: {
      ...(resolved?.exception === undefined ? {} : { exception: resolved.exception }),
      ...(inTool === undefined ? {} : { uri: inTool.uri, line: inTool.range.start.line + 1 }),
    },
  };
}
