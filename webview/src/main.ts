import { assertNever, type HostToWebview, type PanelState } from '../../src/shared/webviewProtocol';
import { OutlineFlag, isEmptyQuery, type SpanDetails, type SpanQuery, type TraceOutlineChunk, type TraceOutlineHeader } from '../../src/shared/traceView';
import { onHostMessage, postToHost, savedState, saveState } from './hostBridge';
import {
  addChunk, emptyOutline, expandAncestors, flagAt, fullIndexOf, hasChildren, indexByKey, initialExpandState, localIndexOf, nameAt, previewOutline,
  resetExpandState, rowOf, setCollapsed, setSubtree, spanKeyAt, toggledIndices, traceIdAt, visibleRows, type ExpandState, type Outline,
} from './layout/outline';
import { renderDetails } from './render/details';
import { createSpanTree, rowHeight, type SpanTreeView } from './render/spanTree';
import { renderSummary } from './render/summary';
import { createTraceSearch, type TraceSearchView } from './render/traceSearch';
import { fromFractions, fullWindow, isFull, toFractions, type TimeWindow } from './layout/timeWindow';
import { createMinimap } from './render/minimap';
import { createSplitSash } from './render/splitSash';
import { createTimeAxis } from './render/timeAxis';
import { attachTimelineZoom } from './render/timelineZoom';
import { emptyTypeAhead, isTypeAheadKey, spaceContinuesTypeAhead, typeAheadAdd, typeAheadMatch, type TypeAhead } from './layout/typeAhead';

const app = document.getElementById('app')!;

/** At most this many toggled spans are persisted; beyond it only Expand all / Collapse all is kept. */
const maxPersistedToggles = 5000;

interface Loaded {
  readonly outline: Outline;
  readonly expand: ExpandState;
  rows: Int32Array;
  /** Selected row position in `rows`, -1 for none. */
  selected: number;
  readonly view: SpanTreeView;
  readonly scroller: HTMLElement;
  readonly details: HTMLElement;
  search: TraceSearchView | undefined;
  query: SpanQuery | undefined;
  /** Matching depth-first indices, ascending; `matchMask[i]` is 1 for each. */
  matches: readonly number[];
  matchMask: Uint8Array | undefined;
  matchIndex: number;
  typeAhead: TypeAhead;
  showCritical: boolean;
  detailsRequest: number;
  searchRequest: number;
  /** Next/previous asked for while the trace server was still searching: done when the result comes. */
  pendingStep: 0 | 1 | -1;
  /** The search is re-run after the trace was shown again (it changed): the match the user was on stays current. */
  keepMatchOfSelection: boolean;
  /** The time window the bars are drawn in (zoom), relative to the trace start. */
  timeWindow: TimeWindow;
  /** The two splits the user can drag (percent): names | timeline, tree | details. */
  nameColumnPercent: number;
  treePercent: number;
}

/** Where the splits start when the panel never had them moved. */
const defaultNameColumnPercent = 45;
const defaultTreePercent = 60;

let loaded: Loaded | undefined;
/** A layout being received: the outline fills as chunks arrive, then replaces what is shown. */
let incoming: Outline | undefined;
let nextRequestId = 1;

function showMessage(text: string, busy = false): void {
  loaded = undefined;
  app.replaceChildren();
  app.setAttribute('aria-busy', String(busy));
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = text;
  app.append(p);
}

function panelState(state: Loaded): PanelState {
  const o = state.outline;
  const index = state.rows[state.selected];
  const toggledSpans = toggledIndices(o, state.expand);
  const toggled = toggledSpans.length <= maxPersistedToggles ? toggledSpans.map((i) => spanKeyAt(o, i)) : [];
  return {
    traceId: o.header.traceIds[0] ?? '',
    ...(index === undefined ? {} : { selectedSpanKey: spanKeyAt(o, index) }),
    expandBase: state.expand.base,
    toggledSpanKeys: toggled,
    ...(state.query && !isEmptyQuery(state.query) ? { search: state.query } : {}),
    showCriticalPath: state.showCritical,
    ...(isFull(state.timeWindow, totalUsOf(state.outline)) ? {} : { timeWindow: toFractions(state.timeWindow, totalUsOf(state.outline)) }),
    ...(state.nameColumnPercent === defaultNameColumnPercent ? {} : { nameColumnPercent: state.nameColumnPercent }),
    ...(state.treePercent === defaultTreePercent ? {} : { treePercent: state.treePercent }),
  };
}

