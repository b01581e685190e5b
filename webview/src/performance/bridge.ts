import type { HostToPerformanceView, PerformancePanelState, PerformanceViewToHost } from '../../../src/shared/performanceViewProtocol';

interface VsCodeApi {
  postMessage(message: PerformanceViewToHost): void;
  getState(): unknown;
  setState(state: PerformancePanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The performance page's only link to VS Code (`acquireVsCodeApi` may be called once per page). */
const api = acquireVsCodeApi();

export function postToHost(message: PerformanceViewToHost): void {
  api.postMessage(message);
}

export function onHostMessage(handler: (message: HostToPerformanceView) => void): void {
  window.addEventListener('message', (event: MessageEvent<HostToPerformanceView>) => handler(event.data));
}

export function savedState(): Partial<PerformancePanelState> {
  const state = api.getState();
  return typeof state === 'object' && state !== null ? (state) : {};
}

export function saveState(state: PerformancePanelState): void {
  api.setState(state);
}
