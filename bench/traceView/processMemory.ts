/** Resident set sizes from /proc: the benchmark's own view of host and server memory. */
import { readdirSync, readFileSync } from 'node:fs';

export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const m = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The trace server of the extension installed in `extensionsDir` (a node process running its
 * `dist/server.js`) and its parent, the extension host that started it through
 * vscode-languageclient. Other code-servers on the machine have other extension dirs.
 */
export function extensionProcesses(extensionsDir: string): { traceServer: number | undefined; extensionHost: number | undefined } {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmdline.includes(extensionsDir) && /dist\/server\.js/.test(cmdline)) {
      const pid = Number(entry);
      return { traceServer: pid, extensionHost: parentPid(pid) };
    }
  }
  return { traceServer: undefined, extensionHost: undefined };
}
