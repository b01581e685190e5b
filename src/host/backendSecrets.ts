import * as vscode from 'vscode';
import { readBackends } from './backendSettings';
import { configSection } from './settings';

const keyOf = (backendId: string): string => `difyTrace.backendAuthorization.${backendId}`;

/**
 * What a remote backend needs to let a request in (an Authorization header: a proxy's Basic or
 * Bearer credentials), kept per backend id in the editor's SecretStorage: never in settings, logs
 * or exports. Read once at start and when set; handed to the trace server with the settings.
 */
export class BackendSecrets {
  private readonly authorization = new Map<string, string>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Reads the secrets of the configured backends. */
  async load(): Promise<void> {
    const ids = readBackends(vscode.workspace.getConfiguration(configSection).get<unknown>('backends', [])).map((b) => b.id);
    for (const id of ids) {
      const value = await this.secrets.get(keyOf(id));
      if (value === undefined) this.authorization.delete(id);
      else this.authorization.set(id, value);
    }
  }

  /** The headers to send to backend `id`, if any. */
  headersOf(id: string): Record<string, string> | undefined {
    const value = this.authorization.get(id);
    return value === undefined ? undefined : { authorization: value };
  }

  /**
   * Asks for a backend and its Authorization header value (a password box; empty removes it).
   * Returns whether anything changed.
   */
  async ask(): Promise<boolean> {
    const backends = readBackends(vscode.workspace.getConfiguration(configSection).get<unknown>('backends', []));
    if (backends.length === 0) {
      const pick = await vscode.window.showInformationMessage('No remote backend is configured yet (difyTrace.backends).', 'Open Settings');
      if (pick) await vscode.commands.executeCommand('workbench.action.openSettings', `${configSection}.backends`);
      return false;
    }
    const picked = await vscode.window.showQuickPick(
      backends.map((b) => ({ label: b.id, description: `${b.kind} · ${b.url}`, detail: this.authorization.has(b.id) ? 'Credentials set (in the editor\'s secret storage)' : 'No credentials', id: b.id })),
      { title: 'Dify Trace: Set Backend Credentials', placeHolder: 'The backend whose requests need an Authorization header' },
    );
    if (picked === undefined) return false;
    const kind = backends.find((b) => b.id === picked.id)?.kind;
    const value = kind === 'langfuse' ? await askKeyPair(picked.id, langfuseKeys) : kind === 'aliyun' ? await askKeyPair(picked.id, aliyunKeys) : kind === 'phoenix' ? await askBearer(picked.id, "Phoenix's API key (Phoenix with PHOENIX_ENABLE_AUTH, or Phoenix Cloud).") : kind === 'langsmith' ? await askBearer(picked.id, "A LangSmith API key (Settings, API Keys: lsv2_...) that can read the project's runs; sent as x-api-key.") : await askAuthorization(picked.id);
    if (value === undefined) return false;
    if (value.trim() === '') {
      await this.secrets.delete(keyOf(picked.id));
      this.authorization.delete(picked.id);
    } else {
      await this.secrets.store(keyOf(picked.id), value.trim());
      this.authorization.set(picked.id, value.trim());
    }
    return true;
  }
}

/** Empty: remove the credentials. */
async function askAuthorization(id: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `Authorization for ${id}`,
    prompt: 'The Authorization header value the backend (or the proxy in front of it) expects, e.g. "Bearer <token>" or "Basic <base64 of user:password>". Kept in the editor\'s secret storage. Empty: remove it.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (text) => (/[\r\n]/.test(text) ? 'A header value is one line.' : undefined),
  });
}

async function askBearer(id: string, what: string): Promise<string | undefined> {
  const key = await vscode.window.showInputBox({ title: `API key for ${id}`, prompt: `${what} Kept in the editor's secret storage. Empty: remove it.`, password: true, ignoreFocusOut: true, validateInput: (text) => (/\s/.test(text.trim()) ? 'One key, without spaces.' : undefined) });
  return key === undefined || key.trim() === '' ? key : `Bearer ${key.trim()}`;
}

/** How a key pair is asked for: its name, and what each half is called and looks like. */
interface KeyPairPrompt {
  readonly name: string;
  readonly first: { readonly prompt: string; readonly placeHolder: string };
  readonly second: { readonly prompt: string; readonly placeHolder: string };
}

/** Langfuse's key pair as its API wants it: Basic auth, the public key as user, the secret key as password. */
const langfuseKeys: KeyPairPrompt = {
  name: 'Langfuse keys',
  first: { prompt: "The project's public key (Langfuse: Settings, API Keys). Empty: remove the keys.", placeHolder: 'pk-lf-...' },
  second: { prompt: "The secret key that goes with it. Kept in the editor's secret storage.", placeHolder: 'sk-lf-...' },
};

/** An Alibaba Cloud AccessKey pair, kept as Basic auth too: the trace server signs requests with it and never sends it. */
const aliyunKeys: KeyPairPrompt = {
  name: 'Alibaba Cloud AccessKey',
  first: { prompt: 'The AccessKey ID of a RAM user allowed to read traces (xtrace:SearchTrace). Empty: remove the pair.', placeHolder: 'LTAI...' },
  second: { prompt: "The AccessKey secret that goes with it. Kept in the editor's secret storage; requests are signed with it, it is never sent.", placeHolder: 'AccessKey secret' },
};

/** A key pair as `Basic base64(first:second)`; empty first half: remove it. */
async function askKeyPair(id: string, pair: KeyPairPrompt): Promise<string | undefined> {
  const first = await vscode.window.showInputBox({ title: `${pair.name} for ${id} (1/2)`, prompt: pair.first.prompt, placeHolder: pair.first.placeHolder, ignoreFocusOut: true, validateInput: (text) => (/[\s:]/.test(text.trim()) ? 'A key has no spaces or colons.' : undefined) });
  if (first === undefined || first.trim() === '') return first;
  const second = await vscode.window.showInputBox({ title: `${pair.name} for ${id} (2/2)`, prompt: pair.second.prompt, placeHolder: pair.second.placeHolder, password: true, ignoreFocusOut: true, validateInput: (text) => (text.trim() === '' ? 'Both halves are needed.' : undefined) });
  if (second === undefined) return undefined;
  return `Basic ${Buffer.from(`${first.trim()}:${second.trim()}`).toString('base64')}`;
}
