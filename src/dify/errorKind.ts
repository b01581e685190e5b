/** The error taxonomy lives in shared/ because it crosses the protocol; re-exported for dify code and fixtures. */
export type { ErrorKind } from '../shared/errorKind';
