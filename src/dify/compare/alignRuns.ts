/**
 * Two runs of a workflow aligned node by node, for "Compare Runs" (issue 15): the same graph node
 * (its id, else its type and title) and, inside iterations and loops, the same item or round are one
 * row; a node that ran in only one of them is added or removed. Pure: the trace server reads the
 * node executions from each run's spans (whatever exporter wrote them) and hands them here.
 */

import type { AlignedRow, NodeExecution, RunComparison } from '../../shared/runComparison';

export type { AlignedRow, NodeExecution, RunComparison } from '../../shared/runComparison';

/** A node's identity across runs: its graph id when known, else its type and title. */
export function identityOf(node: NodeExecution): string {
  return node.nodeId !== undefined ? `id:${node.nodeId}` : `title:${node.nodeType ?? ''}:${node.title}`;
}

/**
 * Each execution keyed by identity and occurrence: the recorded item or round index when there is
 * one, else its place among the executions of that node in start order (Aliyun records none: the
 * third `Get Weather` span is the third item).
 */
function keyed(executions: readonly NodeExecution[], identity: (node: NodeExecution) => string): Map<string, NodeExecution> {
  const byKey = new Map<string, NodeExecution>();
  const seen = new Map<string, number>();
  for (const node of [...executions].sort((a, b) => a.startUs - b.startUs)) {
    const id = identity(node);
    const nth = seen.get(id) ?? 0;
    seen.set(id, nth + 1);
    let key = `${id}#${node.itemIndex ?? nth}`;
    // Two executions claiming the same item (a retried node): the later one gets its own row.
    for (let again = 1; byKey.has(key); again++) key = `${id}#${node.itemIndex ?? nth}+${again}`;
    byKey.set(key, node);
  }
  return byKey;
}

const delta = (before: number | undefined, now: number | undefined): number | undefined => (before === undefined || now === undefined ? undefined : now - before);

function row(key: string, before: NodeExecution | undefined, now: NodeExecution | undefined): AlignedRow {
  if (before === undefined || now === undefined) return { key, ...(before ? { before } : {}), ...(now ? { now } : {}), change: before ? 'removed' : 'added', differences: [] };
  const differences: AlignedRow['differences'][number][] = [];
  if (before.status !== now.status) differences.push('status');
  if (before.title !== now.title) differences.push('title');
  if (before.outputDigest !== undefined && now.outputDigest !== undefined && before.outputDigest !== now.outputDigest) differences.push('output');
  const tokensDelta = delta(before.tokens, now.tokens);
  const priceDelta = delta(before.price, now.price);
  return {
    key, before, now,
    change: differences.length > 0 ? 'changed' : 'same',
    differences,
    durationDeltaUs: now.durationUs - before.durationUs,
    selfTimeDeltaUs: now.selfTimeUs - before.selfTimeUs,
    ...(tokensDelta === undefined ? {} : { tokensDelta }),
    ...(priceDelta === undefined ? {} : { priceDelta }),
  };
}

/** Aligns the node executions of the run before (e.g. the last success) with those of the run now. */
export function alignRuns(before: readonly NodeExecution[], now: readonly NodeExecution[]): RunComparison {
  // Graph ids only when both runs recorded them: an Aliyun run (no ids, its untyped nodes `task`)
  // against a Phoenix or Langfuse run of the same app matches by title alone.
  const withIds = [...before, ...now].every((node) => node.nodeId !== undefined);
  const identity = withIds ? identityOf : (node: NodeExecution): string => `title:${node.title}`;
  const beforeByKey = keyed(before, identity);
  const nowByKey = keyed(now, identity);
  // A node only the run before ran sits right after the node it followed there (the runs' clocks
  // differ: a slow run now would push its rows past those of the run before).
  const removedAfter = new Map<string | undefined, AlignedRow[]>();
  let anchor: string | undefined;
  for (const [key, node] of beforeByKey) {
    if (nowByKey.has(key)) {
      anchor = key;
      continue;
    }
    const list = removedAfter.get(anchor) ?? [];
    list.push(row(key, node, undefined));
    removedAfter.set(anchor, list);
  }
  const rows: AlignedRow[] = [...(removedAfter.get(undefined) ?? [])];
  for (const [key, node] of nowByKey) rows.push(row(key, beforeByKey.get(key), node), ...(removedAfter.get(key) ?? []));
  const tookAnotherPath = rows.findIndex((r) => r.change === 'added' || r.change === 'removed' || r.differences.some((d) => d !== 'output'));
  return { rows, firstDivergence: tookAnotherPath >= 0 ? tookAnotherPath : rows.findIndex((r) => r.change !== 'same') };
}