const totalUsOf = (outline: Outline): number => Math.max(0, outline.header.endUs - outline.header.startUs);

let persistTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Saves UI intent once the user pauses (setState crosses to the host, and the toggled spans are
 * found by a pass over the outline), so holding an arrow key or expanding 70k spans stays instant.
 */
function persist(state: Loaded): void {
  if (persistTimer !== undefined) clearTimeout(persistTimer);
  persistTimer = setTimeout(() => {
    persistTimer = undefined;
    if (loaded === state) saveState(panelState(state));
  }, 300);
}

// A reload within the pause still keeps the latest intent.
window.addEventListener('pagehide', () => {
  if (persistTimer !== undefined && loaded) saveState(panelState(loaded));
});

function requestDetails(state: Loaded, index: number): void {
  const requestId = nextRequestId++;
  state.detailsRequest = requestId;
  renderDetails(state.details, 'loading', state.outline.header.startUs, detailsActions(state));
  postToHost({ type: 'spanDetails', requestId, outlineId: state.outline.header.outlineId, index: fullIndexOf(state.outline, index) });
}

function detailsActions(state: Loaded): Parameters<typeof renderDetails>[3] {
  return {
    copy: (text) => postToHost({ type: 'copyText', text }),
    goToSource: (traceId, spanId) => postToHost({ type: 'goToSource', traceId, spanId }),
    openLocation: (location) => postToHost({ type: 'openLocation', uri: location.uri, line: location.range.start.line, character: location.range.start.character }),
    followLink: (traceId) => revealTrace(state, traceId),
    revealSpan: (index) => reveal(state, localIndexOf(state.outline, index)),
  };
}

function showDetails(state: Loaded, details: SpanDetails | null): void {
  renderDetails(state.details, details ?? undefined, state.outline.header.startUs, detailsActions(state));
}

function select(state: Loaded, row: number, align: 'nearest' | 'center' = 'nearest'): void {
  if (row < 0 || row >= state.rows.length) return;
  const changed = row !== state.selected;
  state.selected = row;
  state.view.setSelected(row);
  state.view.scrollToRow(row, align);
  if (changed) requestDetails(state, state.rows[row]!);
  persist(state);
}

function relayout(state: Loaded, keepIndex: number | undefined, align: 'nearest' | 'center' = 'nearest'): void {
  state.rows = visibleRows(state.outline, state.expand.collapsed);
  state.view.setRows(state.rows);
  // The kept span, or its nearest visible ancestor when it was collapsed away.
  let row = -1;
  for (let i = keepIndex ?? -1; i >= 0 && row < 0; i = state.outline.parent[i]!) row = rowOf(state.rows, i);
  if (row < 0) row = Math.min(Math.max(0, state.selected), state.rows.length - 1);
  // The same span stays selected: no new details request.
  state.selected = state.rows[row] === keepIndex ? row : -1;
  select(state, row, align);
}

/** Expands the ancestors of a span and selects it. */
function reveal(state: Loaded, index: number): void {
  if (index < 0 || index >= state.outline.count) return;
  if (expandAncestors(state.outline, state.expand, index)) relayout(state, state.rows[state.selected]);
  const row = rowOf(state.rows, index);
  if (row >= 0) select(state, row, 'center');
}

/** A Trace Link target already merged into this view is selected; otherwise it opens in its own panel. */
function revealTrace(state: Loaded, traceId: string): void {
  const t = state.outline.header.traceIds.indexOf(traceId);
  const index = t < 0 ? -1 : state.outline.trace.indexOf(t);
  if (index >= 0) reveal(state, index);
  else postToHost({ type: 'openTrace', traceId });
}

function toggle(state: Loaded, row: number, expand?: boolean): void {
  const index = state.rows[row];
  if (index === undefined || !hasChildren(state.outline, index)) return;
  const collapse = expand === undefined ? state.expand.collapsed[index] === 0 : !expand;
  setCollapsed(state.outline, state.expand, index, collapse);
  relayout(state, index);
}

/** Expands (or collapses) the span at `row` and everything below it. */
function toggleSubtree(state: Loaded, row: number, expand: boolean): void {
  const index = state.rows[row];
  if (index === undefined || !hasChildren(state.outline, index)) return;
  setSubtree(state.outline, state.expand, index, !expand);
  relayout(state, index);
}

