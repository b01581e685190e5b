/**
 * A draggable, keyboard-operable divider between two columns (as VS Code's sashes and Jaeger UI's
 * divider): a `separator` with its value in percent of its container's width. Pointer: drag it.
 * Keyboard (it takes focus): ←/→ by 2%, Shift+←/→ by 10%, Home/End to its bounds.
 */
export interface SplitSashOptions {
  /** What it divides, for screen readers ("Span names and timeline"). */
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly value: number;
  /** Each move (`done` once the drag or key press is over: persist then). */
  readonly onChange: (value: number, done: boolean) => void;
}

export interface SplitSash {
  readonly element: HTMLElement;
  setValue(value: number): void;
}

export function createSplitSash(container: HTMLElement, options: SplitSashOptions): SplitSash {
  const sash = document.createElement('div');
  sash.className = 'split-sash';
  sash.tabIndex = 0;
  sash.setAttribute('role', 'separator');
  sash.setAttribute('aria-orientation', 'vertical');
  sash.setAttribute('aria-label', options.label);
  sash.setAttribute('aria-valuemin', String(options.min));
  sash.setAttribute('aria-valuemax', String(options.max));
  sash.title = `${options.label}: drag, or ←/→ when focused`;
  let value = options.value;
  const clamp = (v: number): number => Math.round(Math.min(options.max, Math.max(options.min, v)) * 10) / 10;
  const show = (): void => {
    sash.style.left = `${value}%`;
    sash.setAttribute('aria-valuenow', String(Math.round(value)));
    sash.setAttribute('aria-valuetext', `${Math.round(value)}%`);
  };
  const set = (next: number, done: boolean): void => {
    const clamped = clamp(next);
    if (clamped === value && !done) return;
    value = clamped;
    show();
    options.onChange(value, done);
  };
  sash.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    sash.setPointerCapture(event.pointerId);
    sash.classList.add('dragging');
    const box = container.getBoundingClientRect();
    const move = (e: PointerEvent): void => set(((e.clientX - box.left) / Math.max(1, box.width)) * 100, false);
    const up = (e: PointerEvent): void => {
      sash.removeEventListener('pointermove', move);
      sash.removeEventListener('pointerup', up);
      sash.removeEventListener('pointercancel', up);
      sash.classList.remove('dragging');
      if (sash.hasPointerCapture(e.pointerId)) sash.releasePointerCapture(e.pointerId);
      set(value, true);
    };
    sash.addEventListener('pointermove', move);
    sash.addEventListener('pointerup', up);
    sash.addEventListener('pointercancel', up);
  });
  sash.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 10 : 2;
    const next = event.key === 'ArrowLeft' ? value - step : event.key === 'ArrowRight' ? value + step : event.key === 'Home' ? options.min : event.key === 'End' ? options.max : undefined;
    if (next === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    set(next, true);
  });
  show();
  container.append(sash);
  return {
    element: sash,
    setValue(next) {
      value = clamp(next);
      show();
    },
  };
}
