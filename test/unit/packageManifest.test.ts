// What the extension's manifest promises the user about settings that decide what the machine exposes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

interface Setting {
  readonly scope?: string;
}
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Setting> } } };
const settings = manifest.contributes.configuration.properties;

it("keeps the receiver's address, port, switch and body limit, and the trace database, out of a workspace's reach (machine scope)", () => {
  const exposed = Object.keys(settings).filter((key) => (key.startsWith('difyTrace.receiver.') || key.startsWith('difyTrace.store.persist') || key === 'difyTrace.store.retentionDays' || key === 'difyTrace.store.maxDiskMiB') && settings[key]?.scope !== 'machine');
  assert.deepEqual(exposed, [], 'a .vscode/settings.json in a cloned repository could open the receiver to the network or raise its limits');
  assert.ok(Object.keys(settings).filter((key) => key.startsWith('difyTrace.receiver.')).length >= 4);
});
