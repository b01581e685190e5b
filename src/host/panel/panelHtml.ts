import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The webview's HTML shell: strict CSP with a fresh crypto nonce, assets through asWebviewUri,
 * and no trace data at all (the data arrives by message after `ready`).
 */
export function panelHtml(webview: vscode.Webview, assetsRoot: vscode.Uri): string {
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
<link rel="stylesheet" href="${asset('trace.css')}">
<link rel="stylesheet" href="${asset('timeline.css')}">
<link rel="stylesheet" href="${asset('details.css')}">
<title>Dify Trace</title>
</head>
<body>
<div id="app" aria-busy="true"><p class="placeholder">Loading trace…</p></div>
<script nonce="${nonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}
