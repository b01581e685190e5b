import { select } from 'd3-selection';
import { formatDuration } from '../../../src/model/units';
import type { Span } from '../../../src/model/span';
import { mayHaveSource } from '../../../src/model/spanSource';
import type { SourceLocation } from '../../../src/shared/lspProtocol';
import type { SpanDetails } from '../../../src/shared/traceView';
import { llmConversation } from '../layout/llmConversation';
import { nodeInputsOutputs, type NodeValue } from '../../../src/shared/nodeInputsOutputs';
import { copyTextOf } from '../../../src/shared/jsonValue';
import { modelName, tokenUsage, usageLine } from '../../../src/shared/tokenUsage';
import { attributeSection } from './details/attributeSection';
import { conversationSection } from './details/conversation';
import { eventsSection } from './details/eventsSection';
import { stackTraceSection } from './details/stackTrace';
import { renderLogRecords } from './logRecords';
import { attributeValue, longText, type Sel } from './longText';
import { renderRelatedSpans } from './relatedSpans';

export interface DetailsActions {
  readonly copy: (text: string) => void;
  /** Trace Link button: open the linked trace. */
  readonly followLink: (traceId: string) => void;
  /** Asks the host to open the best frame of the span (the host decides which). */
  readonly goToSource: (traceId: string, spanId: string) => void;
  /** Opens one mapped stack frame. */
  readonly openLocation: (location: SourceLocation) => void;
  /** Reveals a related span (the other end of a span-level Trace Link) by its depth-first index. */
  readonly revealSpan: (index: number) => void;
}

export { mayHaveSource } from '../../../src/model/spanSource';

/** Longest span name put in the heading; the whole name is in the heading's tooltip. */
const headingLimit = 1_000;

function goToSourceButton(root: Sel, span: Span, actions: DetailsActions): void {
  const { traceId, spanId } = span;
  root
    .append('div')
    .attr('class', 'details-actions')
    .append('button')
    .attr('type', 'button')
    .attr('class', 'action-button go-to-source')
    .attr('title', 'Open the source line this span failed at: the plugin file, or the Code node\'s line in the app\'s DSL (Enter on the span)')
    .text('Go to Source')
    .on('click', () => actions.goToSource(traceId, spanId));
}

function facts(root: Sel, details: SpanDetails, traceStartUs: number): void {
  const { span } = details;
  const list = root.append('dl').attr('class', 'facts');
  const fact = (term: string, text: string): void => {
    list.append('dt').text(term);
    list.append('dd').text(text);
  };
  fact('Status', span.status.code === 'error' ? 'Error' : span.status.code === 'ok' ? 'OK' : 'Unset');
  fact('Service', span.resource.serviceName);
  if (details.nodeType) fact('Node type', details.nodeType);
  fact('Duration', formatDuration(span.endUs - span.startUs));
  fact('Self time', formatDuration(details.selfTimeUs));
  if (details.onCriticalPath) fact('Critical path', 'On the critical path');
  fact('Starts at', `+${formatDuration(span.startUs - traceStartUs)}`);
  fact('Kind', span.kind);
  if (span.scopeName) fact('Scope', span.scopeName);
  const model = modelName(span.attributes);
  if (model) fact('Model', model);
  const usage = tokenUsage(span.attributes);
  // A node that used no model reports 0 tokens and a 0 price: not worth a line.
  if (usage && [usage.inputTokens, usage.outputTokens, usage.totalTokens, usage.price].some((n) => n !== undefined && n !== 0)) fact('Usage', usageLine(usage));
}

function ids(root: Sel, span: Span, copy: (text: string) => void): void {
  const box = root.append('div').attr('class', 'ids');
  for (const [label, id] of [['Span id', span.spanId], ['Trace id', span.traceId]] as const) {
    box.append('code').text(`${label}: ${id}`);
    box
      .append('button')
      .attr('type', 'button')
      .attr('class', 'icon-button codicon codicon-copy')
      .attr('title', `Copy ${label.toLowerCase()}`)
      .attr('aria-label', `Copy ${label.toLowerCase()}`)
      .on('click', () => copy(id));
  }
}

