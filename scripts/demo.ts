// `npm run demo` (after scripts/demo.sh has installed, packaged and fetched the host tools): a real
// VS Code (code-server) on loopback with the packaged extension installed and the demo workspace
// open; once a browser has loaded the workbench and the extension's receiver listens, the demo's
// Dify traces are sent with the OpenTelemetry SDK. Runs until Ctrl-C.
//
//   node --import tsx scripts/demo.ts [--port <code-server port>] [--receiver-timeout <s>] [--large [spans]] [--recorded [name]] [--headless-check]
//
// --headless-check opens the workbench itself in headless Chromium (Playwright), checks that the
// Runs view lists the demo runs (the three and their history) and that the failing plugin run opens as a span tree, writes
// test-results/demo-*.png, and exits 0 (1 on failure).
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DEMO_RUNS, HISTORY_RUNS, PLUGIN_RUNTIME_SPAN, SLOW_RUN } from '../test/demo/demoRuns';
import { emitDemoTraces, type DemoRunSummary, type DemoSummary } from '../test/demo/emitDemoTraces';
import { largeDifyTrace, postLargeTrace } from '../test/largeTrace/largeTrace';
import { loadRecordedCorpora, loadRecordedCorpus, postRecordedBody } from '../test/recorded/recordedCorpus';
import { findFreePort, startCodeServer, type CodeServer } from '../test/e2e/harness/codeServer';
import { collectActivationErrors } from '../test/e2e/harness/extensionHostLogs';
import { extensionVsix } from '../test/e2e/harness/extensionVsix';
import { repoRoot } from '../test/e2e/harness/repoPaths';
import { openViewContainer, openWorkbench, screenshot, webviewFrame } from '../test/e2e/harness/workbench';

/** code-server's own default port: the URL stays the same from one demo to the next while it is free. */
const PREFERRED_CODE_SERVER_PORT = 8080;
/** The OTLP/HTTP default, which Dify's OTLP_BASE_ENDPOINT default points at. */
const PREFERRED_RECEIVER_PORT = 4318;
const INTERACTIVE_RECEIVER_TIMEOUT_S = 15 * 60;
const HEADLESS_RECEIVER_TIMEOUT_S = 120;
const WATCH_INTERVAL_MS = 1_000;

/** An expected failure with a message that says what to do: printed without a stack. */
class DemoError extends Error {}

interface Args {
  readonly headlessCheck: boolean;
  readonly port: number | undefined;
  readonly receiverTimeoutS: number | undefined;
  /** Also send one generated failing run of this many spans (`--large`), to try the trace view at scale. */
  readonly largeSpans: number | undefined;
  /** Also replay what a real Dify sent (`--recorded [name]`, a folder of test/recorded). */
  readonly recorded: string | undefined;
}

/** Set from the command line before the first send. */
let largeSpans: number | undefined;
let recorded: string | undefined;

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function usage(): string {
  return 'usage: node --import tsx scripts/demo.ts [--port <code-server port>] [--receiver-timeout <seconds>] [--large [spans]] [--recorded [name]] [--headless-check]';
}

function parseArgs(argv: readonly string[]): Args {
  let headlessCheck = false;
  let port: number | undefined;
  let receiverTimeoutS: number | undefined;
  let large: number | undefined;
  let replay: string | undefined;
  const number = (flag: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min || n > max) {
      throw new DemoError(`${flag} needs an integer from ${min} to ${max}\n${usage()}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--headless-check') headlessCheck = true;
    else if (arg === '--port') port = number(arg, argv[++i], 1, 65_535);
    else if (arg === '--receiver-timeout') receiverTimeoutS = number(arg, argv[++i], 1, 86_400);
    else if (arg === '--large') large = /^\d+$/.test(argv[i + 1] ?? '') ? number(arg, argv[++i], 1_000, 1_000_000) : 100_000;
    else if (arg === '--recorded') {
      replay = /^dify-/.test(argv[i + 1] ?? '') ? argv[++i]! : 'dify-1.13.3';
      if (!loadRecordedCorpora().some((c) => c.name === replay)) throw new DemoError(`--recorded: no recording ${replay} in test/recorded (${loadRecordedCorpora().map((c) => c.name).join(', ')})`);
    }
    else if (arg === '--help' || arg === '-h') {
      say(usage());
      process.exit(0);
    } else throw new DemoError(`unknown argument ${String(arg)}\n${usage()}`);
  }
  return { headlessCheck, port, receiverTimeoutS, largeSpans: large, recorded: replay };
}

/** Whether a listener could bind 127.0.0.1:port right now. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function preferredOrFreePort(preferred: number, what: string): Promise<number> {
  if (await isPortFree(preferred)) return preferred;
  const port = await findFreePort();
  say(`  (port ${preferred} is taken, so ${what} uses port ${port})`);
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Resolves once the receiver accepts connections; rejects at the deadline or when `signal` aborts. */
async function waitForReceiver(port: number, timeoutS: number, signal: AbortSignal, reminders: boolean): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutS * 1_000;
  let nextReminder = started + 60_000;
  while (!(await accepts(port))) {
    signal.throwIfAborted();
    const now = Date.now();
    if (now >= deadline) {
      throw new DemoError(
        `the extension's receiver did not listen on 127.0.0.1:${port} within ${timeoutS} s. ` +
          'Was the URL opened in a browser? The extension starts only when the workbench loads; ' +
          'if it did load, run "Dify Trace: Show Log" in it to see why the receiver did not start.',
      );
    }
    if (reminders && now >= nextReminder) {
      say(`  ... still waiting for the receiver (${Math.round((deadline - now) / 1_000)} s left): open the URL above in a browser`);
      nextReminder += 60_000;
    }
    await delay(250, undefined, { signal });
  }
}

