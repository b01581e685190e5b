/**
 * "Where in my code did this span fail": the one answer shared by Go to Source, diagnostics and
 * hovers. Reads the span through the backend interface (a trace snapshot, so a remote backend
 * answers the same way), finds its stack traces, and maps them to workspace files, or, for a
 * Code node, to the node's line in the app's exported DSL.
 */
import { fileURLToPath } from 'node:url';
import { containedPath } from '../workspace/containedPath';
import type { LogRecord } from '../../model/logRecord';
import type { Span } from '../../model/span';
import { difyNodesOf, sandboxLanguage } from '../../dify/difyNodes';
import { errorText } from '../../dify/errorTaxonomy';
import { parentIndex } from '../../dify/spanDepth';
import type { DifyNode } from '../../dify/difyNode';
import type { FindTracesRequest, GetTraceRequest, SourceInsightSettings, SourceLocation, SourceLocationsRequest, SourceStack, TraceSnapshot } from '../../shared/lspProtocol';
import { traceSpansOf, type TraceSpans } from '../backends/traceSpans';
import type { RunSummary } from '../../shared/runSummary';
import type { FileAccess, WorkspaceSnapshot } from '../workspace/workspaceIndex';
import { codeNodeLocations, type CodeNodeQuery, type DslCache } from './codeNodeLocations';
import { spanSourceFrames } from './spanSourceFrames';
import { pluginTools, toolSourcesOfCall, type ToolCallRef } from './pluginToolSources';
import { lineTextRange, stackLocations } from './stackLocations';
import type { CodeLanguage } from './sandboxLines';

export type SourceResolution = NonNullable<SourceLocationsRequest.Result>;

export interface ResolverBackend {
  getTrace(params: GetTraceRequest.Params): Promise<GetTraceRequest.Result>;
  /** The same trace as the spans this process holds, when the backend can (no copy for the wire). */
  traceSpans?(params: GetTraceRequest.Params): Promise<TraceSpans | null>;
  findTraces(params: FindTracesRequest.Params): Promise<FindTracesRequest.Result>;
}

export interface ResolverContext {
  readonly workspace: () => WorkspaceSnapshot;
  readonly settings: () => SourceInsightSettings;
  readonly files: FileAccess;
  readonly dsls: DslCache;
}

/** A plugin tool node execution, for opening the tool's code when no traceback names a line. */
export interface ToolNodeQuery extends ToolCallRef {
  readonly appName: string;
}

/** What resolution needs of a span: the span, the records logged in it, and the Code node it belongs to. */
export interface SpanEvidence {
  readonly toolNode?: ToolNodeQuery;
  readonly span: Span;
  /** The span whose events hold the stack, when not `span` itself (an OK node span below the runner that recorded the failure). */
  readonly stackSpan?: Span;
  readonly records: readonly LogRecord[];
  readonly codeNode?: CodeNodeQuery;
}

export function exceptionOf(stacks: readonly SourceStack[]): string | undefined {
  for (const stack of stacks) {
    if (stack.exceptionType && stack.message) return `${stack.exceptionType}: ${stack.message}`;
    if (stack.exceptionType ?? stack.message) return stack.exceptionType ?? stack.message;
  }
  return undefined;
}

/**
 * The locations for a span's evidence in a workspace, each checked to lie inside a workspace folder
 * once `..` and symlinks are resolved: the paths come from traces, which anyone who can reach the
 * receiver writes. A DSL the user picked (`explicitDsl`) is theirs to open.
 */
export function resolveEvidence(evidence: SpanEvidence, context: ResolverContext, explicitDsl?: string): SourceResolution {
  const resolution = resolveUnchecked(evidence, context, explicitDsl);
  if (resolution === null) return resolution;
  const folders = context.workspace().folders;
  const inside = resolution.locations.filter((l) => (explicitDsl !== undefined && l.via === 'dslCode') || containedPath(fileURLToPath(l.uri), folders, (p) => context.files.realPath(p)) !== undefined);
  if (inside.length === resolution.locations.length) return resolution;
  const refused = resolution.locations.length - inside.length;
  const problem = `${refused} location(s) the trace names lie outside the workspace folders once ".." and symbolic links are resolved; they are not opened.`;
  return { ...resolution, locations: inside, problem: resolution.problem ? `${resolution.problem} ${problem}` : problem };
}

