/**
 * What every view shares: the <main> element it draws into and the lifetime of the current view.
 * Each render starts a new view, so async work of an older one sees it is stale and stops, and the
 * older view's timers end. app.ts installs the renderer here, so views (and sign-out) can re-render
 * without importing the entry point.
 */

export interface RenderOptions {
  focus?: boolean;
  notice?: string;
}

export const mainEl = document.getElementById('main') as HTMLElement;

/** Bumped on every render; async work of an older view checks it and stops. */
let renderToken = 0;
let viewTimers: number[] = [];
let renderer: (options: RenderOptions) => void = () => undefined;

export function installRenderer(render: (options: RenderOptions) => void): void {
  renderer = render;
}

/** Draws the page for the current address and session again. */
export function render(options: RenderOptions = {}): void {
  renderer(options);
}

/** Called by the renderer before it draws: the previous view goes stale and its timers stop. */
export function beginView(): void {
  renderToken++;
  stopViewTimers();
}

export function stopViewTimers(): void {
  for (const timer of viewTimers) window.clearInterval(timer);
  viewTimers = [];
}

/** A check for work started now: true once another view has been rendered. */
export function staleCheck(): () => boolean {
  const token = renderToken;
  return () => token !== renderToken;
}

/** Runs `work` every `everyMs` until the next render (or stopViewTimers). */
export function repeatDuringView(work: () => void, everyMs: number): void {
  viewTimers.push(window.setInterval(work, everyMs));
}