/** Expands every span, or collapses every span so only the roots remain (the selection moves to its root). */
function setAll(state: Loaded, expand: boolean): void {
  const o = state.outline;
  let keep = state.rows[state.selected];
  resetExpandState(o, state.expand, expand ? 'all' : 'none');
  if (!expand && keep !== undefined) while (o.parent[keep]! >= 0) keep = o.parent[keep]!;
  relayout(state, keep);
}

/** Type-ahead: moves the selection to the next visible row whose name starts with the typed prefix. */
function typeAhead(state: Loaded, char: string): void {
  state.typeAhead = typeAheadAdd(state.typeAhead, char, performance.now());
  const names = Array.from(state.rows, (i) => nameAt(state.outline, i));
  const row = typeAheadMatch(names, state.typeAhead.prefix, state.selected);
  if (row >= 0 && row !== state.selected) select(state, row);
}

function runSearch(state: Loaded, query: SpanQuery): void {
  state.query = query;
  persist(state);
  if (isEmptyQuery(query)) {
    state.searchRequest = 0;
    state.pendingStep = 0;
    applyMatches(state, []);
    return;
  }
  const requestId = nextRequestId++;
  state.searchRequest = requestId;
  state.search?.setResult(0, -1, true, true);
  postToHost({ type: 'search', requestId, outlineId: state.outline.header.outlineId, query });
}

function applyMatches(state: Loaded, found: readonly number[]): void {
  // A preview holds a few of the matches the trace server found in the whole trace.
  const indices = state.outline.fullIndex === undefined ? found : found.map((i) => localIndexOf(state.outline, i)).filter((i) => i >= 0);
  state.matches = indices;
  state.matchMask = new Uint8Array(state.outline.count);
  for (const i of indices) state.matchMask[i] = 1;
  state.matchIndex = -1;
  state.view.setMatches(state.matchMask, -1);
  state.search?.setResult(indices.length, -1, state.query !== undefined && !isEmptyQuery(state.query));
  state.searchRequest = 0;
  if (state.keepMatchOfSelection) {
    state.keepMatchOfSelection = false;
    const current = indices.indexOf(state.rows[state.selected] ?? -1);
    if (current >= 0) {
      state.matchIndex = current;
      state.view.setMatches(state.matchMask, indices[current]!);
      state.search?.setResult(indices.length, current, true);
    }
  }
  const step = state.pendingStep;
  state.pendingStep = 0;
  if (step !== 0) stepMatch(state, step);
}

/** Next (+1) or previous (-1) match, counted from the current match or else from the selected span. */
function stepMatch(state: Loaded, step: 1 | -1): void {
  if (state.searchRequest !== 0) {
    state.pendingStep = step;
    return;
  }
  const count = state.matches.length;
  if (count === 0) return;
  const at = state.rows[state.selected] ?? -1;
  let index: number;
  if (state.matchIndex >= 0 && state.matches[state.matchIndex] === at) {
    index = (state.matchIndex + step + count) % count;
  } else if (step === 1) {
    const after = state.matches.findIndex((i) => i > at);
    index = after >= 0 ? after : 0;
  } else {
    const before = state.matches.findLastIndex((i) => i < at);
    index = before >= 0 ? before : count - 1;
  }
  state.matchIndex = index;
  const target = state.matches[index]!;
  state.view.setMatches(state.matchMask, target);
  reveal(state, target);
  state.search?.setResult(count, index, true);
}

