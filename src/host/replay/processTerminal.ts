import { spawn } from 'node:child_process';
import * as vscode from 'vscode';

export interface ProcessResult {
  readonly exitCode: number;
  readonly stderr: string;
}

/**
 * A terminal that runs one process and shows its output, and tells its caller how it ended: the
 * replay compares that with the trace (a shell terminal would not say).
 */
export function runInTerminal(name: string, command: string, args: readonly string[], cwd: string, options: { env?: Readonly<Record<string, string>>; note?: string } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const write = new vscode.EventEmitter<string>();
    const close = new vscode.EventEmitter<number | void>();
    let stderr = '';
    let child: ReturnType<typeof spawn> | undefined;
    const show = (text: string): void => write.fire(text.replace(/\r?\n/g, '\r\n'));
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: () => {
        if (options.note !== undefined) show(`${options.note}\n`);
        // The command as it runs; the environment it adds (credentials) is not shown.
        show(`$ ${[command, ...args].join(' ')}\n`);
        child = spawn(command, [...args], { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env } });
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => show(chunk));
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          show(chunk);
        });
        child.on('error', (e) => {
          show(`\n${command} could not start: ${e.message}\n`);
          resolve({ exitCode: -1, stderr: e.message });
        });
        child.on('close', (code) => {
          show(`\n[exited with code ${code ?? -1}]\n`);
          resolve({ exitCode: code ?? -1, stderr });
        });
      },
      close: () => child?.kill(),
    };
    vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('debug-rerun') }).show(true);
  });
}
