import type { HostToWebview, PanelState, WebviewToHost } from '../../src/shared/webviewProtocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The only module that talks to VS Code; `acquireVsCodeApi` may be called once per page. */
const api = acquireVsCodeApi();

export function postToHost(message: WebviewToHost): void {
  api.postMessage(message);
}

export function onHostMessage(handler: (message: HostToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent<HostToWebview>) => handler(event.data));
}

export function savedState(): Partial<PanelState> {
  const state = api.getState();
  return typeof state === 'object' && state !== null ? (state) : {};
}

export function saveState(state: PanelState): void {
  api.setState(state);
}
