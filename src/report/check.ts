/**
 * Proof that the report works offline: every page is opened from disk (file://) in headless Chromium, and each
 * of its Plotly figures must have been drawn — one `.plot-container` per figure in the notebook, and no figure
 * div still showing its "Plotly not loaded" fallback — and each explorer the page shows in a frame must draw its
 * figure from the folder's files. A page whose plotly.js link is broken fails here instead of silently showing empty boxes. The index is then screenshotted to index.png (a preview for the README).
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser, Page } from 'playwright-core';
import { waitForFirstFigure } from '../explorer/pageDriver';
import { FIGURE_FALLBACK_TEXT } from './notebook';
import type { ReportPage } from './site';

/** how long a page may take to load plotly.js and draw its figures (a busy 2-core machine needs seconds) */
const DEFAULT_RENDER_TIMEOUT_MS = 60000;
const SCREENSHOT_VIEWPORT = { width: 1000, height: 800 };

export interface PageCheck {
  file: string;
  expectedFigures: number;
  plotContainers: number;
  mainSvgs: number;
  /** a figure div still shows the fallback text */
  fallbackShown: boolean;
  /** explorer pages of the notebook, and how many of them drew their figure offline in the page's frames */
  explorers: number;
  explorersDrawn: number;
  ok: boolean;
}

/** How many of the frames of `page` that show the explorer pages `files` drew their figure (../explorer/pageDriver.ts). */
async function countDrawnExplorers(page: Page, files: readonly string[], timeoutMs: number): Promise<number> {
  let drawn = 0;
  for (const file of files) {
    const frame = page.frames().find((f) => f.url() === pathToFileURL(file).href);
    if (frame && (await waitForFirstFigure(frame, timeoutMs)) === true) drawn += 1;
  }
  return drawn;
}

/** Open every page and count what rendered, waiting at most `renderTimeoutMs` per page for its figures. */
export async function checkReportPages(
  browser: Browser,
  pages: readonly ReportPage[],
  renderTimeoutMs = DEFAULT_RENDER_TIMEOUT_MS,
): Promise<PageCheck[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const checks: PageCheck[] = [];
    for (const p of pages) {
      await page.goto(pathToFileURL(p.file).href);
      if (p.expectedFigures > 0) {
        await page
          .waitForFunction((n) => document.querySelectorAll('.plot-container').length >= n, p.expectedFigures, { timeout: renderTimeoutMs })
          .catch(() => undefined); // what did not render is counted below
      }
      const counts = await page.evaluate((fallback) => ({
        plotContainers: document.querySelectorAll('.plot-container').length,
        mainSvgs: document.querySelectorAll('.main-svg').length,
        fallbackShown: document.body.innerText.includes(fallback),
      }), FIGURE_FALLBACK_TEXT);
      const explorersDrawn = await countDrawnExplorers(page, p.explorers, renderTimeoutMs);
      const ok = counts.plotContainers === p.expectedFigures && counts.mainSvgs >= p.expectedFigures && !counts.fallbackShown && explorersDrawn === p.explorers.length;
      checks.push({ file: p.file, expectedFigures: p.expectedFigures, ...counts, explorers: p.explorers.length, explorersDrawn, ok });
    }
    return checks;
  } finally {
    await context.close();
  }
}

/** Screenshot the whole index page to index.png beside it; returns the file. */
export async function screenshotIndex(browser: Browser, indexFile: string): Promise<string> {
  const context = await browser.newContext({ viewport: SCREENSHOT_VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(indexFile).href);
    const file = path.join(path.dirname(indexFile), 'index.png');
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } finally {
    await context.close();
  }
}
