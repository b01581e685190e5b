// Activation time in a real VS Code: the packaged extension in code-server, a fresh profile per
// sample, the workbench opened in headless Chromium on the demo workspace (which activates the
// extension through its manifest.yaml). Per sample:
//   activateMs   — the extension's own `Activated in X ms (bundle load + activate)` log line;
//   welcomeMs    — page navigation start → the Runs view shows "No Dify runs yet", i.e. the trace
//                  server is up and its receiver listens (what a user waits for);
//   workbenchMs  — page navigation start → workbench and status bar rendered (the baseline);
//   extHostStartedMs, activatedAtMs, listeningAtMs — page navigation start → the extension host's
//                  "Extension host with pid N started", our "Activated in" and our "receiver
//                  listening" log entries (wall-clock log timestamps against the page's timeOrigin):
//                  where the wait goes. Upper bounds: an extension's log entries are stamped when
//                  they reach the log writer, so entries sent in one burst share a timestamp.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findFreePort, startCodeServer } from '../test/e2e/harness/codeServer';
import { collectActivationErrors } from '../test/e2e/harness/extensionHostLogs';
import { extensionVsix } from '../test/e2e/harness/extensionVsix';
import { repoRoot } from '../test/e2e/harness/repoPaths';
import { openViewContainer, openWorkbench } from '../test/e2e/harness/workbench';
import { summarise, writeResult } from './stats';

const SAMPLES = 3;
/** `<publisher>.<name>` of package.json: the folder of the extension's log channels. */
const EXTENSION_ID = 'dify-trace.dify-trace-explorer';
const CHANNEL_LOG = 'Dify Trace Explorer.log';
const ACTIVATED = /Activated in ([\d.]+) ms \(bundle load \+ activate\)/;
const LOG_TIMEOUT_MS = 30_000;
/** A log entry's local wall-clock timestamp, e.g. `2026-11-25 16:06:51.885 [info] ...`. */
const ENTRY_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3}) /;

interface Sample {
  readonly activateMs: number;
  readonly welcomeMs: number;
  readonly workbenchMs: number;
  readonly extHostStartedMs: number | null;
  readonly activatedAtMs: number | null;
  readonly listeningAtMs: number | null;
}

/** Epoch ms of the first entry of `log` that matches `pattern`, or null. */
function loggedAt(log: string, pattern: RegExp): number | null {
  const line = log.split('\n').find((l) => pattern.test(l));
  const time = line === undefined ? null : ENTRY_TIME.exec(line);
  return time ? new Date(`${time[1]}T${time[2]}`).getTime() : null; // no zone: local time, like the log
}

/** `<logsDir>/exthost<N>/<publisher>.<name>/<Channel>.log` of every extension host that has one. */
function channelLogs(logsDir: string): string[] {
  return readdirSync(logsDir)
    .filter((name) => name.startsWith('exthost'))
    .sort()
    .map((name) => join(logsDir, name, EXTENSION_ID, CHANNEL_LOG))
    .filter((path) => existsSync(path));
}

/** Waits for the `Activated in X ms` line (log channels are flushed to disk lazily) and returns X. */
async function activationMs(logsDir: () => string): Promise<number> {
  const deadline = Date.now() + LOG_TIMEOUT_MS;
  for (;;) {
    for (const path of channelLogs(logsDir())) {
      const match = ACTIVATED.exec(readFileSync(path, 'utf8'));
      if (match) return Number(match[1]);
    }
    if (Date.now() >= deadline) {
      const found = channelLogs(logsDir());
      throw new Error(
        `no "Activated in X ms" line within ${LOG_TIMEOUT_MS} ms in ${found.length > 0 ? found.join(', ') : `${logsDir()}/exthost*/${EXTENSION_ID}/${CHANNEL_LOG} (absent)`}`,
      );
    }
    await delay(200);
  }
}

