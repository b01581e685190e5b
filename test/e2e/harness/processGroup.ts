import { execFile } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

const POLL_INTERVAL_MS = 100;

/**
 * The environment for code-server: Node 24 first on PATH (its launcher and postinstall check the
 * major version), and nothing inherited that would change how its Node or VS Code behave
 * (the test runner's loaders, or a surrounding VS Code terminal).
 */
export function childEnv(node24BinDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const inherited = !key.startsWith('VSCODE_') && !['NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'ELECTRON_RUN_AS_NODE'].includes(key);
    if (inherited) {
      env[key] = value;
    }
  }
  env['PATH'] = `${node24BinDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
  return env;
}

/** Polls `check` until it returns true; throws `message` at the deadline. `check` may throw to stop early. */
export async function waitUntil(timeoutMs: number, check: () => Promise<boolean>, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) {
      throw new Error(`${message} (waited ${timeoutMs} ms)`);
    }
    await delay(POLL_INTERVAL_MS);
  }
}

/** Runs a command to completion; throws with its output when it fails or overruns. */
export function runToCompletion(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the whole process group, SIGKILL if anything is left after `graceMs`. */
export async function stopProcessGroup(pgid: number, graceMs = 5_000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  try {
    await waitUntil(graceMs, () => Promise.resolve(!groupAlive(pgid)), 'process group still alive after SIGTERM');
  } catch {
    signalGroup(pgid, 'SIGKILL');
    await waitUntil(graceMs, () => Promise.resolve(!groupAlive(pgid)), `process group ${pgid} survived SIGKILL`);
  }
}
