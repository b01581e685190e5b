import * as vscode from 'vscode';
import { findTraceLinks } from './terminalTraceLinks';
import { parseTraceUri } from './traceUri';
import type { TraceLookup } from './openTraceCommand';

type Lookup = Pick<TraceLookup, 'lookUp'>;

interface TraceTerminalLink extends vscode.TerminalLink {
  readonly lookup: string;
}

/**
 * `vscode://dify-trace.dify-trace-explorer/trace?id=…`: the same lookup as the palette. The link
 * may come from anywhere, so it is only parsed into a lookup query; anything else is refused with
 * what was expected.
 */
export function registerTraceUriHandler(lookup: Lookup, output: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.window.registerUriHandler({
    handleUri(uri: vscode.Uri): void {
      const parsed = parseTraceUri(uri.path, uri.query);
      if (parsed.kind === 'invalid') {
        output.warn(`Refused a link: ${parsed.message}`);
        void vscode.window.showWarningMessage(`Dify Trace Explorer: ${parsed.message}`);
        return;
      }
      output.info(`Opening a trace from a link: ${parsed.text}`);
      void lookup.lookUp(parsed.text).catch((e: unknown) => {
        output.error('Opening a trace from a link failed', e);
        void vscode.window.showErrorMessage(`Dify Trace Explorer: opening the trace failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    },
  });
}

/** Trace ids, Dify run and message ids and trace URLs in terminal output become links to the lookup. */
export function registerTerminalTraceLinks(lookup: Lookup, output: vscode.LogOutputChannel): vscode.Disposable {
  const provider: vscode.TerminalLinkProvider<TraceTerminalLink> = {
    provideTerminalLinks(context): TraceTerminalLink[] {
      return findTraceLinks(context.line).map((link) => ({
        startIndex: link.startIndex,
        length: link.length,
        tooltip: link.query.kind === 'traceId' ? 'Open this trace in Dify Trace Explorer' : 'Look up this Dify run in Dify Trace Explorer',
        lookup: link.text,
      }));
    },
    handleTerminalLink(link): void {
      void lookup.lookUp(link.lookup).catch((e: unknown) => {
        output.error('Opening a trace from the terminal failed', e);
        void vscode.window.showErrorMessage(`Dify Trace Explorer: opening the trace failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    },
  };
  return vscode.window.registerTerminalLinkProvider(provider);
}
