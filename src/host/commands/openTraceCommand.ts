import * as vscode from 'vscode';
import type { FindTracesRequest } from '../../shared/lspProtocol';
import { parseLookupQuery, type TraceLookupQuery } from '../../shared/traceLookup';
import type { TracePanels } from '../panel/tracePanels';
import type { TraceServerClient } from '../traceServerClient';
import { runDescription, runLabel, statusLabel } from '../views/runPresentation';
import type { RunFilterSpec } from '../views/runFilterSpec';
import { ageText, forgetLookup, readRecentLookups, recentLookupsKey, rememberLookup, type RecentLookup } from './recentLookups';

export const openTraceCommand = 'difyTrace.openTrace';
export const openTraceFromClipboardCommand = 'difyTrace.openTraceFromClipboard';

type Finder = Pick<TraceServerClient, 'findTraces'>;
type Opener = Pick<TracePanels, 'open'>;
/** Where a conversation's runs can be listed. */
type RunsFilterTarget = { setFilter(spec: RunFilterSpec): Promise<void> };

const matchedByLabel: Record<FindTracesRequest.Match['matchedBy'], string> = {
  traceId: 'trace id',
  workflowRunId: 'workflow run id',
  messageId: 'message id',
  conversationId: 'conversation id',
};

const queryLabel = (query: TraceLookupQuery): string =>
  query.kind === 'traceId' ? 'trace id' : query.difyIdKind ? matchedByLabel[query.difyIdKind] : 'workflow run, message or conversation id (or a trace id written as a UUID)';

const backendLabel = (id: string): string => (id === 'embedded' ? 'the embedded receiver (this window, in memory)' : id);

interface LookupItem extends vscode.QuickPickItem {
  /** The text to look up; absent for the item that says what is expected. */
  readonly lookup?: string;
  readonly recent?: RecentLookup;
}

const forgetButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('close'), tooltip: 'Remove from Recent Lookups' };

/**
 * The palette lookup ("Open Trace…", from the clipboard, the URI handler and terminal links): an
 * id or URL to the traces it stands for, with progress and cancellation; recent lookups (and what
 * they found) are the first items of the quick pick.
 */
export class TraceLookup {
  constructor(
    private readonly client: Finder,
    private readonly panels: Opener,
    private readonly globalState: vscode.Memento,
    private readonly runs: RunsFilterTarget,
  ) {}

  private get recents(): RecentLookup[] {
    return readRecentLookups(this.globalState.get<unknown>(recentLookupsKey));
  }