function valueSection(root: Sel, title: string, value: NodeValue, copy: (text: string) => void): void {
  const section = root.append('section').attr('class', `node-io node-${title.toLowerCase()}`);
  const head = section.append('div').attr('class', 'section-head');
  head.append('h3').text(title);
  head
    .append('button')
    .attr('type', 'button')
    .attr('class', 'icon-button codicon codicon-copy')
    .attr('title', `Copy ${title.toLowerCase()} (${value.key})`)
    .attr('aria-label', `Copy ${title.toLowerCase()}`)
    .on('click', () => copy(copyTextOf(value.value)));
  attributeValue(section, value.value);
}

function links(root: Sel, span: Span, followLink: (traceId: string) => void): void {
  if (span.links.length === 0) return;
  const section = root.append('section').attr('class', 'links');
  section.append('h3').text('Links');
  for (const link of span.links) {
    section
      .append('button')
      .attr('type', 'button')
      .attr('class', 'link-button')
      .text(`Trace Link → ${link.traceId}${link.spanId ? ` / ${link.spanId}` : ''}`)
      .on('click', () => followLink(link.traceId));
  }
}

/**
 * Renders one span's details as the server sent them (`SpanDetails`): status and timing, ids,
 * related spans, error, stack traces with frames that open the source, an LLM span's conversation
 * and usage, node inputs and outputs as JSON trees, filterable attributes, events, log records and
 * links. 'loading' shows a quiet placeholder while the host fetches them. Everything the span holds
 * is sender-controlled and rendered as text.
 */
export function renderDetails(container: HTMLElement, details: SpanDetails | 'loading' | undefined, traceStartUs: number, actions: DetailsActions): void {
  const root = select(container);
  root.selectAll('*').remove();
  root.attr('aria-busy', details === 'loading' ? 'true' : null);
  if (details === 'loading') {
    root.append('p').attr('class', 'placeholder details-loading').text('Loading span…');
    return;
  }
  if (!details) {
    root.append('p').attr('class', 'placeholder').text('Select a span to see its attributes and events.');
    return;
  }
  const { span } = details;
  const name = span.name || '(unnamed span)';
  const heading = root.append('h2').text(name.length > headingLimit ? `${name.slice(0, headingLimit)}…` : name);
  if (name.length > headingLimit) heading.attr('title', name.slice(0, 10 * headingLimit));
  if (mayHaveSource(span)) goToSourceButton(root, span, actions);
  facts(root, details, traceStartUs);
  ids(root, span, actions.copy);
  renderRelatedSpans(container, details.related, actions.revealSpan);
  if (span.status.code === 'error' && span.status.message) {
    const error = root.append('section').attr('class', 'error-message').attr('role', 'alert');
    error.append('h3').text('Error');
    longText(error, span.status.message, 'value');
  }
  const source = details.source ?? undefined;
  if (source) stackTraceSection(root, source, actions.openLocation);
  const conversation = llmConversation(span.attributes);
  if (conversation) conversationSection(root, conversation);
  // An LLM span's input and output are its prompt and reply, already shown as the conversation
  // (they stay in the attributes, searchable).
  const io: ReturnType<typeof nodeInputsOutputs> = conversation ? {} : nodeInputsOutputs(span.attributes);
  if (io.inputs) valueSection(root, 'Inputs', io.inputs, actions.copy);
  if (io.outputs) valueSection(root, 'Outputs', io.outputs, actions.copy);
  attributeSection(root, span.attributes, actions.copy);
  eventsSection(root, span.events, traceStartUs, source !== undefined && source.stacks.length > 0);
  renderLogRecords(container, details.logs, traceStartUs);
  links(root, span, actions.followLink);
}
