/**
 * A backend server process for the remote backends tier (Phoenix, Zipkin): started with its own
 * environment, ready when its health URL answers 200, stopped with its scratch directory removed.
 * Its output is kept (the last few KiB) to say why it did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface LoopbackServer {
  readonly process: ChildProcess;
  /** Why the process ended, once it has. */
  readonly exited: () => string | undefined;
  stop(): void;
}

export async function startLoopbackServer(name: string, command: string, args: readonly string[], options: { readonly env: NodeJS.ProcessEnv; readonly readyUrl: string; readonly scratchDir: string; readonly timeoutMs?: number }): Promise<LoopbackServer> {
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited: string | undefined;
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}: ${output.slice(-1500)}`));
  const stop = (): void => {
    child.kill();
    rmSync(options.scratchDir, { recursive: true, force: true });
  };
  // Poll the health URL: these servers give no other sign of being ready.
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline && exited === undefined) {
    if (await fetch(options.readyUrl).then((r) => r.ok, () => false)) return { process: child, exited: () => exited, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`${name} did not become ready at ${options.readyUrl}: ${exited ?? output.slice(-1500)}`);
}