function workbenchUrl(server: CodeServer): string {
  // Readable: only what must be escaped in a query value is (the slashes of the path stay).
  return `${server.url}/?folder=${encodeURIComponent(server.workspaceDir).replaceAll('%2F', '/')}`;
}

function printBanner(url: string, receiverPort: number): void {
  const line = '='.repeat(Math.max(72, url.length + 4));
  say();
  say(line);
  say('  Dify Trace Explorer demo: VS Code (code-server) is running with the extension installed.');
  say();
  say(`  Open:  ${url}`);
  say();
  say('  Then click the "Dify Trace Explorer" icon in the activity bar (left) to see the Runs view.');
  say(`  Receiver (OTLP/HTTP): http://127.0.0.1:${receiverPort}   Ctrl-C stops everything.`);
  say('  (Remote machine? Forward the port first, e.g. `ssh -L <port>:127.0.0.1:<port> <host>`.)');
  say(line);
  say();
}

function printSummary(summary: DemoSummary): void {
  say(`Sent ${summary.totalSpans} spans in ${summary.exportRequests} OTLP requests to ${summary.tracesUrl}:`);
  for (const [service, spans] of Object.entries(summary.spansByService)) {
    say(`  ${String(spans).padStart(4)} spans from ${service}`);
  }
  for (const run of summary.runs) {
    const started = new Date(run.startMs).toLocaleTimeString();
    const where = run.failingNodeTitle === null ? '' : ` at "${run.failingNodeTitle}"`;
    say(`  run ${run.index}: ${run.appName}, ${run.inputs.destination}, started ${started}, ${run.status}${where}`);
    if (run.errorMessage !== null) say(`         ${run.errorMessage.split('\n')[0]}`);
  }
  printHistory(summary.history);
}

/** The history in two lines: nineteen near-identical runs would bury the three that matter. */
function printHistory(history: readonly DemoRunSummary[]): void {
  const [first, last] = [history[0], history.at(-1)];
  if (first === undefined || last === undefined) return;
  const started = (run: DemoRunSummary): string => new Date(run.startMs).toLocaleTimeString();
  const seconds = (ms: number): string => `${(ms / 1_000).toFixed(1)} s`;
  say(`  runs ${first.index}–${last.index}: ${history.length} earlier succeeded runs of ${first.appName}, started ${started(first)} to ${started(last)}, for its performance history`);
  const slow = history.find((run) => run.index === SLOW_RUN.index);
  if (slow === undefined) return;
  const others = history.filter((run) => run !== slow).map((run) => run.endMs - run.startMs);
  say(
    `  run ${slow.index}: ${slow.inputs.destination}, started ${started(slow)}, took ${seconds(slow.endMs - slow.startMs)} ` +
      `(the others ${seconds(Math.min(...others))} to ${seconds(Math.max(...others))}): the plugin's "${PLUGIN_RUNTIME_SPAN}" was slow`,
  );
}