function onKey(state: Loaded, event: KeyboardEvent): void {
  const index = state.rows[state.selected];
  const o = state.outline;
  const page = Math.max(1, Math.floor(state.scroller.clientHeight / rowHeight));
  const expandable = index !== undefined && hasChildren(o, index);
  const isCollapsed = index !== undefined && state.expand.collapsed[index] === 1;
  switch (event.key) {
    case 'ArrowDown': select(state, state.selected + 1); break;
    case 'ArrowUp': select(state, state.selected - 1); break;
    case 'PageDown': select(state, Math.min(state.rows.length - 1, state.selected + page)); break;
    case 'PageUp': select(state, Math.max(0, state.selected - page)); break;
    case 'Home': select(state, 0); break;
    case 'End': select(state, state.rows.length - 1); break;
    // Shift+Right or * expands everything below the span; Shift+Left or - collapses it.
    case '*': toggleSubtree(state, state.selected, true); break;
    case '-': toggleSubtree(state, state.selected, false); break;
    case 'ArrowRight':
      if (event.shiftKey) toggleSubtree(state, state.selected, true);
      else if (expandable && isCollapsed) toggle(state, state.selected, true);
      else if (expandable) select(state, state.selected + 1);
      break;
    case 'ArrowLeft':
      if (event.shiftKey) toggleSubtree(state, state.selected, false);
      else if (expandable && !isCollapsed) toggle(state, state.selected, false);
      else if (index !== undefined && o.parent[index]! >= 0) select(state, rowOf(state.rows, o.parent[index]!));
      break;
    // Enter on a span that failed opens its source (as the details' button does); Space always toggles.
    case 'Enter':
      if (index !== undefined && flagAt(o, index, OutlineFlag.mayHaveSource)) postToHost({ type: 'goToSource', traceId: traceIdAt(o, index), spanId: o.spanId[index]! });
      else toggle(state, state.selected);
      break;
    // Space toggles, except while a type-ahead prefix is being typed (span names have spaces).
    case ' ':
      if (spaceContinuesTypeAhead(state.typeAhead, performance.now())) typeAhead(state, ' ');
      else toggle(state, state.selected);
      break;
    default:
      if (!isTypeAheadKey(event)) return;
      typeAhead(state, event.key);
      break;
  }
  event.preventDefault();
}

/** "Expand all" / "Collapse all" buttons and a one-line key help, in the header. */
function renderTreeActions(header: HTMLElement, state: Loaded): void {
  const bar = document.createElement('div');
  bar.className = 'tree-actions';
  for (const [label, icon, expand] of [['Expand all', 'codicon-expand-all', true], ['Collapse all', 'codicon-collapse-all', false]] as const) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'icon-button tree-action';
    button.title = label;
    button.setAttribute('aria-label', label);
    const glyph = document.createElement('span');
    glyph.className = `codicon ${icon}`;
    glyph.setAttribute('aria-hidden', 'true');
    const text = document.createElement('span');
    text.textContent = ` ${label}`;
    button.append(glyph, text);
    button.addEventListener('click', () => setAll(state, expand));
    bar.append(button);
  }
  const help = document.createElement('span');
  help.id = 'tree-keys';
  help.className = 'tree-keys';
  help.textContent = '←/→ one level · Shift+←/→ or -/* all below · type a name to jump';
  bar.append(help);
  header.append(bar);
}

/** Restores saved UI intent onto a fresh layout: expand base and toggles, by span key. */
function restoreExpandState(outline: Outline, saved: Partial<PanelState>, keys: () => Map<string, number>): ExpandState {
  const expand = initialExpandState(outline, saved.expandBase ?? 'default');
  if (saved.toggledSpanKeys && saved.toggledSpanKeys.length > 0) {
    const byKey = keys();
    for (const key of saved.toggledSpanKeys) {
      const i = byKey.get(key);
      if (i !== undefined) setCollapsed(outline, expand, i, expand.collapsed[i] === 0);
    }
  }
  return expand;
}

