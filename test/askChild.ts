import type { ChildProcess } from 'node:child_process';

/**
 * Sends `message` to a child process (none when undefined) and resolves with its first reply that
 * carries `key`; rejects if the child exits first (a crash is the test's finding, not a hang).
 */
export function askChild<Reply extends object>(child: ChildProcess, message: object | undefined, key: keyof Reply): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply) => {
      if (reply[key] === undefined) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply);
    };
    const onExit = (code: number | null, signal: string | null) => reject(new Error(`the child process exited (${signal ?? code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== undefined) child.send(message);
  });
}
