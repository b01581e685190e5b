import { parseMinDurationMs, type SpanQuery } from '../layout/spanSearch';

export interface TraceSearchCallbacks {
  /** The query changed (debounced while typing). */
  readonly onQuery: (query: SpanQuery) => void;
  readonly onNext: () => void;
  readonly onPrevious: () => void;
  /** Escape on an empty search: back to the tree. */
  readonly onLeave: () => void;
}

export interface TraceSearchView {
  focus(): void;
  /** `current` is 0-based, or -1 before the first next/previous. */
  setResult(count: number, current: number, active: boolean): void;
}

const debounceMs = 150;

/**
 * The search bar above the span tree: text (name, attribute key or value), errors only, minimum
 * duration in ms, previous/next and the match count (announced politely). Built with DOM calls
 * only; nothing from the trace is ever parsed as HTML.
 */
export function createTraceSearch(container: HTMLElement, callbacks: TraceSearchCallbacks): TraceSearchView {
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

  bar.append(input, errorsLabel, minLabel, previous, next, status);
  container.append(bar);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const query = (): SpanQuery => ({ text: input.value, errorsOnly: errorsOnly.checked, minDurationUs: parseMinDurationMs(minMs.value) });
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
  errorsOnly.addEventListener('change', () => {
    schedule();
    flush();
  });
  const clear = (): boolean => {
    const hadQuery = input.value !== '' || errorsOnly.checked || minMs.value !== '';
    input.value = '';
    minMs.value = '';
    errorsOnly.checked = false;
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
    focus() {
      input.focus();
      input.select();
    },
    setResult(count, current, active) {
      status.textContent = !active ? '' : count === 0 ? 'No matches' : current < 0 ? `${count} match${count === 1 ? '' : 'es'}` : `${current + 1} of ${count}`;
      previous.disabled = count === 0;
      next.disabled = count === 0;
    },
  };
}
