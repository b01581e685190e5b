import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHostTools } from './hostTools.js';
import { findFreePort } from './freePort.js';
import { childEnv, stopProcessGroup, runToCompletion, waitUntil } from './processGroup.js';

export { findFreePort };

export interface CodeServerOptions {
  readonly workspaceDir: string;
  /** Merged over the clean-window defaults below. */
  readonly userSettings?: Record<string, unknown>;
  /** Installed with `--install-extension` into the fresh extensions dir before the server starts. */
  readonly vsixPath?: string;
  /** Not supported: code-server has no such flag (it needs a test payload in the page URL). */
  readonly extensionDevelopmentPath?: never;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly workspaceDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** stdout + stderr of the server process. */
  readonly serverLogPath: string;
  /** The newest `<userDataDir>/logs/<timestamp>` folder (holds `exthost<N>/remoteexthost.log`). */
  logsDir(): string;
  /** Kills the whole process group (extension hosts too) and removes the temp dirs, unless E2E_KEEP_PROFILE=1. */
  stop(): Promise<void>;
}

/** Settings for a window without Welcome tab, Chat, tips, update checks or trust prompts. */
const CLEAN_WINDOW_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.reduceMotion': 'on',
};

const HEALTH_TIMEOUT_MS = 30_000;
const INSTALL_TIMEOUT_MS = 60_000;

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const tools = resolveHostTools();
  const env = childEnv(tools.node24BinDir);
  const userDataDir = mkdtempSync(join(tmpdir(), 'dte-userdata-'));
  const extensionsDir = mkdtempSync(join(tmpdir(), 'dte-extensions-'));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const settings = { ...CLEAN_WINDOW_SETTINGS, ...opts.userSettings };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // --config /dev/null: otherwise code-server writes ~/.config/code-server/config.yaml.
  const common = ['--config', '/dev/null', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  if (opts.vsixPath !== undefined) {
    await runToCompletion(tools.codeServerBin, [...common, '--install-extension', opts.vsixPath], env, INSTALL_TIMEOUT_MS);
  }

  const port = await findFreePort();
  const serverLogPath = join(userDataDir, 'code-server.log');
  const logFd = openSync(serverLogPath, 'a');
  const args = [
    ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Extension hosts of closed pages otherwise linger for 3 h and hold workspace locks.
    '--reconnection-grace-time', '5',
    // Lets a page URL carry a test payload (extensionDevelopmentPath/extensionTestsPath).
    '--vscode-option', 'enable-smoke-test-driver',
    opts.workspaceDir,
  ];
  // detached: own process group, so stop() reaches the extension hosts and watchers too.
  const child = spawn(tools.codeServerBin, args, { detached: true, stdio: ['ignore', logFd, logFd], env });
  closeSync(logFd);
  // A test that forgets stop() must not hang the runner; the 'exit' hook below still kills the group.
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not spawn ${tools.codeServerBin}`);
  }
  let exitCode: number | null | undefined;
  child.once('exit', (code, signal) => {
    exitCode = code ?? (signal === null ? null : -1);
  });
  const killOnExit = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // group already gone
    }
  };
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopProcessGroup(pid);
    if (process.env['E2E_KEEP_PROFILE'] === '1') {
      process.stderr.write(`e2e: kept ${userDataDir} and ${extensionsDir}\n`);
    } else {
      rmSync(userDataDir, { recursive: true, force: true });
      rmSync(extensionsDir, { recursive: true, force: true });
    }
  };

  try {
    await waitUntil(HEALTH_TIMEOUT_MS, async () => {
      if (exitCode !== undefined) {
        throw new Error(`code-server exited (${String(exitCode)}) before answering`);
      }
      return isHealthy(`${url}/healthz`);
    }, `code-server did not answer ${url}/healthz`);
  } catch (error) {
    const log = readFileSync(serverLogPath, 'utf8');
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- code-server output ---\n${log.slice(-4_000)}`, { cause: error });
  }

  const logsDir = (): string => {
    const root = join(userDataDir, 'logs');
    const newest = readdirSync(root).sort().at(-1);
    if (newest === undefined) {
      throw new Error(`no log folder yet in ${root}`);
    }
    return join(root, newest);
  };
  return { url, port, workspaceDir: opts.workspaceDir, userDataDir, extensionsDir, serverLogPath, logsDir, stop };
}

async function isHealthy(healthUrl: string): Promise<boolean> {
  try {
    const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
