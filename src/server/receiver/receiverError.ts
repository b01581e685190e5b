/** Why a request to the receiver was refused; each kind maps to one HTTP status. */
export type ReceiverErrorKind = 'badRequest' | 'tooLarge' | 'notFound' | 'methodNotAllowed' | 'misdirected' | 'overloaded' | 'unauthorized';

export class ReceiverError extends Error {
  constructor(
    readonly kind: ReceiverErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReceiverError';
  }

  static is(e: unknown, kind?: ReceiverErrorKind): e is ReceiverError {
    return e instanceof ReceiverError && (kind === undefined || e.kind === kind);
  }
}

export const httpStatusOf: Record<ReceiverErrorKind, number> = {
  badRequest: 400,
  notFound: 404,
  methodNotAllowed: 405,
  tooLarge: 413,
  misdirected: 421,
  overloaded: 503,
  unauthorized: 401,
};
