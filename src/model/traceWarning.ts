/** Problems found while assembling a trace; shown on the trace, never thrown. */
export type TraceWarningKind =
  | 'orphanSpans'
  | 'duplicateSpanIds'
  | 'parentCycle'
  | 'negativeDuration'
  | 'linkedTraceMissing'
  | 'rejectedSpans'
  | 'pastStoreBound'
  | 'runIncomplete'
  | 'oversizedText'
  | 'clockSkew';

export interface TraceWarning {
  readonly kind: TraceWarningKind;
  readonly count: number;
  readonly message: string;
}
