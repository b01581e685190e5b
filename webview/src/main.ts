import { buildTrace, spanKey, type SpanKey, type TraceTree } from '../../src/model/buildTrace';
import { logsFromSnapshot, spansFromSnapshot } from '../../src/shared/traceSnapshotCodec';
import { indexLogsBySpan, type SpanLogIndex } from './layout/spanLogs';
import { assertNever, type HostToWebview } from '../../src/shared/webviewProtocol';
import type { TraceSnapshot } from '../../src/shared/lspProtocol';
import { onHostMessage, postToHost, savedState, saveState } from './hostBridge';
import { ancestorKeys, visibleRows, type Row } from './layout/visibleRows';
import { mayHaveSource, renderDetails } from './render/details';
import { renderRelatedSpans, type RelatedSpan } from './render/relatedSpans';
import { createSpanTree, rowHeight, type SpanTreeView } from './render/spanTree';
import { renderSummary } from './render/summary';
import { criticalPath, selfTimeUs, type CriticalPath } from '../../src/model/criticalPath';
import { searchSpans, isEmptyQuery, type SpanQuery } from './layout/spanSearch';
import { createTraceSearch, type TraceSearchView } from './render/traceSearch';
import { keysWithChildren, subtreeKeysWithChildren } from './layout/collapse';
import { emptyTypeAhead, isTypeAheadKey, spaceContinuesTypeAhead, typeAheadAdd, typeAheadMatch, type TypeAhead } from './layout/typeAhead';

const app = document.getElementById('app')!;

interface Loaded {
  readonly snapshot: TraceSnapshot;
  readonly tree: TraceTree;
  readonly related: ReadonlyMap<SpanKey, readonly RelatedSpan[]>;
  readonly logs: SpanLogIndex;
  readonly collapsed: Set<SpanKey>;
  readonly critical: CriticalPath;
  /** Each span's position in the tree's depth-first order, for next/previous from the selection. */
  readonly order: ReadonlyMap<SpanKey, number>;
  rows: Row[];
  selected: number;
  view: SpanTreeView;
  details: HTMLElement;
  search: TraceSearchView | undefined;
  matches: SpanKey[];
  matchSet: ReadonlySet<SpanKey>;
  matchIndex: number;
  searchActive: boolean;
  typeAhead: TypeAhead;
}

let loaded: Loaded | undefined;

function showMessage(text: string, busy = false): void {
  loaded = undefined;
  app.replaceChildren();
  app.setAttribute('aria-busy', String(busy));
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = text;
  app.append(p);
}

function persist(state: Loaded): void {
  const selectedKey = state.rows[state.selected]?.key;
  saveState({
    traceId: state.snapshot.traceIds[0] ?? '',
    ...(selectedKey ? { selectedSpanKey: selectedKey } : {}),
    collapsedSpanKeys: [...state.collapsed],
  });
}

function select(state: Loaded, index: number): void {
  if (index < 0 || index >= state.rows.length) return;
  state.selected = index;
  state.view.setSelected(index);
  state.view.scrollToIndex(index);
  const row = state.rows[index];
  renderDetails(state.details, row?.span, state.tree.startUs, {
    copy: (text) => postToHost({ type: 'copyText', text }),
    goToSource: (traceId, spanId) => postToHost({ type: 'goToSource', traceId, spanId }),
    followLink: (traceId) => revealTrace(state, traceId),
  }, state.logs, row ? { selfTimeUs: selfTimeUs(row.span, state.tree.childrenOf.get(row.key) ?? []), onCriticalPath: state.critical.keys.has(row.key) } : undefined);
  if (row) renderRelatedSpans(state.details, state.related.get(row.key) ?? [], (key) => reveal(state, key));
  persist(state);
}

/** Expands the ancestors of a span and selects it. */
function reveal(state: Loaded, key: SpanKey): void {
  let expanded = false;
  for (const ancestor of ancestorKeys(state.tree, key)) expanded = state.collapsed.delete(ancestor) || expanded;
  if (expanded) relayout(state, key);
  const index = state.rows.findIndex((r) => r.key === key);
  if (index >= 0) select(state, index);
}