function showTrace(outline: Outline, saved: Partial<PanelState>): void {
  const header = outline.header;
  const sameTrace = saved.traceId === header.traceIds[0];
  // Shown again because the trace changed (spans arrived, its run was classified again): whoever was
  // typing in the search box keeps typing there.
  const searchHadFocus = sameTrace && document.activeElement instanceof HTMLElement && document.activeElement.closest('.trace-search') !== null;
  let keyIndex: Map<string, number> | undefined;
  const keys = (): Map<string, number> => (keyIndex ??= indexByKey(outline));
  app.replaceChildren();
  app.setAttribute('aria-busy', 'false');
  const summary = document.createElement('header');
  summary.className = 'summary';
  const main = document.createElement('div');
  main.className = 'main';
  const treePane = document.createElement('div');
  treePane.className = 'tree-pane';
  const scroller = document.createElement('div');
  scroller.className = 'tree';
  scroller.setAttribute('role', 'tree');
  scroller.setAttribute('aria-label', 'Spans');
  scroller.tabIndex = 0;
  scroller.setAttribute('aria-keyshortcuts', 'ArrowUp ArrowDown ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight * - Home End PageUp PageDown Enter Space');
  scroller.setAttribute('aria-describedby', 'tree-keys');
  const details = document.createElement('aside');
  details.className = 'details';
  details.setAttribute('aria-label', 'Span details');
  main.append(treePane, details);
  app.append(summary, main);

  const expand = sameTrace ? restoreExpandState(outline, saved, keys) : initialExpandState(outline);
  const state: Loaded = {
    outline, expand, rows: new Int32Array(0), selected: -1, scroller, details,
    search: undefined, query: undefined, matches: [], matchMask: undefined, matchIndex: -1, typeAhead: emptyTypeAhead,
    showCritical: sameTrace ? saved.showCriticalPath ?? true : true, detailsRequest: 0, searchRequest: 0, pendingStep: 0, keepMatchOfSelection: false,
    timeWindow: fromFractions(sameTrace ? saved.timeWindow : undefined, totalUsOf(outline)),
    // The splits are the panel's, whatever trace it shows.
    nameColumnPercent: percentOr(saved.nameColumnPercent, defaultNameColumnPercent),
    treePercent: percentOr(saved.treePercent, defaultTreePercent),
    view: createSpanTree(scroller, outline, (i) => expand.collapsed[i] === 1, {
      onSelect: (row) => select(state, row),
      onToggle: (row) => toggle(state, row),
    }),
  };
  loaded = state;
  state.search = createTraceSearch(treePane, {
    onQuery: (query) => runSearch(state, query),
    onNext: () => stepMatch(state, 1),
    onPrevious: () => stepMatch(state, -1),
    onLeave: () => scroller.focus(),
  }, header.nodeTypes);
  // The whole trace (minimap with the zoom window), the time axis, then the tree; Ctrl+wheel over the bars zooms.
  const totalUs = totalUsOf(outline);
  const setWindow = (w: TimeWindow): void => {
    state.timeWindow = w;
    state.view.setTimeWindow(w.startUs, w.endUs);
    axis.update(w, totalUs);
    minimap.setWindow(w);
    persist(state);
  };
  const minimap = createMinimap(treePane, { count: outline.count, totalUs, startUs: outline.startUs, durationUs: outline.durationUs, status: outline.status, flags: outline.flags }, setWindow);
  // The axis and the rows, with the divider between span names and timeline over both.
  const treeBody = treePane.appendChild(document.createElement('div'));
  treeBody.className = 'tree-body';
  const axis = createTimeAxis(treeBody, { onReset: () => setWindow(fullWindow(totalUs)), alignWith: scroller });
  attachTimelineZoom(scroller, () => state.timeWindow, () => totalUs, setWindow);
  treeBody.append(scroller);
  app.style.setProperty('--name-column', `${state.nameColumnPercent}%`);
  app.style.setProperty('--tree-width', `${state.treePercent}%`);
  createSplitSash(treeBody, {
    label: 'Divider between span names and timeline', min: 15, max: 85, value: state.nameColumnPercent,
    onChange: (value, done) => {
      state.nameColumnPercent = value;
      app.style.setProperty('--name-column', `${value}%`);
      if (done) persist(state);
    },
  });
  const mainSash = createSplitSash(main, {
    label: 'Divider between span tree and details', min: 25, max: 85, value: state.treePercent,
    onChange: (value, done) => {
      state.treePercent = value;
      app.style.setProperty('--tree-width', `${value}%`);
      if (done) persist(state);
    },
  });
  main.insertBefore(mainSash.element, details);
  state.view.setTimeWindow(state.timeWindow.startUs, state.timeWindow.endUs);
  axis.update(state.timeWindow, totalUs);
  minimap.setWindow(state.timeWindow);
  scroller.classList.toggle('hide-critical', !state.showCritical);
  renderSummary(summary, header, () => reveal(state, header.rootCauseIndex), {
    count: header.criticalCount,
    shown: state.showCritical,
    onToggle: (shown) => {
      state.showCritical = shown;
      scroller.classList.toggle('hide-critical', !shown);
      persist(state);
    },
  });
  renderTreeActions(summary, state);
  if (outline.fullIndex !== undefined) {
    const rest = summary.appendChild(document.createElement('p'));
    rest.className = 'preview-note';
    rest.setAttribute('role', 'status');
    rest.textContent = `Showing the ${outline.count.toLocaleString()} spans it opens on; loading the other ${(header.spanCount - outline.count).toLocaleString()}…`;
    app.setAttribute('aria-busy', 'true');
  }
  scroller.addEventListener('keydown', (event) => onKey(state, event));

  // Open on the saved selection, else on the root cause (revealed), else on the first span.
  const savedIndex = sameTrace && saved.selectedSpanKey ? keys().get(saved.selectedSpanKey) : undefined;
  const initial = savedIndex ?? (header.rootCauseIndex >= 0 ? header.rootCauseIndex : 0);
  if (outline.count > 0) expandAncestors(outline, expand, initial);
  relayout(state, outline.count > 0 ? initial : undefined, 'center');
  if (state.selected >= 0) requestDetails(state, state.rows[state.selected]!);
  else renderDetails(details, undefined, header.startUs, detailsActions(state));
  if (sameTrace && saved.search && !isEmptyQuery(saved.search)) {
    state.search.setQuery(saved.search);
    state.keepMatchOfSelection = true;
    runSearch(state, saved.search);
  }
  if (searchHadFocus) state.search.focus(false);
  else scroller.focus();
}

