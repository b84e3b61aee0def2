/** What the explorer page tests share: a tiny model's page opened in one headless Chromium per suite, the cpu backend for Node's side, and the comparison of two rollouts. */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Browser } from 'playwright-core';
import { type PageModel, buildPageBundle, explorerPageHtml } from '../../src/explorer/explorerPage';
import { type OpenedExplorer, openExplorerPage, pageModelAndBackend } from '../../src/explorer/pageDriver';
import { launchChromium } from '../../src/viz/export';
import { requireChromium } from '../helpers/chromium';
import { tmpDir } from '../helpers/tmpDir';

/** Largest |a − b| over two equally shaped matrices. */
export function maxAbsDifference(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((row, k) => Math.max(...row.map((v, j) => Math.abs(v - b[k][j])))));
}

/** `fn` run on the cpu backend (the page's), the previous backend restored after. */
export async function onCpuBackend<T>(fn: () => T): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * Registers, in the calling describe, hooks that write `pageModel`'s page to a temporary file, open it in headless
 * Chromium (the suite skips where there is none) and close the browser after; returns a getter of the opened page and
 * its browser (for a second page in the same suite).
 */
export function useExplorerPage(pageModel: PageModel): () => { opened: OpenedExplorer; browser: Browser } {
  let browser: Browser | undefined;
  let opened: OpenedExplorer | undefined;
  before(async function () {
    requireChromium(this);
    const file = path.join(tmpDir(`explorer-${pageModel.kind}-`), 'tiny.html');
    fs.writeFileSync(file, explorerPageHtml(pageModel.model, await buildPageBundle(pageModel)));
    browser = await launchChromium();
    opened = await openExplorerPage(browser, file);
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!opened || !browser) throw new Error('the explorer page is not open (its before hook did not run)');
    return { opened, browser };
  };
}

/** The opened page asked for nothing beyond its file, threw nothing, computes on the cpu backend, holds `model` and shows `sliders` sliders. */
export async function assertLoadedOffline(opened: OpenedExplorer, model: unknown, sliders: number): Promise<void> {
  assert.deepEqual(opened.blocked, []);
  assert.deepEqual(opened.errors, []);
  const { model: inPage, backend } = await pageModelAndBackend(opened.page);
  assert.equal(backend, 'cpu');
  assert.deepEqual(inPage, model);
  assert.equal(await opened.page.locator('input[type=range]').count(), sliders);
}