function resolveUnchecked(evidence: SpanEvidence, context: ResolverContext, explicitDsl?: string): SourceResolution {
  const stacks = spanSourceFrames(evidence.stackSpan ?? evidence.span, evidence.records);
  const exception = exceptionOf(stacks) ?? firstLine(evidence.codeNode?.errorText);
  const withException = exception === undefined ? {} : { exception };
  if (evidence.codeNode) {
    const dslPaths = explicitDsl !== undefined ? [explicitDsl] : context.workspace().yamlFiles;
    const found = codeNodeLocations(evidence.codeNode, stacks, dslPaths, context.dsls, explicitDsl !== undefined);
    return { stacks, ...withException, locations: found.locations, codeNode: found.codeNode, ...(found.problem ? { problem: found.problem } : {}) };
  }
  const found = stackLocations(stacks, context.workspace(), context.settings().pathMappings, context.files);
  if (found.locations.length === 0 && evidence.toolNode !== undefined) {
    const tool = toolCodeLocations(evidence.toolNode, context);
    if (tool !== undefined) return { stacks, ...withException, ...tool };
  }
  const stackException = found.stack ? exceptionOf([found.stack]) : undefined;
  return {
    stacks,
    ...(stackException === undefined ? withException : { exception: stackException }),
    locations: found.locations,
    ...(found.problem ? { problem: found.problem } : {}),
  };
}

/**
 * The `_invoke` of the tool a failing plugin node ran, when no traceback reached the traces: the
 * plugin SDK sends the daemon `{error_type, message, args}` and, in remote-debug mode, keeps the
 * traceback in the plugin process's own output (dify_plugin io_server.py; recorded on Dify 1.13.3).
 */
function toolCodeLocations(query: ToolNodeQuery, context: ResolverContext): { locations: SourceLocation[]; problem: string } | undefined {
  const workspace = context.workspace();
  const tools = workspace.pluginRoots.flatMap((root) => pluginTools(root, context.files));
  const sources = toolSourcesOfCall(query.appName, query, tools, workspace.yamlFiles, context.dsls);
  if (sources.length === 0) return undefined;
  const locations = sources.map((source): SourceLocation => ({
    uri: source.uri,
    range: lineTextRange(context.files.readText(fileURLToPath(source.uri)), source.line + 1),
    via: 'toolCode',
    label: `${source.className}._invoke (tool ${source.tool} of ${source.pluginId})`,
    frameDepth: 0,
  }));
  return {
    locations,
    problem: `The exact line is unknown: no traceback of the plugin reached the traces (a plugin in remote-debug mode prints it in its own terminal), so the tool's ${sources[0]!.className}._invoke is opened.`,
  };
}

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n').find((l) => l.trim() !== '' && !/^process exited with code/.test(l));
  return line?.trim().slice(0, 300);
}

function isCodeNode(node: DifyNode | undefined): node is DifyNode {
  return node !== undefined && (node.nodeType === 'code' || node.codeLanguage !== undefined);
}

/**
 * The Code node a span belongs to: the span itself or its nearest ancestor that is one, with the
 * graph node id from its Trace Link counterpart when its own exporter does not record it (Aliyun).
 */
export function codeNodeOf(span: Span, spans: readonly Span[], snapshot: Pick<TraceSnapshot, 'counterparts'>, appName: string): CodeNodeQuery | undefined {
  const parentOf = parentIndex(spans);
  const nodes = difyNodesOf(spans, parentOf);
  let current: Span | undefined = span;
  for (let hops = 0; current !== undefined && hops < 256; hops++) {
    const node = nodes.get(current);
    if (node !== undefined && node.nodeType !== undefined && node.nodeType !== 'code' && node.nodeType !== 'task') return undefined;
    if (isCodeNode(node)) {
      const nodeId = node.nodeId ?? counterpartNodeId(current, spans, nodes, snapshot);
      // Dify's infrastructure node span stays OK when the node fails: the app runner above it holds the traceback.
      const text = errorText(span).trim() || errorText(current).trim() || ancestorErrorText(current, parentOf);
      const language = asLanguage(node.codeLanguage) ?? codeLanguageBelow(current, spans, nodes) ?? asLanguage(sandboxLanguage(text));
      return {
        appName,
        title: node.title,
        ...(nodeId === undefined ? {} : { nodeId }),
        ...(language === undefined ? {} : { language }),
        errorText: text,
      };
    }
    current = parentOf(current);
  }
  return undefined;
}

/** The plugin tool node a span is, or lies in. */
export function toolNodeOf(span: Span, spans: readonly Span[], appName: string): ToolNodeQuery | undefined {
  const parentOf = parentIndex(spans);
  const nodes = difyNodesOf(spans, parentOf);
  for (let current: Span | undefined = span, hops = 0; current !== undefined && hops < 256; current = parentOf(current), hops++) {
    const node = nodes.get(current);
    if (node === undefined) continue;
    if (node.nodeType !== 'tool' || node.plugin === undefined) return undefined;
    const { pluginId, provider } = node.plugin;
    return { appName, title: node.title, pluginId, ...(node.nodeId === undefined ? {} : { nodeId: node.nodeId }), ...(provider === undefined ? {} : { provider }) };
  }
  return undefined;
}

