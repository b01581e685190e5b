/**
 * Trace-derived language features on the workspace's code: diagnostics where recent runs failed,
 * a CodeLens with per-tool figures above each plugin tool's `_invoke`, hovers with the last error
 * and its trace, and a quick fix that opens the run. State is recomputed on each debounced change
 * of the runs, the workspace or the settings, and when runs age out of the window; the LSP
 * handlers only read it. Knows LSP types, not the connection: server.ts wires it.
 */
import { CodeActionKind, MarkupKind, type CodeAction, type CodeLens, type Diagnostic, type Hover, type Position } from 'vscode-languageserver';
import type { ListRunsRequest, SourceInsightSettings } from '../../shared/lspProtocol';
import type { RunSummary } from '../../shared/runSummary';
import type { SourceResolver } from '../sourceLinks/sourceResolver';
import type { WorkspaceSnapshot } from '../workspace/workspaceIndex';
import type { DslCache } from '../sourceLinks/codeNodeLocations';
import type { FileAccess } from '../workspace/workspaceIndex';
import { collectRunFailures, diagnosticsByUri, diagnosticSource, failureSites, formatUtc, PublishedDiagnostics, ResolutionCache, runsText, type FailureDiagnosticData, type FailureSite } from './failureIndex';
import { formatDuration, toolLensTitle, toolStats, type ToolStats } from './toolInsights';

/** Client commands the features link to (registered by the extension). */
export const clientCommands = { openRun: 'difyTrace.openRun', showToolRuns: 'difyTrace.showToolRuns' } as const;

/** Arguments of `difyTrace.showToolRuns`: a pick list of the tool's latest runs. */
export interface ShowToolRunsArgs {
  readonly title: string;
  readonly runs: ToolStats['runs'];
}

export interface InsightsPorts {
  readonly listRuns: (params: ListRunsRequest.Params) => Promise<ListRunsRequest.Result>;
  readonly resolver: SourceResolver;
  readonly workspace: () => WorkspaceSnapshot;
  readonly settings: () => SourceInsightSettings;
  readonly files: FileAccess;
  readonly dsls: DslCache;
  readonly now?: () => number;
}

export interface InsightsUpdate {
  readonly diagnostics: { readonly uri: string; readonly diagnostics: Diagnostic[] }[];
  /** Whether the CodeLens set changed, so the client should ask again. */
  readonly lensesChanged: boolean;
  /** What the features now show, for the server's log. */
  readonly summary: string;
}

