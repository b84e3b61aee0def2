/**
 * The explorer page's script (the entry of the bundle ./explorerPage.ts builds): one range slider per η component;
 * every `input` event re-integrates the model from the nearest adapted instance's initial state (./pageRollout.ts)
 * and redraws the phase portrait of the model's two portrait components with Plotly.react beside that instance's
 * data window.
 *
 * The sliders, the timing and the handle the tests read are ./sliderPage.ts's.
 */
import { OKABE_ITO } from '../viz/palette';
import { type ExplorerModel, nearestInstance, pageRollout } from './pageRollout';
import { paddedRange, startSliderPage, windowAxisRanges } from './sliderPage';

/** The model, which the bundle's build writes in as a literal (esbuild `define`, ./explorerPage.ts). */
declare const METADYN_EXPLORER_MODEL: ExplorerModel;

function figureOf(model: ExplorerModel, eta: readonly number[], ranges: [number, number][]): { data: unknown[]; layout: unknown } {
  const near = model.instances[nearestInstance(model, eta)];
  const { x: px, y: py } = model.portrait;
  const states = pageRollout(model, eta, near.window[0], near.window.length);
  const etaText = eta.map((v) => v.toFixed(3)).join(', ');
  return {
    data: [
      { type: 'scatter', mode: 'lines', name: `data ${near.label} (η = ${near.eta.map((v) => v.toFixed(3)).join(', ')}, ${near.split})`, x: near.window.map((x) => x[px]), y: near.window.map((x) => x[py]), line: { color: OKABE_ITO[0], width: 1, dash: 'dot' } },
      { type: 'scatter', mode: 'lines', name: `model, η = ${etaText}`, x: states.map((x) => x[px]), y: states.map((x) => x[py]), line: { color: OKABE_ITO[6], width: 2 } },
      { type: 'scatter', mode: 'markers', name: 'initial state', x: [near.window[0][px]], y: [near.window[0][py]], marker: { color: OKABE_ITO[5], size: 9 } },
    ],
    layout: {
      title: { text: `${model.experiment}: learned dynamics at η = ${etaText}, nearest adapted instance ${near.label}` },
      xaxis: { title: { text: model.portrait.xTitle }, range: ranges[0] },
      yaxis: { title: { text: model.portrait.yTitle }, range: ranges[1] },
      legend: { orientation: 'h', y: -0.2 },
      margin: { t: 50 },
    },
  };
}

const model = METADYN_EXPLORER_MODEL;
const ranges = windowAxisRanges(model.instances, [model.portrait.x, model.portrait.y]);
const initial = model.instances[Math.floor(model.instances.length / 2)].eta;
startSliderPage(
  {
    model,
    sliders: model.etaRange.map((_, j) => ({ label: `η${model.etaRange.length > 1 ? `[${j}]` : ''}`, range: paddedRange(model.etaRange[j]), initial: initial[j] })),
    figure: (eta) => figureOf(model, eta, ranges),
  },
  { rollout: pageRollout },
);
