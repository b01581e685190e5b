import { select } from 'd3-selection';
import { formatDuration } from '../../../src/model/units';
import { errorHeadline } from '../../../src/shared/errorHeadline';
import { errorKindLabel } from '../../../src/shared/errorKind';
import type { TraceOutlineHeader } from '../../../src/shared/traceView';

/** The header: run identity and status in words, and every warning the trace carries. */
export interface CriticalPathLegend {
  /** Spans on the critical path. */
  readonly count: number;
  readonly shown: boolean;
  readonly onToggle: (shown: boolean) => void;
}

export function renderSummary(container: HTMLElement, header: TraceOutlineHeader, onRevealRootCause: () => void, legend?: CriticalPathLegend): void {
  const root = select(container);
  root.selectAll('*').remove();
  const run = header.run;
  const title = root.append('h1');
  if (run) {
    title.append('span').attr('class', `status-badge status-${run.status}`).text(run.status);
    title.append('span').text(` ${run.appName}`);
  } else {
    title.text(`Trace ${header.traceIds[0] ?? ''}`);
  }
  const facts: string[] = [`${header.spanCount.toLocaleString()} spans`, formatDuration(header.endUs - header.startUs)];
  if (run) facts.push(run.kind, `from ${run.source}`);
  if (header.traceIds.length > 1) facts.push(`${header.traceIds.length - 1} linked trace(s)`);
  root.append('p').attr('class', 'facts-line').text(facts.join(' · '));
  if (run?.hiddenErrors) {
    // Dify said succeeded; say in words that something failed all the same.
    const hidden = root.append('p').attr('class', 'run-error');
    hidden.append('span').attr('class', 'codicon codicon-warning').attr('aria-hidden', 'true');
    const where = run.hiddenErrors.node ? ` in ${run.hiddenErrors.node.title}` : '';
    hidden.append('span').text(` Succeeded with ${run.hiddenErrors.count === 1 ? 'a hidden error' : `${run.hiddenErrors.count} hidden errors`}${where}: ${run.hiddenErrors.message.split('\n')[0]}`);
  }
  if (run?.errorMessage) {
    const error = root.append('p').attr('class', 'run-error');
    error.append('span').attr('class', 'codicon codicon-error').attr('aria-hidden', 'true');
    error.append('span').text(` ${run.failingNode ? `${run.failingNode.title}: ` : ''}${errorHeadline(run.errorMessage)}`);
  }
  if (run?.rootCause) {
    const cause = root.append('p').attr('class', 'root-cause-line');
    cause.append('span').text(`Root cause${run.errorKind ? ` (${errorKindLabel[run.errorKind]})` : ''}: `);
    const rootCause = run.rootCause;
    cause.append('button').attr('class', 'link-button inline').text(`${rootCause.name} in ${rootCause.serviceName}`).on('click', () => onRevealRootCause());
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
  const warnings = [...header.warnings, ...(run?.gaps ?? [])];
  if (warnings.length > 0) {
    const list = root.append('ul').attr('class', 'warnings').attr('aria-label', 'Warnings');
    for (const w of warnings) {
      const li = list.append('li');
      li.append('span').attr('class', 'codicon codicon-warning').attr('aria-hidden', 'true');
      li.append('span').text(` ${w.message}`);
    }
  }
}
