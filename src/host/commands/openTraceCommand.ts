import * as vscode from 'vscode';
import type { FindTracesRequest } from '../../shared/lspProtocol';
import { parseLookupQuery, type TraceLookupQuery } from '../../shared/traceLookup';
import type { TracePanels } from '../panel/tracePanels';
import type { TraceServerClient } from '../traceServerClient';
import { runDescription, runLabel } from '../views/runPresentation';

export const openTraceCommand = 'difyTrace.openTrace';
export const openTraceFromClipboardCommand = 'difyTrace.openTraceFromClipboard';

type Finder = Pick<TraceServerClient, 'findTraces'>;
type Opener = Pick<TracePanels, 'open'>;

const matchedByLabel: Record<FindTracesRequest.Match['matchedBy'], string> = {
  traceId: 'trace id',
  workflowRunId: 'workflow run id',
  messageId: 'message id',
  conversationId: 'conversation id',
};

const backendLabel = (id: string): string => (id === 'embedded' ? 'the embedded receiver (this window, in memory)' : id);

/** "Open Trace…": asks for an id or URL, says what it expects while the text is not one, then looks it up. */
export async function openTrace(client: Finder, panels: Opener, initialValue = ''): Promise<void> {
  const answer = await vscode.window.showInputBox({
    title: 'Dify Trace: Open Trace',
    prompt: 'A trace id, a Dify workflow run, message or conversation id, or a Jaeger, Tempo, Langfuse, Phoenix or Dify console URL',
    placeHolder: 'e.g. 4bf92f3577b34da6a3ce929d0e0e4736 or http://localhost:16686/trace/…',
    value: initialValue,
    ignoreFocusOut: true,
    validateInput: (value) => {
      if (value.trim() === '') return undefined;
      const parsed = parseLookupQuery(value);
      return parsed.kind === 'invalid' ? parsed.expected : undefined;
    },
  });
  if (answer === undefined || answer.trim() === '') return;
  const parsed = parseLookupQuery(answer);
  if (parsed.kind === 'invalid') return;
  await lookUpAndOpen(client, panels, parsed, answer.trim());
}

/** "Open Trace from Clipboard": opens straight away when the clipboard holds an id or URL, else asks with it filled in. */
export async function openTraceFromClipboard(client: Finder, panels: Opener): Promise<void> {
  const text = (await vscode.env.clipboard.readText()).trim();
  const parsed = parseLookupQuery(text);
  if (parsed.kind === 'invalid') {
    await openTrace(client, panels, text.length > 2000 ? '' : text);
    return;
  }
  await lookUpAndOpen(client, panels, parsed, text);
}

async function lookUpAndOpen(client: Finder, panels: Opener, query: TraceLookupQuery, text: string): Promise<void> {
  const shown = text.length > 80 ? `${text.slice(0, 77)}…` : text;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Looking up ${shown}…`, cancellable: true },
    (_progress, token) => client.findTraces(query, token),
  );
  const [first, ...rest] = result.matches;
  if (first === undefined) {
    const id = query.kind === 'traceId' ? query.traceId : query.uuid;
    void vscode.window.showWarningMessage(`No trace or Dify run matches ${id}. Searched: ${result.searched.map(backendLabel).join(', ')}.`);
    return;
  }
  const picked = rest.length === 0 ? first : await pickMatch(result.matches);
  if (picked) panels.open(picked.traceId, picked.run ? `${picked.run.appName} · ${picked.run.status}` : undefined);
}

async function pickMatch(matches: readonly FindTracesRequest.Match[]): Promise<FindTracesRequest.Match | undefined> {
  const items = matches.map((match) => ({
    label: match.run ? `${match.run.appName} · ${runLabel(match.run)}` : `Trace ${match.traceId}`,
    description: match.run ? runDescription(match.run) : '',
    detail: `Matched by ${matchedByLabel[match.matchedBy]} · trace ${match.traceId}`,
    match,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Dify Trace: ${matches.length} runs match`,
    placeHolder: 'Pick the run to open',
    matchOnDetail: true,
  });
  return picked?.match;
}
