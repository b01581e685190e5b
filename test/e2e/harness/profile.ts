import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh VS Code profile: user data (settings, logs, state) and extensions, both in temp dirs. */
export interface Profile {
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** The code-server flags that select this profile (and keep ~/.config/code-server untouched). */
  readonly flags: readonly string[];
  /** Deletes both dirs, unless E2E_KEEP_PROFILE=1 (then it prints where they are). */
  remove(): void;
}

/** Settings for a window without Welcome tab, Chat, tips, update checks, trust prompts or animations. */
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

/**
 * Creates the profile with `User/settings.json` = the clean-window settings merged with
 * `userSettings`, and the same in `Machine/settings.json`: code-server is a remote host, where
 * machine-scoped settings (the receiver's) are read from the machine's settings only, as over Remote-SSH.
 */
export function createProfile(userSettings: Readonly<Record<string, unknown>> = {}): Profile {
  const userDataDir = mkdtempSync(join(tmpdir(), 'dte-userdata-'));
  const extensionsDir = mkdtempSync(join(tmpdir(), 'dte-extensions-'));
  const settings = { ...CLEAN_WINDOW_SETTINGS, ...userSettings };
  for (const scope of ['User', 'Machine']) {
    mkdirSync(join(userDataDir, scope));
    writeFileSync(join(userDataDir, scope, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  }
  let removed = false;
  return {
    userDataDir,
    extensionsDir,
    flags: ['--config', '/dev/null', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir],
    remove(): void {
      if (removed) {
        return;
      }
      removed = true;
      if (process.env['E2E_KEEP_PROFILE'] === '1') {
        process.stderr.write(`e2e: kept ${userDataDir} and ${extensionsDir}\n`);
        return;
      }
      rmSync(userDataDir, { recursive: true, force: true });
      rmSync(extensionsDir, { recursive: true, force: true });
    },
  };
}
