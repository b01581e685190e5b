import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findFreePort } from './freePort.js';
import { resolveHostTools } from './hostTools.js';
import { childEnv, onProcessExit, runToCompletion, signalGroup, stopProcessGroup, waitUntil } from './processGroup.js';
import { createProfile, type Profile } from './profile.js';

export { findFreePort };

export interface CodeServerOptions {
  readonly workspaceDir: string;
  /** Merged over the clean-window defaults of profile.ts. */
  readonly userSettings?: Record<string, unknown>;
  /** Installed with `--install-extension` into the fresh extensions dir before the server starts. */
  readonly vsixPath?: string;
  /** Not supported: code-server has no such flag (it needs a test payload in the page URL). */
  readonly extensionDevelopmentPath?: never;
  /** Port to bind on 127.0.0.1, for a URL that stays the same between runs (default: a free one). */
  readonly port?: number;
  /**
   * Default true: SIGINT/SIGTERM kill the server (SIGKILL) and re-raise the signal. false leaves the
   * signals to the caller, which must then call stop() itself (a graceful shutdown); the process
   * 'exit' hook still kills the server.
   */
  readonly handleSignals?: boolean;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly workspaceDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** stdout + stderr of the server process. */
  readonly serverLogPath: string;
  /** The server's `<userDataDir>/logs/<timestamp>` folder (holds `exthost<N>/remoteexthost.log`). */
  logsDir(): string;
  /** Kills the whole process group (extension hosts too) and removes the profile, unless E2E_KEEP_PROFILE=1. */
  stop(): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 30_000;
const INSTALL_TIMEOUT_MS = 60_000;

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const tools = resolveHostTools();
  const env = childEnv(tools.node24BinDir);
  // A free OTLP/gRPC port unless the test names one: 4317 may be taken on the machine, and a warning would be noise.
  const profile = createProfile({ 'difyTrace.receiver.grpcPort': await findFreePort(), ...opts.userSettings });
  try {
    if (opts.vsixPath !== undefined) {
      await runToCompletion(tools.codeServerBin, [...profile.flags, '--install-extension', resolve(opts.vsixPath)], env, INSTALL_TIMEOUT_MS);
    }
    return await launch(tools.codeServerBin, env, profile, resolve(opts.workspaceDir), opts.port ?? (await findFreePort()), opts.handleSignals ?? true);
  } catch (error) {
    profile.remove();
    throw error;
  }
}

async function launch(
  codeServerBin: string,
  env: NodeJS.ProcessEnv,
  profile: Profile,
  workspaceDir: string,
  port: number,
  handleSignals: boolean,
): Promise<CodeServer> {
  const url = `http://127.0.0.1:${port}`;
  const serverLogPath = join(profile.userDataDir, 'code-server.log');
  const args = [
    ...profile.flags,
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
    workspaceDir,
  ];
  const logFd = openSync(serverLogPath, 'a');
  // detached: own process group, so stopping it reaches the extension hosts and watchers too.
  const child = spawn(codeServerBin, args, { detached: true, stdio: ['ignore', logFd, logFd], env });
  closeSync(logFd);
  // A test that forgets stop() must not hang the runner; the exit hook below still kills the group.
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not spawn ${codeServerBin}`);
  }
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const cancelExitHook = onProcessExit(() => {
    signalGroup(pid, 'SIGKILL');
    profile.remove();
  }, handleSignals);
  const stop = async (): Promise<void> => {
    cancelExitHook();
    await stopProcessGroup(pid);
    profile.remove();
  };

  try {
    await waitUntil(HEALTH_TIMEOUT_MS, async () => {
      if (exited) {
        throw new Error(`code-server exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before answering`);
      }
      return isHealthy(`${url}/healthz`);
    }, `code-server did not answer ${url}/healthz`);
  } catch (error) {
    const output = readFileSync(serverLogPath, 'utf8').slice(-4_000);
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n--- code-server output ---\n${output}`, { cause: error });
  }

  const { userDataDir, extensionsDir } = profile;
  const logsDir = (): string => {
    // `--install-extension` writes a log folder of its own (remoteCLI.log); the server's has remoteagent.log.
    const root = join(userDataDir, 'logs');
    const newest = readdirSync(root).filter((name) => existsSync(join(root, name, 'remoteagent.log'))).sort().at(-1);
    if (newest === undefined) {
      throw new Error(`no server log folder (with remoteagent.log) yet in ${root}`);
    }
    return join(root, newest);
  };
  return { url, port, workspaceDir, userDataDir, extensionsDir, serverLogPath, logsDir, stop };
}

async function isHealthy(healthUrl: string): Promise<boolean> {
  try {
    const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
