import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ACTIVATION_FAILED = /Activating extension .* failed/;
/** Each log entry starts with a timestamp; stack lines of an entry do not. */
const ENTRY_START = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/;
const ERROR_ENTRY = /^\S+ \S+ \[error\]/;

/**
 * Activation failures logged by the extension hosts under `logsDir` (a `<userDataDir>/logs/<timestamp>`
 * folder): each result is the `Activating extension <id> failed ...` entry with its stack.
 */
export function collectActivationErrors(logsDir: string): string[] {
  const errors: string[] = [];
  const hostDirs = readdirSync(logsDir).filter((name) => name.startsWith('exthost')).sort();
  for (const hostDir of hostDirs) {
    const logPath = join(logsDir, hostDir, 'remoteexthost.log');
    if (existsSync(logPath)) {
      errors.push(...activationErrorsIn(readFileSync(logPath, 'utf8')));
    }
  }
  return errors;
}

function activationErrorsIn(log: string): string[] {
  const entries = logEntries(log);
  const errors: string[] = [];
  entries.forEach((entry, index) => {
    if (ACTIVATION_FAILED.test(entry[0] ?? '')) {
      // The error itself (message + stack) is logged as the next `[error]` entry.
      const next = entries[index + 1];
      const cause = next !== undefined && ERROR_ENTRY.test(next[0] ?? '') ? next : [];
      errors.push([...entry, ...cause].join('\n'));
    }
  });
  return errors;
}

/** Splits a log into entries: a timestamped line plus the untimestamped (stack) lines after it. */
function logEntries(log: string): string[][] {
  const entries: string[][] = [];
  for (const line of log.split('\n')) {
    const last = entries.at(-1);
    if (last === undefined || ENTRY_START.test(line)) {
      entries.push([line]);
    } else if (line.trim() !== '') {
      last.push(line);
    }
  }
  return entries;
}