async function sample(index: number, vsixPath: string, workspaceDir: string): Promise<Sample> {
  const receiverPort = await findFreePort();
  const server = await startCodeServer({ workspaceDir, vsixPath, userSettings: { 'difyTrace.receiver.port': receiverPort } });
  try {
    const workbench = await openWorkbench(server, { name: `bench-activation-${index}` });
    try {
      const { page } = workbench;
      // performance.now() in the page: ms since its navigation started.
      const workbenchMs = await page.evaluate(() => performance.now());
      await openViewContainer(page, 'Dify Trace Explorer');
      await page.locator('[id="workbench.parts.sidebar"]').getByText('No Dify runs yet').waitFor({ timeout: 60_000 });
      const welcomeMs = await page.evaluate(() => performance.now());
      const activateMs = await activationMs(() => server.logsDir());
      const errors = collectActivationErrors(server.logsDir());
      if (errors.length > 0) throw new Error(`activation errors:\n${errors.join('\n')}`);
      const timeOrigin = await page.evaluate(() => performance.timeOrigin);
      const sinceLoad = (at: number | null): number | null => (at === null ? null : Math.round(at - timeOrigin));
      const hostDir = channelLogs(server.logsDir())[0]?.split(`/${EXTENSION_ID}/`)[0];
      const hostLog = hostDir === undefined ? '' : readFileSync(join(hostDir, 'remoteexthost.log'), 'utf8');
      const channelLog = readFileSync(channelLogs(server.logsDir())[0] ?? '/dev/null', 'utf8');
      return {
        activateMs,
        welcomeMs: Math.round(welcomeMs),
        workbenchMs: Math.round(workbenchMs),
        extHostStartedMs: sinceLoad(loggedAt(hostLog, /Extension host with pid \d+ started/)),
        activatedAtMs: sinceLoad(loggedAt(channelLog, ACTIVATED)),
        listeningAtMs: sinceLoad(loggedAt(channelLog, /receiver listening on/)),
      };
    } finally {
      await workbench.close();
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const vsixPath = extensionVsix();
  const workspaceDir = join(repoRoot(), 'test', 'demo', 'workspace');
  const samples: Sample[] = [];
  for (let i = 1; i <= SAMPLES; i++) {
    const s = await sample(i, vsixPath, workspaceDir);
    console.error(
      `activation sample ${i}/${SAMPLES}: activate ${s.activateMs} ms; after page load: workbench ready ${s.workbenchMs} ms, ` +
        `extension host started ${String(s.extHostStartedMs)} ms, activated ${String(s.activatedAtMs)} ms, ` +
        `receiver listening ${String(s.listeningAtMs)} ms, "No Dify runs yet" shown ${s.welcomeMs} ms`,
    );
    samples.push(s);
  }
  const activateMs = summarise(samples.map((s) => s.activateMs));
  const welcomeMs = summarise(samples.map((s) => s.welcomeMs));
  const workbenchMs = summarise(samples.map((s) => s.workbenchMs));
  const known = (values: readonly (number | null)[]): number[] => values.filter((v): v is number => v !== null);
  const extHostStartedMs = summarise(known(samples.map((s) => s.extHostStartedMs)));
  const activatedAtMs = summarise(known(samples.map((s) => s.activatedAtMs)));
  const listeningAtMs = summarise(known(samples.map((s) => s.listeningAtMs)));
  console.log(
    `activation (code-server, ${SAMPLES} fresh profiles): activate p50 ${activateMs.p50} ms (max ${activateMs.max}); ` +
      `page load → "No Dify runs yet" (receiver listening) p50 ${welcomeMs.p50} ms (max ${welcomeMs.max}); ` +
      `of which workbench ready ${workbenchMs.p50} ms, extension host started ${extHostStartedMs.p50} ms, activated ${activatedAtMs.p50} ms`,
  );
  writeResult('activation', { samples: SAMPLES, activateMs, welcomeMs, workbenchMs, extHostStartedMs, activatedAtMs, listeningAtMs, raw: samples });
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
