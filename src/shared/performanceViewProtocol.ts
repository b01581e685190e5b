/** Messages between the extension host and the workflow performance webview, with guards for what the webview sends. */
import type { WorkflowPerformanceReport } from './workflowPerformance';

export const performanceProtocolVersion = 1;

/** The windows the view offers, in hours. */
export const performanceWindows = [1, 24, 24 * 7, 24 * 30] as const;
export type PerformanceWindow = (typeof performanceWindows)[number];
export const defaultPerformanceWindow: PerformanceWindow = 24;

export type HostToPerformanceView =
  | { readonly type: 'loading'; readonly appName: string; readonly backend?: string; readonly windowHours: PerformanceWindow }
  | { readonly type: 'report'; readonly protocol: number; readonly windowHours: PerformanceWindow; readonly report: WorkflowPerformanceReport }
  /** Said for the user, with what to do next. */
  | { readonly type: 'failed'; readonly appName: string; readonly message: string };

export type PerformanceViewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'setWindow'; readonly windowHours: PerformanceWindow }
  | { readonly type: 'openRun'; readonly traceId: string }
  | { readonly type: 'refresh' };

/** What the webview remembers (UI intent only): which app and window, for a panel restored after a reload. */
export interface PerformancePanelState {
  readonly appName: string;
  readonly backend?: string;
  readonly windowHours: PerformanceWindow;
  /** The node whose chart is shown. */
  readonly selectedNode?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export const isPerformanceWindow = (value: unknown): value is PerformanceWindow => performanceWindows.includes(value as PerformanceWindow);

export function isPerformanceViewToHost(value: unknown): value is PerformanceViewToHost {
  if (!isRecord(value)) return false;
  switch (value['type']) {
    case 'ready':
    case 'refresh':
      return true;
    case 'setWindow':
      return isPerformanceWindow(value['windowHours']);
    case 'openRun':
      return typeof value['traceId'] === 'string' && /^[0-9a-fA-F]{32}$/.test(value['traceId']);
    default:
      return false;
  }
}

export function isPerformancePanelState(value: unknown): value is PerformancePanelState {
  return (
    isRecord(value) &&
    typeof value['appName'] === 'string' &&
    isPerformanceWindow(value['windowHours']) &&
    (value['backend'] === undefined || typeof value['backend'] === 'string') &&
    (value['selectedNode'] === undefined || typeof value['selectedNode'] === 'string')
  );
}
