/**
 * The part every explorer page's script shares (in the page): tfjs on its cpu backend, one range slider per value,
 * and on every `input` event a redraw — the page's figure recomputed from the slider values and handed to
 * Plotly.react — timed with performance.now(); then the handle (./pageContract.ts) on `window`.
 *
 * cpu backend: the models' tensors are a few kilobytes, so a kernel launch, not arithmetic, is the cost, and cpu
 * launches are the cheapest (webgl's each upload and read back); it computes in float32 as Node does.
 */
import * as tf from '@tensorflow/tfjs';
import { EXPLORER_HANDLE, EXPLORER_IDS, PAGE_FAILED, type SliderPageHandle } from './pageContract';

/** Positions of a slider between its ends. */
const SLIDER_POSITIONS = 400;
/** A slider extends the training instances' range by this fraction of it on each side (beyond it: extrapolation). */
const SLIDER_MARGIN = 0.25;

/** [lo, hi] widened by SLIDER_MARGIN of its width on each side (of 1e-3 for a point). */
export function paddedRange([lo, hi]: readonly [number, number]): [number, number] {
  const pad = Math.max(hi - lo, 1e-3) * SLIDER_MARGIN;
  return [lo - pad, hi + pad];
}

/** Fixed phase-portrait axes over every instance's data window (its state components `components`), so that the figure does not rescale as a slider moves. */
export function windowAxisRanges(instances: readonly { window: number[][] }[], components: readonly [number, number] = [0, 1]): [number, number][] {
  return components.map((c) => {
    const values = instances.flatMap((ins) => ins.window.map((x) => x[c]));
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const pad = 0.15 * (hi - lo);
    return [lo - pad, hi + pad] as [number, number];
  });
}

interface PlotlyGlobal {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
}

export interface SliderPageOptions<M> {
  model: M;
  /** per slider: its label, [min, max] and starting value */
  sliders: { label: string; range: [number, number]; initial: number }[];
  /** the figure for the slider values */
  figure(values: number[]): { data: unknown[]; layout: unknown };
}

/** Start the page; `extra` are the handle's page-specific members (the functions the tests call in the page). */
export function startSliderPage<M, E extends object>(o: SliderPageOptions<M>, extra: E): void {
  run(o, extra).catch((e: Error) => {
    const status = document.getElementById(EXPLORER_IDS.status);
    if (status) status.textContent = `${PAGE_FAILED}: ${e.message}`;
    throw e;
  });
}

async function run<M, E extends object>(o: SliderPageOptions<M>, extra: E): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const Plotly = (window as unknown as { Plotly: PlotlyGlobal }).Plotly;
  const figure = document.getElementById(EXPLORER_IDS.figure) as HTMLElement;
  const status = document.getElementById(EXPLORER_IDS.status) as HTMLElement;
  const inputs = o.sliders.map((s, j) => {
    const [lo, hi] = s.range;
    const label = document.createElement('label');
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', min: String(lo), max: String(hi), step: String((hi - lo) / SLIDER_POSITIONS), value: String(s.initial) });
    input.id = `explorer-slider-${j}`;
    label.append(`${s.label} `, input);
    (document.getElementById(EXPLORER_IDS.sliders) as HTMLElement).append(label);
    return input;
  });
  const redrawn: ((ms: number) => void)[] = [];
  const handle: SliderPageHandle<M> & E = {
    ...extra,
    model: o.model,
    sliderValues: () => inputs.map((s) => Number(s.value)),
    setSliders: (values) => {
      values.forEach((v, j) => (inputs[j].value = String(v)));
      const done = new Promise<number>((resolve) => redrawn.push(resolve));
      inputs[0].dispatchEvent(new Event('input'));
      return done;
    },
    lastRedrawMs: NaN,
    backend: tf.getBackend(),
  };
  async function redraw(): Promise<void> {
    const t0 = performance.now();
    const { data, layout } = o.figure(handle.sliderValues());
    await Plotly.react(figure, data, layout, { displaylogo: false, responsive: true });
    handle.lastRedrawMs = performance.now() - t0;
    status.textContent = `redrawn in ${handle.lastRedrawMs.toFixed(0)} ms (tfjs ${tf.version.tfjs}, ${tf.getBackend()} backend)`;
    redrawn.splice(0).forEach((resolve) => resolve(handle.lastRedrawMs));
  }
  inputs.forEach((s) => s.addEventListener('input', () => void redraw()));
  await redraw();
  (window as unknown as Record<string, unknown>)[EXPLORER_HANDLE] = handle;
}