/** Both directions of every span-level Trace Link, labelled from the side of the span shown. */
function relatedSpans(snapshot: TraceSnapshot, tree: TraceTree): Map<SpanKey, RelatedSpan[]> {
  const byKey = new Map(tree.spans.map((s) => [spanKey(s), s]));
  const related = new Map<SpanKey, RelatedSpan[]>();
  const add = (from: SpanKey, to: SpanKey, relation: string): void => {
    const span = byKey.get(to);
    if (!span || !byKey.has(from)) return;
    related.set(from, [...(related.get(from) ?? []), { key: to, relation, name: span.name, serviceName: span.resource.serviceName }]);
  };
  for (const c of snapshot.counterparts ?? []) {
    const app = `${c.app.traceId}/${c.app.spanId}`;
    const infra = `${c.infra.traceId}/${c.infra.spanId}`;
    add(app, infra, c.via === 'pluginDaemon' ? 'Plugin daemon span' : c.via === 'traceRoot' ? 'Infrastructure request' : 'Infrastructure span');
    add(infra, app, c.via === 'traceRoot' ? 'App-level run' : 'App-level span');
  }
  return related;
}

/** A Trace Link target already merged into this view is selected; otherwise it opens in its own panel. */
function revealTrace(state: Loaded, traceId: string): void {
  const index = state.rows.findIndex((r) => r.span.traceId === traceId);
  if (index >= 0) select(state, index);
  else postToHost({ type: 'openTrace', traceId });
}

function relayout(state: Loaded, keepKey: SpanKey | undefined): void {
  state.rows = visibleRows(state.tree, state.collapsed, state.snapshot.traceIds[0] ?? '');
  state.view.setRows(state.rows);
  const index = keepKey === undefined ? -1 : state.rows.findIndex((r) => r.key === keepKey);
  select(state, index >= 0 ? index : Math.min(state.selected, state.rows.length - 1));
}

function toggle(state: Loaded, index: number, expand?: boolean): void {
  const row = state.rows[index];
  if (!row?.hasChildren) return;
  const collapse = expand === undefined ? !row.collapsed : !expand;
  if (collapse) state.collapsed.add(row.key);
  else state.collapsed.delete(row.key);
  relayout(state, row.key);
}

/** Expands (or collapses) the span at `index` and everything below it. */
function setSubtree(state: Loaded, index: number, expand: boolean): void {
  const row = state.rows[index];
  if (!row?.hasChildren) return;
  for (const key of subtreeKeysWithChildren(state.tree, row.key, state.order.get(row.key))) {
    if (expand) state.collapsed.delete(key);
    else state.collapsed.add(key);
  }
  relayout(state, row.key);
}

/** Expands every span, or collapses every span so only the roots remain (the selection moves to its root). */
function setAll(state: Loaded, expand: boolean): void {
  const selectedKey = state.rows[state.selected]?.key;
  if (expand) state.collapsed.clear();
  else for (const key of keysWithChildren(state.tree)) state.collapsed.add(key);
  const keep = selectedKey === undefined ? undefined : expand ? selectedKey : ancestorKeys(state.tree, selectedKey).at(-1) ?? selectedKey;
  relayout(state, keep);
}

/** Type-ahead: moves the selection to the next visible row whose name starts with the typed prefix. */
function typeAhead(state: Loaded, char: string): void {
  state.typeAhead = typeAheadAdd(state.typeAhead, char, performance.now());
  const index = typeAheadMatch(state.rows.map((r) => r.span.name), state.typeAhead.prefix, state.selected);
  if (index >= 0 && index !== state.selected) select(state, index);
}

function runSearch(state: Loaded, query: SpanQuery): void {
  state.searchActive = !isEmptyQuery(query);
  state.matches = searchSpans(state.tree.spans, query);
  state.matchSet = new Set(state.matches);
  state.matchIndex = -1;
  state.view.setMatches(state.matchSet, undefined);
  state.search?.setResult(state.matches.length, -1, state.searchActive);
}

/** Next (+1) or previous (-1) match, counted from the current match or else from the selected span. */
function stepMatch(state: Loaded, step: 1 | -1): void {
  const count = state.matches.length;
  if (count === 0) return;
  let index: number;
  const selectedKey = state.rows[state.selected]?.key;
  if (state.matchIndex >= 0 && state.matches[state.matchIndex] === selectedKey) {
    index = (state.matchIndex + step + count) % count;
  } else {
    const at = selectedKey === undefined ? -1 : state.order.get(selectedKey) ?? -1;
    const pos = (key: SpanKey): number => state.order.get(key) ?? -1;
    if (step === 1) {
      const after = state.matches.findIndex((k) => pos(k) > at);
      index = after >= 0 ? after : 0;
    } else {
      const before = state.matches.findLastIndex((k) => pos(k) < at);
      index = before >= 0 ? before : count - 1;
    }
  }
  state.matchIndex = index;
  const key = state.matches[index]!;
  state.view.setMatches(state.matchSet, key);
  reveal(state, key);
  state.search?.setResult(count, index, true);
}

