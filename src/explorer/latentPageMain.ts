/**
 * The Paper B latent explorer page's script (the bundle entry ./explorerPage.ts builds for a latent model): one
 * slider per leading principal component of the training latents; every `input` event forms z = z̄ + Σ c_i PC_i and
 * redraws |ẋ| of the learned Hamiltonian field on the grid (left) and the rollout from the nearest training
 * instance's initial state beside that instance's data (right) (./latentPageRollout.ts). Sliders, timing and the
 * handle the tests read are ./sliderPage.ts's.
 */
import { OKABE_ITO } from '../viz/palette';
import { type LatentExplorerModel, fieldMagnitude, latentAt, latentRollout, nearestLatentInstance } from './latentPageRollout';
import { paddedRange, startSliderPage, windowAxisRanges } from './sliderPage';

/** The model, which the bundle's build writes in as a literal (esbuild `define`, ./explorerPage.ts). */
declare const METADYN_EXPLORER_MODEL: LatentExplorerModel;

function figureOf(model: LatentExplorerModel, c: readonly number[], ranges: [number, number][]): { data: unknown[]; layout: unknown } {
  const z = latentAt(model, c);
  const near = model.instances[nearestLatentInstance(model, c)];
  const states = latentRollout(model, z, near.window[0], near.window.length);
  const cText = c.map((v) => v.toFixed(2)).join(', ');
  const [xLabel, yLabel] = model.stateLabels;
  return {
    data: [
      { type: 'heatmap', name: '|ẋ|', x: model.grid.x, y: model.grid.y, z: fieldMagnitude(model, z), colorscale: 'Viridis', colorbar: { title: { text: '|ẋ|' }, x: 0.45 }, xaxis: 'x', yaxis: 'y' },
      { type: 'scatter', mode: 'lines+markers', name: `data ${near.label}`, x: near.window.map((x) => x[0]), y: near.window.map((x) => x[1]), line: { color: OKABE_ITO[0], width: 1, dash: 'dot' }, marker: { size: 4 }, xaxis: 'x2', yaxis: 'y2' },
      { type: 'scatter', mode: 'lines', name: `model at c = (${cText})`, x: states.map((x) => x[0]), y: states.map((x) => x[1]), line: { color: OKABE_ITO[6], width: 2 }, xaxis: 'x2', yaxis: 'y2' },
    ],
    layout: {
      title: { text: `${model.experiment} ${model.method}: z = z̄ + Σ c_i PC_i, c = (${cText}); nearest training instance ${near.label}` },
      grid: { rows: 1, columns: 2, pattern: 'independent' },
      xaxis: { title: { text: xLabel }, domain: [0, 0.42] },
      yaxis: { title: { text: yLabel } },
      xaxis2: { title: { text: xLabel }, domain: [0.55, 1], range: ranges[0] },
      yaxis2: { title: { text: yLabel }, range: ranges[1] },
      legend: { orientation: 'h', y: -0.2 },
      margin: { t: 50 },
    },
  };
}

const model = METADYN_EXPLORER_MODEL;
const ranges = windowAxisRanges(model.instances);
startSliderPage(
  {
    model,
    sliders: model.coordinateRange.map((range, i) => ({
      label: `c${i + 1} (PC${i + 1}, ${(100 * model.explained[i]).toFixed(1)} % of the variance)`,
      range: paddedRange(range),
      initial: 0,
    })),
    figure: (c) => figureOf(model, c, ranges),
  },
  { latentAt, latentRollout, fieldMagnitude },
);