function commandLink(command: string, args: readonly unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** Markdown with everything from the trace escaped: span content is untrusted. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export class SourceInsights {
  private readonly resolutions = new ResolutionCache();
  private readonly published = new PublishedDiagnostics();
  private sitesByUri = new Map<string, FailureSite[]>();
  private statsByUri = new Map<string, ToolStats[]>();
  private lensKey = '';

  constructor(private readonly ports: InsightsPorts) {}

  /** The workspace or the settings changed: every resolution may differ. */
  forgetResolutions(): void {
    this.resolutions.clear();
  }

  /** Recomputes sites and tool figures; returns what to publish. `changedTraceIds` are re-resolved. */
  async refresh(changedTraceIds: readonly string[] = []): Promise<InsightsUpdate> {
    this.resolutions.invalidate(changedTraceIds);
    const settings = this.ports.settings();
    const sinceMs = (this.ports.now?.() ?? Date.now()) - settings.windowMinutes * 60_000;
    const resolve = (traceId: string, spanId: string) => this.ports.resolver.resolve({ traceId, spanId });

    const sites = settings.diagnostics ? failureSites(await collectRunFailures({ listRuns: this.ports.listRuns }, resolve, this.resolutions, sinceMs)) : [];
    this.sitesByUri = new Map();
    for (const site of sites) this.sitesByUri.set(site.uri, [...(this.sitesByUri.get(site.uri) ?? []), site]);
    const diagnostics = this.published.update(diagnosticsByUri(sites));

    const stats = settings.codeLens ? toolStats(await this.allRuns(sinceMs), this.ports.workspace(), this.ports.files, this.ports.dsls, sinceMs) : [];
    this.statsByUri = new Map();
    for (const s of stats) this.statsByUri.set(s.source.uri, [...(this.statsByUri.get(s.source.uri) ?? []), s]);
    const lensKey = JSON.stringify(stats.map((s) => [s.source.uri, s.source.line, toolLensTitle(s), s.runs.map((r) => r.traceId)]));
    const lensesChanged = lensKey !== this.lensKey;
    this.lensKey = lensKey;
    const summary = `${sites.length} failing line(s) in ${this.sitesByUri.size} file(s); ${stats.map((st) => `${st.source.tool} ${toolLensTitle(st)}`).join(', ') || 'no tool figures'}`;
    return { diagnostics, lensesChanged, summary };
  }

  /** Runs that ended in the window, newest first; listing stops at the first older page's end. */
  private async allRuns(sinceMs: number): Promise<RunSummary[]> {
    const runs: RunSummary[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.ports.listRuns({ filter: { sinceMs: sinceMs - 24 * 3_600_000 }, limit: 1000, ...(pageToken === undefined ? {} : { pageToken }) });
      runs.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return runs;
  }

  codeLenses(uri: string): CodeLens[] {
    return (this.statsByUri.get(uri) ?? []).map((stats) => {
      const line = stats.source.line;
      const args: ShowToolRunsArgs = { title: `${stats.source.pluginId}/${stats.source.provider} · ${stats.source.tool}`, runs: stats.runs };
      return {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        command: { title: toolLensTitle(stats), command: clientCommands.showToolRuns, arguments: [args] },
      };
    });
  }

  hover(uri: string, position: Position): Hover | null {
    const parts: string[] = [];
    for (const site of this.sitesByUri.get(uri) ?? []) {
      if (site.range.start.line !== position.line) continue;
      const run = site.latest.runId ? `run ${site.latest.runId}` : `trace ${site.latest.runTraceId}`;
      parts.push(
        [
          `**Dify Trace** · ${escapeMarkdown(truncate(site.exception, 300))}`,
          `${site.frameDepth === 0 ? 'Raised here' : `Raised ${site.frameDepth} call(s) below this line`} in ${runsText(site.runCount)} of ${escapeMarkdown(site.latest.appName)}, last seen ${formatUtc(site.lastSeenMs)}.`,
          `[Open the latest run](${commandLink(clientCommands.openRun, [site.latest.runTraceId])}) (${escapeMarkdown(run)}, trace \`${site.latest.traceId}\`)`,
        ].join('\n\n'),
      );
    }
    for (const stats of this.statsByUri.get(uri) ?? []) {
      if (stats.source.line !== position.line) continue;
      const lines = [`**Dify Trace** · tool \`${stats.source.tool}\` of ${escapeMarkdown(`${stats.source.pluginId}/${stats.source.provider}`)}: ${toolLensTitle(stats)} (${stats.callCount} call(s), p95 ${formatDuration(stats.p95Us)})`];
      if (stats.lastError) {
        lines.push(`Last error, ${formatUtc(stats.lastError.endMs)}: ${escapeMarkdown(truncate(stats.lastError.message, 300))}`);
        lines.push(`[Open that run](${commandLink(clientCommands.openRun, [stats.lastError.traceId])}) (trace \`${stats.lastError.traceId}\`)`);
      }
      parts.push(lines.join('\n\n'));
    }
    if (parts.length === 0) return null;
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') } };
  }

  /** "Open failing run" on this extension's diagnostics. */
  codeActions(diagnostics: readonly Diagnostic[]): CodeAction[] {
    return diagnostics.flatMap((diagnostic): CodeAction[] => {
      if (diagnostic.source !== diagnosticSource || !isFailureData(diagnostic.data)) return [];
      const data = diagnostic.data;
      return [
        {
          title: `Open the failing run in Dify Trace (${data.runId ? `run ${data.runId.slice(0, 8)}` : `trace ${data.runTraceId.slice(0, 8)}`})`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: true,
          command: { title: 'Open Run', command: clientCommands.openRun, arguments: [data.runTraceId] },
        },
      ];
    });
  }
}

function isFailureData(value: unknown): value is FailureDiagnosticData {
  return typeof value === 'object' && value !== null && typeof (value as { runTraceId?: unknown }).runTraceId === 'string';
}
