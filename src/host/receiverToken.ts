import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isLoopbackAddress } from '../shared/loopback';
import { configSection } from './settings';

const secretKey = 'difyTrace.receiverToken';

/**
 * The token a receiver open to the network requires, kept in the editor's SecretStorage (never in
 * settings or logs); made on first use. Dify sends it as its OTLP_API_KEY (a Bearer token), and the
 * app exporters as their API key, license key or Langfuse secret key.
 */
export class ReceiverTokenStore {
  private token: string | undefined;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  get current(): string | undefined {
    return this.token;
  }

  async load(): Promise<string> {
    this.token = (await this.secrets.get(secretKey)) ?? undefined;
    if (this.token === undefined) {
      this.token = randomBytes(24).toString('base64url');
      await this.secrets.store(secretKey, this.token);
    }
    return this.token;
  }
}

/** Whether the configured receiver host is loopback (no token needed, Host header checked instead). */
export function receiverOnLoopback(): boolean {
  return isLoopbackAddress(vscode.workspace.getConfiguration(configSection).get<string>('receiver.host', '127.0.0.1'));
}

export async function copyReceiverToken(store: ReceiverTokenStore): Promise<void> {
  await vscode.env.clipboard.writeText(await store.load());
  void vscode.window.showInformationMessage("Copied the receiver token. Set it as Dify's OTLP_API_KEY (api, worker, plugin_daemon) and as the API key, license key or Langfuse secret key of an app's tracing.");
}

/** Says so, once per change, when the receiver is open to the network. */
export function warnWhenOpen(store: ReceiverTokenStore): void {
  if (receiverOnLoopback()) return;
  const host = vscode.workspace.getConfiguration(configSection).get<string>('receiver.host', '');
  void vscode.window
    .showWarningMessage(`The Dify trace receiver listens on ${host}, open to the network: it takes only requests that carry the receiver token.`, 'Copy Token', 'Listen on Loopback Only')
    .then(async (pick) => {
      if (pick === 'Copy Token') await copyReceiverToken(store);
      if (pick === 'Listen on Loopback Only') await vscode.workspace.getConfiguration(configSection).update('receiver.host', '127.0.0.1', vscode.ConfigurationTarget.Global);
    });
}
