/**
 * What the explorer pages' HTML (./explorerPage.ts, written in Node) and their scripts (./pageMain.ts,
 * ./latentPageMain.ts, run in the page) agree on: the ids of the page's elements, and the handle a script leaves on
 * `window` for tests and benchmarks.
 */
import type { LatentExplorerModel, fieldMagnitude, latentAt, latentRollout } from './latentPageRollout';
import type { ExplorerModel, pageRollout } from './pageRollout';

export const EXPLORER_IDS = { sliders: 'explorer-sliders', figure: 'explorer-figure', status: 'explorer-status' } as const;

/** How the status line of a page whose script failed begins (./sliderPage.ts). */
export const PAGE_FAILED = 'explorer failed';

/** The global a page's script sets once the first figure is drawn. */
export const EXPLORER_HANDLE = 'metadynExplorer';

/** What every explorer page exposes on window[EXPLORER_HANDLE]. */
export interface SliderPageHandle<M> {
  model: M;
  /** the values the sliders show (η for iMODE, principal-component coordinates of z for Paper B) */
  sliderValues(): number[];
  /** move the sliders to `values` and fire their `input` event; resolves with that redraw's milliseconds */
  setSliders(values: readonly number[]): Promise<number>;
  /** computation + Plotly.react time of the last redraw, ms */
  lastRedrawMs: number;
  /** the tfjs backend the page computes on */
  backend: string;
}

/** The iMODE page's handle: its sliders are η. */
export interface ExplorerHandle extends SliderPageHandle<ExplorerModel> {
  rollout: typeof pageRollout;
}

/** The Paper B latent page's handle: its sliders are coordinates on the leading principal components of z. */
export interface LatentExplorerHandle extends SliderPageHandle<LatentExplorerModel> {
  latentAt: typeof latentAt;
  latentRollout: typeof latentRollout;
  fieldMagnitude: typeof fieldMagnitude;
}