function onOutline(header: TraceOutlineHeader): void {
  // Marks for the benchmark (bench/traceView.bench.ts reads them): outline arrived, chunks, rows
  // painted. The layout's id: the e2e test checks no layout is sent to the panel twice.
  performance.mark('difyTrace:outline', { detail: header.outlineId });
  incoming = emptyOutline(header);
  if (header.chunkCount === 0) {
    finishIncoming();
    return;
  }
  // A large trace's first rows, drawn now; not over a whole trace already shown (a refresh keeps it until the new one is complete).
  const preview = !loaded || loaded.outline.fullIndex !== undefined ? previewOutline(header) : undefined;
  if (preview) {
    showTrace(preview, loaded ? panelState(loaded) : savedState());
    performance.mark('difyTrace:preview');
    markFirstRows();
  } else if (!loaded) showMessage(`Loading ${header.spanCount.toLocaleString()} spans…`, true);
}

/** A saved split if it is one (a number within bounds), else the default. */
function percentOr(saved: unknown, fallback: number): number {
  return typeof saved === 'number' && Number.isFinite(saved) && saved >= 5 && saved <= 95 ? saved : fallback;
}

/** Marks for the benchmark: the first rows of this page committed, and painted (a task queued from the next frame runs once it is drawn). */
function markFirstRows(): void {
  if (performance.getEntriesByName('difyTrace:rows').length > 0) return;
  performance.mark('difyTrace:rows');
  requestAnimationFrame(() => setTimeout(() => performance.mark('difyTrace:painted'), 0));
}

function onChunk(chunk: TraceOutlineChunk): void {
  if (!incoming || chunk.outlineId !== incoming.header.outlineId) return;
  performance.mark('difyTrace:chunkIn');
  const complete = addChunk(incoming, chunk);
  performance.mark('difyTrace:chunk');
  if (complete) finishIncoming();
  else if (!loaded) {
    const got = Math.min(incoming.count, incoming.received * incoming.header.chunkSize);
    showMessage(`Loading spans: ${got.toLocaleString()} of ${incoming.count.toLocaleString()}…`, true);
  }
}

/** Shows a fully received layout, keeping the UI intent of the one it replaces (a refresh of the same trace). */
function finishIncoming(): void {
  const outline = incoming!;
  incoming = undefined;
  const saved = loaded ? panelState(loaded) : savedState();
  showTrace(outline, saved);
  markFirstRows();
  performance.mark('difyTrace:allRows');
}

onHostMessage((message: HostToWebview) => {
  switch (message.type) {
    case 'loading':
      if (!loaded) showMessage('Loading trace…', true);
      break;
    case 'outline':
      onOutline(message.header);
      break;
    case 'outlineChunk':
      onChunk(message.chunk);
      break;
    case 'spanDetails':
      if (loaded && message.requestId === loaded.detailsRequest) showDetails(loaded, message.details);
      break;
    case 'searchResult':
      if (loaded && message.requestId === loaded.searchRequest) applyMatches(loaded, message.result?.indices ?? []);
      break;
    case 'notFound':
      showMessage(`Trace ${message.traceId} is not in the trace server: not in memory, nor in the trace database. The database drops the oldest traces beyond difyTrace.store.retentionDays and difyTrace.store.maxDiskMiB; with difyTrace.store.persist off, traces are kept in memory only and are gone after the window reloads. This panel shows the trace as soon as it arrives again.`);
      break;
    case 'error':
      showMessage(`Could not load trace ${message.traceId}: ${message.message}`);
      break;
    default:
      assertNever(message);
  }
});

// Ctrl/Cmd+F while the panel has focus: the trace's own search rather than the browser's.
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'f' && loaded?.search) {
    event.preventDefault();
    loaded.search.focus();
  }
});

postToHost({ type: 'ready' });
