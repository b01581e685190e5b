import type { FacetCount, RunFacets } from '../../shared/runSummary';
import type { RunEntry } from './runEntry';

/** Most runs first, then by value, so the pickers list the common choices on top in a stable order. */
function sorted<T extends string>(counts: ReadonlyMap<T, number>): FacetCount<T>[] {
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

function bump<T>(counts: Map<T, number>, value: T): void {
  counts.set(value, (counts.get(value) ?? 0) + 1);
}

/** Counts, per filter field, the runs having each value (a run counts once per node type and plugin it has). */
export class FacetCounter {
  private total = 0;
  private hiddenErrors = 0;
  private readonly apps = new Map<string, number>();
  private readonly statuses = new Map<RunFacets['statuses'][number]['value'], number>();
  private readonly kinds = new Map<RunFacets['kinds'][number]['value'], number>();
  private readonly errorKinds = new Map<RunFacets['errorKinds'][number]['value'], number>();
  private readonly nodeTypes = new Map<string, number>();
  private readonly plugins = new Map<string, number>();

  add(entry: RunEntry): void {
    const { run } = entry;
    this.total++;
    bump(this.apps, run.appName);
    bump(this.statuses, run.status);
    bump(this.kinds, run.kind);
    if (run.errorKind !== undefined) bump(this.errorKinds, run.errorKind);
    if (run.hiddenErrors !== undefined) this.hiddenErrors++;
    for (const type of entry.nodeTypes) bump(this.nodeTypes, type);
    for (const plugin of entry.plugins) bump(this.plugins, plugin);
  }

  result(): RunFacets {
    return {
      total: this.total,
      apps: sorted(this.apps),
      statuses: sorted(this.statuses),
      kinds: sorted(this.kinds),
      errorKinds: sorted(this.errorKinds),
      hiddenErrors: this.hiddenErrors,
      nodeTypes: sorted(this.nodeTypes),
      plugins: sorted(this.plugins),
    };
  }
}