function onKey(state: Loaded, event: KeyboardEvent): void {
  const row = state.rows[state.selected];
  const page = Math.max(1, Math.floor((event.currentTarget as HTMLElement).clientHeight / rowHeight));
  switch (event.key) {
    case 'ArrowDown': select(state, state.selected + 1); break;
    case 'ArrowUp': select(state, state.selected - 1); break;
    case 'PageDown': select(state, Math.min(state.rows.length - 1, state.selected + page)); break;
    case 'PageUp': select(state, Math.max(0, state.selected - page)); break;
    case 'Home': select(state, 0); break;
    case 'End': select(state, state.rows.length - 1); break;
    // Shift+Right or * expands everything below the span; Shift+Left or - collapses it.
    case '*': setSubtree(state, state.selected, true); break;
    case '-': setSubtree(state, state.selected, false); break;
    case 'ArrowRight':
      if (event.shiftKey) setSubtree(state, state.selected, true);
      else if (row?.hasChildren && row.collapsed) toggle(state, state.selected, true);
      else if (row?.hasChildren) select(state, state.selected + 1);
      break;
    case 'ArrowLeft':
      if (event.shiftKey) setSubtree(state, state.selected, false);
      else if (row?.hasChildren && !row.collapsed) toggle(state, state.selected, false);
      else if (row) {
        const parent = state.rows.slice(0, state.selected).findLastIndex((r) => r.depth < row.depth);
        if (parent >= 0) select(state, parent);
      }
      break;
    // Enter on a span that failed opens its source (as the details' button does); Space always toggles.
    case 'Enter':
      if (row && mayHaveSource(row.span)) postToHost({ type: 'goToSource', traceId: row.span.traceId, spanId: row.span.spanId });
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

function showTrace(snapshot: TraceSnapshot): void {
  const tree = buildTrace(spansFromSnapshot(snapshot), snapshot.traceIds[0]);
  const saved = savedState();
  const sameTrace = saved.traceId === snapshot.traceIds[0];
  app.replaceChildren();
  app.setAttribute('aria-busy', 'false');
  const header = document.createElement('header');
  header.className = 'summary';
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
  app.append(header, main);

  const collapsed = new Set<SpanKey>(sameTrace ? saved.collapsedSpanKeys ?? [] : []);
  const rootCause = snapshot.run?.rootCause;
  const rootCauseKey = rootCause ? `${rootCause.traceId}/${rootCause.spanId}` : undefined;
  const critical = criticalPath(tree, snapshot.traceIds[0]);
  const state: Loaded = {
    snapshot, tree, collapsed, rows: [], selected: -1, details, related: relatedSpans(snapshot, tree),
    logs: indexLogsBySpan(logsFromSnapshot(snapshot)),
    critical, order: new Map(tree.spans.map((s, i) => [spanKey(s), i])),
    search: undefined, matches: [], matchSet: new Set(), matchIndex: -1, searchActive: false, typeAhead: emptyTypeAhead,
    view: createSpanTree(scroller, tree.startUs, tree.endUs, rootCauseKey, critical, {
      onSelect: (index) => select(state, index),
      onToggle: (index) => toggle(state, index),
    }),
  };
  loaded = state;
  state.search = createTraceSearch(treePane, {
    onQuery: (query) => runSearch(state, query),
    onNext: () => stepMatch(state, 1),
    onPrevious: () => stepMatch(state, -1),
    onLeave: () => scroller.focus(),
  });
  treePane.append(scroller);
  renderSummary(header, snapshot, tree, (key) => reveal(state, key), {
    count: critical.keys.size,
    shown: true,
    onToggle: (shown) => scroller.classList.toggle('hide-critical', !shown),
  });
  renderTreeActions(header, state);
  scroller.addEventListener('keydown', (event) => onKey(state, event));

  // Open on the saved selection, else on the root cause (revealed), else on the first span.
  const initialKey = (sameTrace ? saved.selectedSpanKey : undefined) ?? rootCauseKey ?? (tree.spans[0] ? spanKey(tree.spans[0]) : undefined);
  if (initialKey) for (const key of ancestorKeys(tree, initialKey)) collapsed.delete(key);
  state.selected = 0;
  relayout(state, initialKey);
  scroller.focus();
}

onHostMessage((message: HostToWebview) => {
  switch (message.type) {
    case 'loading':
      if (!loaded) showMessage('Loading trace…', true);
      break;
    case 'trace':
      showTrace(message.snapshot);
      break;
    case 'notFound':
      showMessage(`Trace ${message.traceId} is not in the trace server's memory. Traces are kept in memory only, so they are gone after the window reloads, and the oldest are dropped beyond difyTrace.store.maxSpans. This panel shows the trace as soon as it arrives again.`);
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
