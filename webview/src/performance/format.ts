import { formatDuration } from '../../../src/model/units';
import { timeShareLabels, type TimeShare, type TimeSplit } from '../../../src/shared/workflowPerformance';

export { formatDuration };

export const percent = (fraction: number): string => `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.01 ? 1 : 0)}%`;

export const clockTime = (ms: number): string => new Date(ms).toLocaleString();

export const price = (amount: number): string => (amount === 0 ? '—' : amount.toPrecision(3));

/** Shares of a split, largest first, with their part of the whole. */
export function splitEntries(split: TimeSplit): { share: TimeShare; us: number; fraction: number; label: string }[] {
  const entries = Object.entries(split) as [TimeShare, number][];
  const total = entries.reduce((sum, [, us]) => sum + us, 0);
  return entries
    .filter(([, us]) => us > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([share, us]) => ({ share, us, fraction: total > 0 ? us / total : 0, label: timeShareLabels[share] }));
}

export function windowLabel(hours: number): string {
  if (hours < 24) return `last ${hours} hour${hours === 1 ? '' : 's'}`;
  const days = hours / 24;
  return `last ${days === 1 ? '24 hours' : `${days} days`}`;
}
