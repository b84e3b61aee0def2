/**
 * Driving the explorer page in headless Chromium (playwright-core), for its tests and its benchmark: open the file
 * with every request that is not file:// aborted and recorded (the page must work offline), wait for the first
 * figure, move the sliders and read back what the page computed.
 */
import { pathToFileURL } from 'url';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { DataError } from '../core/errors';
import { EXPLORER_HANDLE, EXPLORER_IDS, type ExplorerHandle, PAGE_FAILED, type SliderPageHandle } from './pageContract';

/** How long the page may take to parse its libraries and draw the first figure. */
const FIRST_FIGURE_TIMEOUT_MS = 60000;

export interface OpenedExplorer {
  page: Page;
  /** URLs the page asked for that are not file:// (each aborted) */
  blocked: string[];
  /** errors the page threw */
  errors: string[];
  /** navigation to the first drawn figure, ms */
  loadMs: number;
  close(): Promise<void>;
}

/**
 * Wait until the explorer in `target` (a page, or the frame a report shows it in) has drawn its first figure, or its
 * script reported that it failed (./sliderPage.ts), whichever comes first: true when drawn, else why not.
 */
export function waitForFirstFigure(target: Page | Frame, timeoutMs = FIRST_FIGURE_TIMEOUT_MS): Promise<true | string> {
  return target
    .waitForFunction(
      ([handle, status]) => (window as unknown as Record<string, unknown>)[handle] !== undefined || (document.getElementById(status)?.textContent ?? '').startsWith(PAGE_FAILED),
      [EXPLORER_HANDLE, EXPLORER_IDS.status] as const,
      { timeout: timeoutMs },
    )
    .then(() => target.evaluate((handle) => (window as unknown as Record<string, unknown>)[handle] !== undefined, EXPLORER_HANDLE))
    .then((ok): true | string => ok || 'the page failed')
    .catch((e: Error) => e.message.split('\n')[0]);
}

export async function openExplorerPage(browser: Browser, file: string): Promise<OpenedExplorer> {
  const context: BrowserContext = await browser.newContext();
  const page = await context.newPage();
  const blocked: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const t0 = Date.now();
  await page.goto(pathToFileURL(file).href);
  const drawn = await waitForFirstFigure(page);
  if (drawn !== true) {
    const status = await page.textContent('body').catch(() => '');
    await context.close();
    throw new DataError(`the explorer page drew no figure (${drawn}); page errors: ${errors.join('; ') || 'none'}; page text: ${status?.slice(-300)}`, { file });
  }
  return { page, blocked, errors, loadMs: Date.now() - t0, close: () => context.close() };
}

/** Move the sliders to `values` as a user would (an `input` event); resolves with the redraw's ms and the values the sliders hold. */
export function moveSliders(page: Page, values: readonly number[]): Promise<{ ms: number; values: number[] }> {
  return page.evaluate(
    async ([handle, target]) => {
      const h = (window as unknown as Record<string, SliderPageHandle<unknown>>)[handle];
      const ms = await h.setSliders(target);
      return { ms, values: h.sliderValues() };
    },
    [EXPLORER_HANDLE, [...values]] as const,
  );
}

/** The x and y arrays of every trace the page's figure holds now. */
export function figureTraces(page: Page, figureId: string): Promise<{ x: number[]; y: number[] }[]> {
  return page.evaluate((id) => {
    const el = document.getElementById(id) as unknown as { data?: { x: number[]; y: number[] }[] };
    return (el.data ?? []).map((t) => ({ x: Array.from(t.x), y: Array.from(t.y) }));
  }, figureId);
}

/** The page's own pageRollout of its model for `eta` from `x0`, `steps` states. */
export function rolloutInPage(page: Page, eta: readonly number[], x0: readonly number[], steps: number): Promise<number[][]> {
  return page.evaluate(
    ([handle, e, x, n]) => {
      const h = (window as unknown as Record<string, ExplorerHandle>)[handle];
      return h.rollout(h.model, e, x, n);
    },
    [EXPLORER_HANDLE, [...eta], [...x0], steps] as const,
  );
}

/** Each slider's [min, max]. */
export function sliderRanges(page: Page): Promise<[number, number][]> {
  return page.$$eval('input[type=range]', (inputs) => inputs.map((i) => [Number((i as HTMLInputElement).min), Number((i as HTMLInputElement).max)] as [number, number]));
}

/** The page's model and tfjs backend. */
export function pageModelAndBackend<M>(page: Page): Promise<Pick<SliderPageHandle<M>, 'model' | 'backend'>> {
  return page.evaluate((handle) => {
    const h = (window as unknown as Record<string, SliderPageHandle<M>>)[handle];
    return { model: h.model, backend: h.backend };
  }, EXPLORER_HANDLE);
}
