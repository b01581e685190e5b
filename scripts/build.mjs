// Five bundles: the extension host, the trace server and its decode thread (Node, CommonJS) and the two webview pages (browser).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: production ? false : 'linked', minify: production, logLevel: 'info', legalComments: 'none' };

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'],
    // Marks when the bundle starts loading, so activation time includes module evaluation.
    banner: { js: 'globalThis.__difyTraceLoadStart = performance.now();' } },
  { ...common, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The trace server's decode thread (src/server/receiver/workerDecoder.ts looks for it beside server.js).
  { ...common, entryPoints: ['src/server/receiver/decodeWorker.ts'], outfile: 'dist/decodeWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['webview/src/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The workflow performance page: a page of its own, so the trace view's bundle does not carry it.
  { ...common, entryPoints: ['webview/src/performance/main.ts'], outfile: 'dist/webview/performance.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/webview', { recursive: true });
// The codicon font is the only third-party asset the webview loads.
cpSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
cpSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
for (const sheet of ['trace.css', 'timeline.css', 'details.css', 'performance.css']) cpSync(`webview/src/styles/${sheet}`, `dist/webview/${sheet}`);

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