async function sendDemoTraces(receiverPort: number): Promise<void> {
  printSummary(await emitDemoTraces({ endpoint: `http://127.0.0.1:${receiverPort}`, history: true }));
  if (recorded !== undefined) {
    const corpus = loadRecordedCorpus(recorded);
    let refused = 0;
    for (const body of corpus.bodies) if ((await postRecordedBody(`http://127.0.0.1:${receiverPort}`, body)) >= 300) refused++;
    say(`Replayed ${corpus.bodies.length} requests a real Dify sent (test/recorded/${recorded}, ${corpus.runs.size} runs)${refused > 0 ? `, ${refused} refused` : ''}.`);
    say(`  Their apps' DSLs and plugin project are in test/recorded/${recorded}/workspace: open that folder to go to their source.`);
  }
  if (largeSpans === undefined) return;
  say(`Generating a failing run of about ${largeSpans.toLocaleString('en-US')} spans…`);
  const trace = largeDifyTrace({ spanTarget: largeSpans });
  await postLargeTrace(`http://127.0.0.1:${receiverPort}`, trace);
  say(`  sent ${trace.spanCount.toLocaleString('en-US')} spans: open it from the Runs view, or Dify Trace: Open Trace… ${trace.appTraceId}`);
}

/**
 * Until `signal` aborts: when the receiver goes away (the browser tab was closed or reloaded and the
 * extension host restarted, taking the in-memory traces with it) and comes back, sends the runs again.
 */
