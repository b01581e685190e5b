import type { RunsViewAction } from './runsTreeProvider';

/**
 * Why a remote backend could not list runs, as the trace server typed it (`SourceErrorKind`, carried
 * in the ResponseError's data), and the next steps the Runs view offers for it.
 */
export function listingFailureActions(kind: string | undefined, backendId: string): RunsViewAction[] {
  const retry: RunsViewAction = { label: 'Retry', detail: `list from ${backendId} again`, icon: 'refresh', command: 'difyTrace.refreshRuns' };
  const settings: RunsViewAction = { label: 'Open Settings', detail: 'check the URL in difyTrace.backends', icon: 'settings-gear', command: 'workbench.action.openSettings', args: ['difyTrace.backends'] };
  const credentials: RunsViewAction = { label: 'Set Backend Credentials…', detail: 'kept in the secret storage', icon: 'key', command: 'difyTrace.setBackendCredentials' };
  const narrow: RunsViewAction = { label: 'Filter Runs…', detail: 'a shorter time range asks for less', icon: 'filter', command: 'difyTrace.filterRuns' };
  const choose: RunsViewAction = { label: 'Choose Backend…', detail: 'list from another backend', icon: 'server-environment', command: 'difyTrace.chooseBackend' };
  const log: RunsViewAction = { label: 'Show Log', detail: 'what the trace server did', icon: 'output', command: 'difyTrace.showLog' };
  switch (kind) {
    case 'unauthorized':
    case 'forbidden':
      return [credentials, retry, choose, log];
    case 'notFound':
    case 'badResponse':
      return [settings, retry, choose, log];
    case 'tooLarge':
    case 'timeout':
      return [narrow, retry, choose, log];
    case 'rateLimited':
      return [retry, choose, log];
    default:
      return [retry, settings, choose, log];
  }
}
