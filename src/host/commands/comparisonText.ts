/**
 * What one row of a run comparison says in the editor, in words (no VS Code API here, so it is
 * unit-tested): the node, how its status went from the run before to now, and what changed by how much.
 */
import { formatDuration } from '../../model/units';
import type { AlignedRow, NodeExecution } from '../../shared/runComparison';

export interface RowText {
  /** Codicon and node title (both titles when it was renamed). */
  readonly label: string;
  /** Status then → now, duration now with its change, self time, tokens and price changes. */
  readonly description: string;
  /** The error on either side, and whether the outputs differ. */
  readonly detail: string;
}

const statusWords: Record<NodeExecution['status'], string> = { ok: 'ok', error: 'failed', unset: 'no status' };

const signed = (value: number, format: (magnitude: number) => string): string => `${value < 0 ? '−' : '+'}${format(Math.abs(value))}`;

export function rowText(row: AlignedRow): RowText {
  const { before, now } = row;
  const title = before && now && before.title !== now.title ? `${before.title} → ${now.title}` : (now ?? before)!.title;
  const icon = row.change === 'added' ? '$(diff-added)' : row.change === 'removed' ? '$(diff-removed)' : now?.status === 'error' ? '$(error)' : row.change === 'changed' ? '$(diff-modified)' : '$(pass)';
  const facts: string[] = [];
  if (before === undefined) facts.push('only in this run', formatDuration(now!.durationUs));
  else if (now === undefined) facts.push('only in the run before', formatDuration(before.durationUs));
  else {
    facts.push(before.status === now.status ? statusWords[now.status] : `${statusWords[before.status]} → ${statusWords[now.status]}`);
    facts.push(`${formatDuration(now.durationUs)} (${signed(row.durationDeltaUs ?? 0, formatDuration)})`);
    if (row.selfTimeDeltaUs !== undefined && row.selfTimeDeltaUs !== 0) facts.push(`self ${signed(row.selfTimeDeltaUs, formatDuration)}`);
    if (row.tokensDelta !== undefined && row.tokensDelta !== 0) facts.push(`${signed(row.tokensDelta, (n) => n.toLocaleString('en-US'))} tokens`);
    if (row.priceDelta !== undefined && row.priceDelta !== 0) facts.push(`price ${signed(row.priceDelta, (n) => n.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''))}`);
  }
  const notes: string[] = [];
  if (before?.error !== undefined) notes.push(`before: ${before.error}`);
  if (now?.error !== undefined) notes.push(`now: ${now.error}`);
  if (row.differences.includes('output')) notes.push('outputs differ');
  return { label: `${icon} ${title}`, description: facts.join(' · '), detail: notes.join(' · ') };
}