async function keepRunning(receiverPort: number, signal: AbortSignal): Promise<void> {
  let up = true;
  while (!signal.aborted) {
    await delay(WATCH_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    const now = await accepts(receiverPort);
    if (up && !now) say('The receiver stopped (window closed or reloaded?); the runs are sent again when it is back.');
    if (!up && now) {
      say('The receiver is back:');
      await sendDemoTraces(receiverPort).catch((error: unknown) => say(`sending the demo traces failed: ${String(error)}`));
    }
    up = now;
  }
}

/** The machine check of the demo's promise: the runs are listed, and the failing run opens as a tree. */
async function headlessCheck(server: CodeServer, receiverPort: number, timeoutS: number, signal: AbortSignal): Promise<void> {
  const pluginRun = DEMO_RUNS.find((run) => run.failure?.kind === 'plugin');
  const codeRun = DEMO_RUNS.find((run) => run.failure?.kind === 'code');
  if (pluginRun?.failingNodeTitle == null || codeRun?.failingNodeTitle == null) throw new Error('DEMO_RUNS lacks a failing plugin run or Code run');
  const started = Date.now();
  const lap = (what: string): void => say(`check: ${what} (${((Date.now() - started) / 1_000).toFixed(1)} s)`);

  const workbench = await openWorkbench(server, { name: 'demo' });
  const { page } = workbench;
  // The pointer goes to an empty spot first: a hover tooltip would cover the view.
  const shot = async (name: string): Promise<void> => {
    await page.mouse.move(1_200, 950);
    await delay(300);
    await screenshot(page, name);
  };
  try {
    lap('workbench loaded in headless Chromium');
    const sidebar = page.locator('[id="workbench.parts.sidebar"]');
    await openViewContainer(page, 'Dify Trace Explorer');
    await waitForReceiver(receiverPort, timeoutS, signal, false);
    await sidebar.getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
    lap(`receiver listening on port ${receiverPort}, Runs view empty`);
    await shot('demo-empty');

    await sendDemoTraces(receiverPort);
    // The demo app's runs (a --recorded replay adds other apps' runs beside them).
    const rows = sidebar.locator(`.monaco-list-row[aria-level="2"][aria-label^="${pluginRun.appName} "]`);
    const failedPluginRow = rows.filter({ hasText: `failed · at ${pluginRun.failingNodeTitle}` });
    await failedPluginRow.waitFor({ timeout: 30_000 });
    await rows.filter({ hasText: `failed · at ${codeRun.failingNodeTitle}` }).waitFor();
    await rows.filter({ hasText: 'succeeded' }).first().waitFor();
    // The history runs are sent with the three; wait for the last row before counting.
    const expected = DEMO_RUNS.length + HISTORY_RUNS.length;
    await rows.nth(expected - 1).waitFor();
    const count = await rows.count();
    if (count !== expected) throw new Error(`the Runs view has ${count} rows of ${pluginRun.appName}, expected ${expected}`);
    if (recorded !== undefined) {
      await sidebar.locator('.monaco-list-row[aria-level="2"]', { hasText: 'at Check Item (item 13 of Process Items)' }).first().waitFor({ timeout: 30_000 });
      lap(`the runs a real Dify sent (${recorded}) are listed too`);
    }
    lap(`Runs view lists the ${count} demo runs`);
    await shot('demo-runs');

    await failedPluginRow.click();
    const frame = webviewFrame(page);
    await frame.locator('[role="tree"]').waitFor({ timeout: 30_000 });
    // The root cause (the plugin runtime span of the linked infrastructure trace) is selected on open.
    const rootCause = pluginRun.failingSpans.find((s) => s.traceId === pluginRun.infraTraceId);
    if (rootCause === undefined) throw new Error('DEMO_RUNS lacks the plugin runtime span of run 2');
    const rootCauseRow = frame.locator('.row[role="treeitem"][data-status="error"]', { hasText: rootCause.name }).first();
    await rootCauseRow.waitFor();
    if ((await rootCauseRow.getAttribute('aria-selected')) !== 'true') throw new Error(`the root cause "${rootCause.name}" is not selected on open`);
    await frame.locator('.row[role="treeitem"][data-status="error"]', { hasText: pluginRun.failingNodeTitle }).first().waitFor();
    await frame.locator('.details h2', { hasText: rootCause.name }).waitFor();
    lap(`the failing run's span tree opened with the root cause "${rootCause.name}" selected`);
    await shot('demo-trace');

    const errors = collectActivationErrors(server.logsDir());
    if (errors.length > 0) throw new Error(`activation errors in the extension host log:\n${errors.join('\n')}`);
  } catch (error) {
    await screenshot(page, 'demo-failure').catch(() => undefined);
    throw error;
  } finally {
    await workbench.close();
  }
  say(`check passed: screenshots in ${join(repoRoot(), 'test-results')}/demo-{empty,runs,trace}.png`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  largeSpans = args.largeSpans;
  recorded = args.recorded;
  // Ctrl-C / SIGTERM: stop code-server cleanly (the harness leaves the signals to us); a second one forces.
  const shutdown = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shutdown.signal.aborted) {
      say(`${signal} again: exiting now`);
      process.exit(130); // the harness's exit hook still kills code-server
    }
    say(`\n${signal}: stopping code-server ...`);
    shutdown.abort(new Error(`stopped by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const vsix = extensionVsix();
  const workspaceDir = join(repoRoot(), 'test', 'demo', 'workspace');
  const port = args.port ?? (await preferredOrFreePort(PREFERRED_CODE_SERVER_PORT, 'code-server'));
  const receiverPort = await preferredOrFreePort(PREFERRED_RECEIVER_PORT, 'the receiver');
  say(`Starting code-server on 127.0.0.1:${port} with ${vsix} installed ...`);
  const server = await startCodeServer({
    workspaceDir,
    vsixPath: vsix,
    port,
    handleSignals: false,
    userSettings: { 'difyTrace.receiver.port': receiverPort },
  });
  try {
    shutdown.signal.throwIfAborted();
    printBanner(workbenchUrl(server), receiverPort);
    if (args.headlessCheck) {
      await headlessCheck(server, receiverPort, args.receiverTimeoutS ?? HEADLESS_RECEIVER_TIMEOUT_S, shutdown.signal);
      return;
    }
    const timeoutS = args.receiverTimeoutS ?? INTERACTIVE_RECEIVER_TIMEOUT_S;
    say(`Waiting up to ${timeoutS >= 120 ? `${Math.round(timeoutS / 60)} min` : `${timeoutS} s`} for the extension's receiver on 127.0.0.1:${receiverPort}:`);
    say('open the URL in a browser: the extension starts when the workbench loads.');
    await waitForReceiver(receiverPort, timeoutS, shutdown.signal, true);
    say('The receiver is listening.');
    await sendDemoTraces(receiverPort);
    say();
    say(`The Runs view now lists the three runs and ${HISTORY_RUNS.length} older ones; click a failed one to open its span tree,`);
    say(`or run ${SLOW_RUN.index} to see where its time went.`);
    say('Running until Ctrl-C.');
    await keepRunning(receiverPort, shutdown.signal);
  } catch (error) {
    if (!shutdown.signal.aborted) throw error;
    // Ctrl-C ends the demo normally; it interrupts a check, which then has not passed.
    if (args.headlessCheck) process.exitCode = 130;
  } finally {
    await server.stop();
    say('code-server stopped.');
  }
}

main().then(
  // Explicit: nothing the demo started may keep the process alive after code-server stopped.
  () => process.exit(),
  (error: unknown) => {
    const text = error instanceof DemoError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`demo: ${text}\n`);
    process.exit(1);
  },
);
