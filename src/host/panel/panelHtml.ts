import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The webview's HTML shell: strict CSP with a fresh crypto nonce, assets through asWebviewUri,
 * and no trace data at all (the data arrives by message after `ready`).
 */
export interface PanelPage {
  readonly title: string;
  readonly script: string;
  readonly styles: readonly string[];
  readonly placeholder: string;
}

const tracePage: PanelPage = { title: 'Dify Trace', script: 'main.js', styles: ['trace.css', 'timeline.css', 'details.css'], placeholder: 'Loading trace…' };

export function panelHtml(webview: vscode.Webview, assetsRoot: vscode.Uri, page: PanelPage = tracePage): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(assetsRoot, name)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicon.css')}">
${page.styles.map((sheet) => `<link rel="stylesheet" href="${asset(sheet)}">`).join('\n')}
<title>${page.title}</title>
</head>
<body>
<div id="app" aria-busy="true"><p class="placeholder">${page.placeholder}</p></div>
<script nonce="${nonce}" src="${asset(page.script)}"></script>
</body>
</html>`;
}