  /** "Open Trace…": recent lookups first; what is typed becomes the first item, or says what is expected. */
  async openTrace(initialValue = ''): Promise<void> {
    const pick = vscode.window.createQuickPick<LookupItem>();
    pick.title = 'Dify Trace: Open Trace';
    pick.placeholder = 'A trace id, a Dify workflow run, message or conversation id, or a Jaeger, Tempo, Langfuse, Phoenix or Dify console URL';
    pick.ignoreFocusOut = true;
    pick.matchOnDescription = true;
    const fill = () => {
      const items = this.items(pick.value);
      pick.items = items;
      if (items[0] && items[0].kind !== vscode.QuickPickItemKind.Separator) pick.activeItems = [items[0]];
    };
    pick.value = initialValue;
    fill();
    const chosen = await new Promise<string | undefined>((resolve) => {
      pick.onDidChangeValue(fill);
      pick.onDidAccept(() => {
        const text = pick.activeItems[0]?.lookup ?? pick.selectedItems[0]?.lookup;
        // The "expected …" item: stay open, the user fixes the text.
        if (text !== undefined) resolve(text);
      });
      pick.onDidTriggerItemButton(({ item }) => {
        if (!item.recent) return;
        void this.globalState.update(recentLookupsKey, forgetLookup(this.recents, item.recent.text)).then(fill);
      });
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
    pick.dispose();
    if (chosen !== undefined) await this.lookUp(chosen);
  }

  private items(value: string): LookupItem[] {
    const typed = value.trim();
    const items: LookupItem[] = [];
    if (typed !== '') {
      const parsed = parseLookupQuery(typed);
      items.push(
        parsed.kind === 'invalid'
          ? { label: typed, description: '$(warning) not an id or trace URL', detail: parsed.expected, alwaysShow: true }
          : { label: typed, description: `$(search) look up this ${queryLabel(parsed)}`, lookup: typed, alwaysShow: true },
      );
    }
    const recents = this.recents.filter((r) => r.text !== typed);
    if (recents.length > 0) items.push({ label: 'Recent lookups', kind: vscode.QuickPickItemKind.Separator });
    const now = Date.now();
    for (const recent of recents) {
      // The found text on its own line: trace URLs are long, and would cut it off as a description.
      items.push({ label: recent.text, detail: `$(history) ${recent.found} · ${ageText(recent.atMs, now)}`, lookup: recent.text, recent, buttons: [forgetButton] });
    }
    return items;
  }

  /** "Open Trace from Clipboard": opens straight away when the clipboard holds an id or URL, else asks with it filled in. */
  async openFromClipboard(): Promise<void> {
    const text = (await vscode.env.clipboard.readText()).trim();
    if (parseLookupQuery(text).kind === 'invalid') {
      await this.openTrace(text.length > 2000 ? '' : text);
      return;
    }
    await this.lookUp(text);
  }

  /** Looks `text` up in every backend and opens what it stands for; the text must parse. */
  async lookUp(text: string): Promise<void> {
    const query = parseLookupQuery(text);
    if (query.kind === 'invalid') {
      void vscode.window.showWarningMessage(query.expected);
      return;
    }
    const shown = text.length > 80 ? `${text.slice(0, 77)}…` : text;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Looking up ${shown}…`, cancellable: true },
      async (_progress, token) => {
        try {
          return await this.client.findTraces(query, token);
        } catch (e) {
          if (token.isCancellationRequested) return undefined;
          // The trace server asks every backend and names those that fail: a failed request is the server's own.
          throw new Error(`The trace server failed to answer: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
      },
    );
    if (result === undefined) return;
    await this.remember(text, found(result.matches));
    const [first, ...rest] = result.matches;
    if (first === undefined) {
      const id = query.kind === 'traceId' ? query.traceId : query.uuid;
      const unreachable = result.failed === undefined || result.failed.length === 0 ? '' : ` Could not ask: ${result.failed.join('; ')}`;
      void vscode.window.showWarningMessage(`No trace or Dify run matches ${id}. Searched: ${result.searched.map(backendLabel).join(', ')}.${unreachable}`);
      return;
    }
    const picked = rest.length === 0 ? first : await this.pickMatch(result.matches);
    if (picked) this.panels.open(picked.traceId, picked.run ? `${picked.run.appName} · ${picked.run.status}` : undefined);
  }

  private async remember(text: string, what: string): Promise<void> {
    await this.globalState.update(recentLookupsKey, rememberLookup(this.recents, { text, found: what, atMs: Date.now() }));
  }

  /** Several matches (a conversation's runs): pick one, or list them all in the Runs view. */
  private async pickMatch(matches: readonly FindTracesRequest.Match[]): Promise<FindTracesRequest.Match | undefined> {
    const conversationId = matches.find((m) => m.matchedBy === 'conversationId')?.run?.conversationId;
    type Item = vscode.QuickPickItem & { readonly match?: FindTracesRequest.Match };
    const items: Item[] = matches.map((match) => ({
      label: match.run ? `${match.run.appName} · ${runLabel(match.run)}` : `Trace ${match.traceId}`,
      description: match.run ? runDescription(match.run) : '',
      detail: `Matched by ${matchedByLabel[match.matchedBy]} · trace ${match.traceId}`,
      match,
    }));
    if (conversationId !== undefined) items.push({ label: '$(filter) Show These Runs in the Runs View', detail: `Filters the Runs view to conversation ${conversationId}` });
    const picked = await vscode.window.showQuickPick(items, {
      title: conversationId !== undefined ? `Dify Trace: ${matches.length} runs of conversation ${conversationId}` : `Dify Trace: ${matches.length} runs match`,
      placeHolder: 'Pick the run to open',
      matchOnDetail: true,
    });
    if (picked && !picked.match && conversationId !== undefined) {
      await this.runs.setFilter({ conversationId });
      await vscode.commands.executeCommand('difyTrace.runs.focus');
    }
    return picked?.match;
  }
}

function found(matches: readonly FindTracesRequest.Match[]): string {
  const [first] = matches;
  if (first === undefined) return 'not found';
  if (matches.length > 1) return `${matches.length} runs${first.matchedBy === 'conversationId' ? ' of a conversation' : ''}`;
  if (!first.run) return `trace ${first.traceId.slice(0, 8)}…`;
  return `${first.run.appName} · ${first.run.kind} · ${statusLabel(first.run.status)}`;
}
