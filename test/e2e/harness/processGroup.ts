import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * Pids of the process group that are not zombies (Linux /proc). Zombies are dead already; counting them
 * would wait on the reaper (init reaps orphans only every second or so here).
 */
function liveMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // After "pid (comm) ": state, ppid, pgrp. comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && Number(pgrp) === pgid) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Stops a process group whose leader is `pgid`: SIGTERM to all, then SIGKILL to whatever is left once
 * the leader has exited or `graceMs` has passed. The leader (code-server) shuts its children down
 * itself, except an extension host that may wait out its reconnection grace time first.
 */
export async function stopProcessGroup(pgid: number, graceMs = 5_000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  try {
    await waitUntil(graceMs, () => Promise.resolve(!liveMembers(pgid).includes(pgid)), 'leader still alive after SIGTERM');
  } catch {
    // fall through to SIGKILL
  }
  if (liveMembers(pgid).length > 0) {
    signalGroup(pgid, 'SIGKILL');
  }
  await waitUntil(graceMs, () => Promise.resolve(liveMembers(pgid).length === 0), `process group ${pgid} survived SIGKILL`);
}

/**
 * Runs `cleanup` (synchronous) when this process exits or is stopped by SIGINT/SIGTERM, so a crashed
 * or interrupted test leaves no server behind. Returns a function that cancels the hook.
 * With `onSignals` false only the 'exit' event is hooked: the caller handles the signals.
 */
export function onProcessExit(cleanup: () => void, onSignals = true): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    cancel();
    cleanup();
    process.kill(process.pid, signal); // default action again: exit by the same signal
  };
  const cancel = (): void => {
    process.removeListener('exit', cleanup);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.once('exit', cleanup);
  if (onSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return cancel;
}