function ancestorWithError(span: Span, parentOf: (span: Span) => Span | undefined): Span | undefined {
  for (let current = parentOf(span), hops = 0; current !== undefined && hops < 256; current = parentOf(current), hops++) {
    if (errorText(current).trim() !== '') return current;
  }
  return undefined;
}

function ancestorErrorText(span: Span, parentOf: (span: Span) => Span | undefined): string {
  const ancestor = ancestorWithError(span, parentOf);
  return ancestor === undefined ? '' : errorText(ancestor).trim();
}

function asLanguage(value: string | undefined): CodeLanguage | undefined {
  return value === 'python3' || value === 'javascript' ? value : undefined;
}

function codeLanguageBelow(span: Span, spans: readonly Span[], nodes: ReadonlyMap<Span, DifyNode>): CodeLanguage | undefined {
  return asLanguage(nodes.get(span)?.codeLanguage) ?? asLanguage(spans.map((s) => (s.parentSpanId === span.spanId ? nodes.get(s)?.codeLanguage : undefined)).find((l) => l !== undefined));
}

function counterpartNodeId(span: Span, spans: readonly Span[], nodes: ReadonlyMap<Span, DifyNode>, snapshot: Pick<TraceSnapshot, 'counterparts'>): string | undefined {
  for (const pair of snapshot.counterparts ?? []) {
    const other = pair.app.spanId === span.spanId && pair.app.traceId === span.traceId ? pair.infra : pair.infra.spanId === span.spanId && pair.infra.traceId === span.traceId ? pair.app : undefined;
    if (!other) continue;
    const otherSpan = spans.find((s) => s.spanId === other.spanId && s.traceId === other.traceId);
    const id = otherSpan === undefined ? undefined : nodes.get(otherSpan)?.nodeId;
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Reads spans through the backend and resolves them; used by the request handler and the language features. */
export class SourceResolver {
  constructor(
    private readonly backend: ResolverBackend,
    private readonly context: ResolverContext,
  ) {}

  async evidence(traceId: string, spanId: string): Promise<SpanEvidence | undefined> {
    const params = { traceId: traceId.toLowerCase() };
    const snapshot = this.backend.traceSpans ? await this.backend.traceSpans(params) : await this.backend.getTrace(params).then((s) => (s === null ? null : traceSpansOf(s)));
    if (snapshot === null) return undefined;
    const spans = snapshot.spans;
    const wanted = spanId.toLowerCase();
    const span = spans.find((s) => s.spanId === wanted && s.traceId === traceId.toLowerCase()) ?? spans.find((s) => s.spanId === wanted);
    if (span === undefined) return undefined;
    const records = snapshot.logs.filter((r) => r.spanId === span.spanId && r.traceId === span.traceId);
    const run = await this.appRun(snapshot.run, traceId);
    const codeNode = codeNodeOf(span, spans, snapshot, run?.appName ?? snapshot.run?.appName ?? '');
    const stackSpan = codeNode !== undefined && errorText(span).trim() === '' ? ancestorWithError(span, parentIndex(spans)) : undefined;
    const toolNode = codeNode === undefined ? toolNodeOf(span, spans, run?.appName ?? snapshot.run?.appName ?? '') : undefined;
    return { span, records, ...(codeNode === undefined ? {} : { codeNode }), ...(stackSpan === undefined ? {} : { stackSpan }), ...(toolNode === undefined ? {} : { toolNode }) };
  }

  /** The app-level run: the snapshot's own, or for an infrastructure trace the run that links to it. */
  async appRun(run: RunSummary | undefined, traceId: string): Promise<RunSummary | undefined> {
    if (run !== undefined && run.source !== 'infrastructure') return run;
    const found = await this.backend.findTraces({ kind: 'traceId', traceId: traceId.toLowerCase() });
    return found.matches.find((m) => m.run !== undefined && m.run.source !== 'infrastructure')?.run ?? run;
  }

  async resolve(params: SourceLocationsRequest.Params): Promise<SourceLocationsRequest.Result> {
    const evidence = await this.evidence(params.traceId, params.spanId);
    if (evidence === undefined) return null;
    return resolveEvidence(evidence, this.context, params.dslUri === undefined ? undefined : fileUriToPath(params.dslUri));
  }
}

function fileUriToPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}
