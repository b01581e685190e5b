import type { SpanQuery } from '../../../src/shared/traceView';
import { formatMinDurationMs, parseMinDurationMs } from '../layout/spanSearch';

export interface TraceSearchCallbacks {
  /** The query changed (debounced while typing). */
  readonly onQuery: (query: SpanQuery) => void;
  readonly onNext: () => void;
  readonly onPrevious: () => void;
  /** Escape on an empty search: back to the tree. */
  readonly onLeave: () => void;
}

export interface TraceSearchView {
  /** Focuses the query box; `selectAll` (the default) selects its text, as a fresh Ctrl+F does. */
  focus(selectAll?: boolean): void;
  /** `current` is 0-based, or -1 before the first next/previous; `busy` while the trace server searches. */
  setResult(count: number, current: number, active: boolean, busy?: boolean): void;
  /** Fills the fields from a saved query (no search is run). */
  setQuery(query: SpanQuery): void;
}

const debounceMs = 150;

/**
 * The search bar above the span tree: text (name, service, attribute key or value), errors only,
 * minimum duration in ms, Dify node type, previous/next and the match count (announced politely).
 * Built with DOM calls only; nothing from the trace is ever parsed as HTML.
 */
export function createTraceSearch(container: HTMLElement, callbacks: TraceSearchCallbacks, nodeTypes: readonly string[] = []): TraceSearchView {
  const bar = document.createElement('div');
  bar.className = 'trace-search';
  bar.setAttribute('role', 'search');

  const input = document.createElement('input');
  input.type = 'search';
  input.className = 'search-text';
  input.placeholder = 'Find spans: name, attribute key or value';
  input.setAttribute('aria-label', 'Find spans by name, attribute key or value');
  input.title = 'Enter: next match · Shift+Enter: previous · Escape: clear';

  const errorsLabel = document.createElement('label');
  const errorsOnly = document.createElement('input');
  errorsOnly.type = 'checkbox';
  errorsOnly.className = 'search-errors';
  errorsLabel.append(errorsOnly, ' Errors only');

  const minLabel = document.createElement('label');
  const minMs = document.createElement('input');
  minMs.type = 'number';
  minMs.min = '0';
  minMs.step = 'any';
  minMs.className = 'search-min';
  minMs.placeholder = 'ms';
  minLabel.append('Min ', minMs, ' ms');

  const nodeType = document.createElement('select');
  nodeType.className = 'search-node-type';
  nodeType.setAttribute('aria-label', 'Only spans of this Dify node type');
  nodeType.title = 'Only spans of this Dify node type';
  const any = document.createElement('option');
  any.value = '';
  any.textContent = 'Any node type';
  nodeType.append(any);
  for (const type of [...nodeTypes].sort()) {
    const option = document.createElement('option');
    option.value = type;
    option.textContent = type;
    nodeType.append(option);
  }
  nodeType.hidden = nodeTypes.length === 0;

  const button = (icon: string, label: string, onClick: () => void): HTMLButtonElement => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `icon-button codicon ${icon}`;
    b.title = label;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  };
  const previous = button('codicon-arrow-up', 'Previous match (Shift+Enter)', callbacks.onPrevious);
  const next = button('codicon-arrow-down', 'Next match (Enter)', callbacks.onNext);

  const status = document.createElement('span');
  status.className = 'search-status';
  status.setAttribute('aria-live', 'polite');

  bar.append(input, errorsLabel, minLabel, nodeType, previous, next, status);
  container.append(bar);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const query = (): SpanQuery => ({ text: input.value, errorsOnly: errorsOnly.checked, minDurationUs: parseMinDurationMs(minMs.value), nodeType: nodeType.value || undefined });
  const flush = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    callbacks.onQuery(query());
  };
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };
  input.addEventListener('input', schedule);
  minMs.addEventListener('input', schedule);
  for (const control of [errorsOnly, nodeType]) {
    control.addEventListener('change', () => {
      schedule();
      flush();
    });
  }
  const clear = (): boolean => {
    const hadQuery = input.value !== '' || errorsOnly.checked || minMs.value !== '' || nodeType.value !== '';
    input.value = '';
    minMs.value = '';
    errorsOnly.checked = false;
    nodeType.value = '';
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    callbacks.onQuery(query());
    return hadQuery;
  };
  bar.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target !== previous && event.target !== next) {
      flush();
      if (event.shiftKey) callbacks.onPrevious();
      else callbacks.onNext();
    } else if (event.key === 'Escape') {
      if (!clear()) callbacks.onLeave();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });

  return {
    focus(selectAll = true) {
      input.focus();
      if (selectAll) input.select();
    },
    setResult(count, current, active, busy = false) {
      bar.setAttribute('aria-busy', String(busy));
      status.textContent = busy ? 'Searching…' : !active ? '' : count === 0 ? 'No matches' : current < 0 ? `${count.toLocaleString()} match${count === 1 ? '' : 'es'}` : `${(current + 1).toLocaleString()} of ${count.toLocaleString()}`;
      previous.disabled = count === 0;
      next.disabled = count === 0;
    },
    setQuery(saved) {
      input.value = saved.text;
      errorsOnly.checked = saved.errorsOnly;
      minMs.value = formatMinDurationMs(saved.minDurationUs);
      nodeType.value = saved.nodeType && nodeTypes.includes(saved.nodeType) ? saved.nodeType : '';
    },
  };
}
