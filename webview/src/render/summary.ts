import { select } from 'd3-selection';
import type { TraceTree } from '../../../src/model/buildTrace';
import { formatDuration } from '../../../src/model/units';
import { errorKindLabel } from '../../../src/shared/errorKind';
import type { TraceSnapshot } from '../../../src/shared/lspProtocol';

/** The header: run identity and status in words, and every warning the trace carries. */
export interface CriticalPathLegend {
  /** Spans on the critical path. */
  readonly count: number;
  readonly shown: boolean;
  readonly onToggle: (shown: boolean) => void;
}

export function renderSummary(container: HTMLElement, snapshot: TraceSnapshot, tree: TraceTree, onRevealRootCause: (key: string) => void, legend?: CriticalPathLegend): void {
  const root = select(container);
  root.selectAll('*').remove();
  const run = snapshot.run;
  const title = root.append('h1');
  if (run) {
    title.append('span').attr('class', `status-badge status-${run.status}`).text(run.status);
    title.append('span').text(` ${run.appName}`);
  } else {
    title.text(`Trace ${snapshot.traceIds[0] ?? ''}`);
  }
  const facts: string[] = [`${tree.spans.length.toLocaleString()} spans`, formatDuration(tree.endUs - tree.startUs)];
  if (run) facts.push(run.kind, `from ${run.source}`);
  if (snapshot.traceIds.length > 1) facts.push(`${snapshot.traceIds.length - 1} linked trace(s)`);
  root.append('p').attr('class', 'facts-line').text(facts.join(' · '));
  if (run?.errorMessage) {
    const error = root.append('p').attr('class', 'run-error');
    error.append('span').attr('class', 'codicon codicon-error').attr('aria-hidden', 'true');
    error.append('span').text(` ${run.failingNode ? `${run.failingNode.title}: ` : ''}${run.errorMessage.split('\n')[0]}`);
  }
  if (run?.rootCause) {
    const cause = root.append('p').attr('class', 'root-cause-line');
    cause.append('span').text(`Root cause${run.errorKind ? ` (${errorKindLabel[run.errorKind]})` : ''}: `);
    const rootCause = run.rootCause;
    cause.append('button').attr('class', 'link-button inline').text(`${rootCause.name} in ${rootCause.serviceName}`).on('click', () => onRevealRootCause(`${rootCause.traceId}/${rootCause.spanId}`));
  }
  if (legend && legend.count > 0) {
    // The legend names the bar segment in words, so the critical path is not told by colour alone.
    const label = root.append('p').attr('class', 'legend').append('label');
    label
      .append('input')
      .attr('type', 'checkbox')
      .attr('class', 'critical-toggle')
      .property('checked', legend.shown)
      .on('change', (event: Event) => legend.onToggle((event.currentTarget as HTMLInputElement).checked));
    label.append('span').attr('class', 'cp-swatch').attr('aria-hidden', 'true');
    label.append('span').text(` Critical path (${legend.count.toLocaleString()} span${legend.count === 1 ? '' : 's'}): the chain of spans the run's end time waited on`);
  }
  const warnings = [...snapshot.warnings, ...tree.warnings, ...(run?.gaps ?? [])];
  if (warnings.length > 0) {
    const list = root.append('ul').attr('class', 'warnings').attr('aria-label', 'Warnings');
    for (const w of warnings) {
      const li = list.append('li');
      li.append('span').attr('class', 'codicon codicon-warning').attr('aria-hidden', 'true');
      li.append('span').text(` ${w.message}`);
    }
  }
}
