/**
 * Paper A (iMODE), the reaction–diffusion system (spec §1.2 [INF]): 2-D FitzHugh–Nagumo on the periodic square,
 * u_t = aΔu + u − u³ − k − v, v_t = bΔv + u − v, with the diffusion coefficients (a, b) varied (APHYNITY's values
 * ±50 %), on an N × N grid (../systems/fitzhughNagumo.ts). The model is stencil-based: a pointwise network of
 * (u, v, Δ_h u, Δ_h v, η) with a linear η-dependent diffusion head (../nn/stencilField.ts), translation-, rotation-
 * and reflection-equivariant on the grid by construction. It is a first-order PDE, so there is no force bias.
 */
import { type ConfigOf } from '../core/config';
import { type StencilFieldSpec, laplacianScaleForGrid, stencilFieldParamsInit, stencilVectorField } from '../nn/stencilField';
import { FHN_DOMAIN_LENGTH, createFitzhughNagumo, fitzhughNagumo } from '../systems/fitzhughNagumo';
import { fieldAt, paramBoxCorners } from '../systems/types';
import { fieldSnapshotsFigure } from '../viz/fieldFigures';
import type { PlotlyFigure } from '../viz/plotly';
import type { InstanceResult } from '../meta/imodeEvaluation';
import { IMODE_FAMILY_BASE, type ImodeFamily, imodeFamilySchema } from './imode/family';

export const imodeReactionDiffusionSchema = {
  ...imodeFamilySchema,
  grid: { kind: 'integer', min: 3, max: 64, doc: 'cells per side N of the periodic grid' },
  width: { kind: 'integer', min: 1, doc: 'hidden width of the pointwise network' },
  depth: { kind: 'integer', min: 1, doc: 'hidden layers' },
  activation: { kind: 'enum', values: ['tanh', 'softplus'], doc: 'hidden activation' },
  diffusionHead: { kind: 'boolean', doc: 'add the linear η-dependent diffusion head D(η)·Δ_h' },
} as const;

export type ImodeReactionDiffusionConfig = ConfigOf<typeof imodeReactionDiffusionSchema>;

/**
 * default [INF]: a 16 × 16 grid (32 × 32 is APHYNITY's; 16 keeps a rollout step under 5 ms on wasm), 9 training
 * instances (3 × 3 grid over a ∈ [5e-4, 1.5e-3], b ∈ [2.5e-3, 7.5e-3]), 3 trajectories of 5 s at dt = 0.1 from
 * APHYNITY's U[0, 1) initial fields, windows of 0.5 s, RK4 with one step per sample (the field is smooth and not
 * stiff at this resolution: the largest diffusion rate 8b/dx² is below 4, h·λ < 0.4). Longer windows or more steps
 * ran the wasm heap out of memory: the backward pass keeps every stage's [rows·N², width] activations. 200 outer
 * iterations: at 100 the loss was still falling (best iteration 78), and the model's η of an unseen instance was off
 * by a bias no gauge could undo (no start of the adaptation fitted better elsewhere: `npm run basins`); at 200 the
 * training loss is a quarter and the worst interpolating gauge error fell below 5 % (environment.md).
 */
const BOX = paramBoxCorners(fitzhughNagumo, ['a', 'b']);

const DEFAULT = {
  ...IMODE_FAMILY_BASE,
  paramLow: BOX.low,
  paramHigh: BOX.high,
  trainPerAxis: 3,
  interpolateInstances: 4,
  extrapolateInstances: 2,
  trajectories: 3,
  trajectorySteps: 51,
  dt: 0.1,
  windowSteps: 6,
  evalSteps: 41,
  windowsPerTask: 4,
  solver: 'rk4',
  substeps: 1,
  outerIterations: 200,
  scratchSteps: 100,
  grid: 16,
  width: 32,
  depth: 2,
  activation: 'tanh',
  diffusionHead: true,
} as const;

function fieldSpec(cfg: ImodeReactionDiffusionConfig): StencilFieldSpec {
  return {
    grid: cfg.grid,
    domainLength: FHN_DOMAIN_LENGTH,
    etaDim: cfg.etaDim,
    width: cfg.width,
    depth: cfg.depth,
    activation: cfg.activation,
    laplacianScale: laplacianScaleForGrid(cfg.grid, FHN_DOMAIN_LENGTH),
    diffusionHead: cfg.diffusionHead,
  };
}

/** u of the first unseen instance at the end of its held-out rollout: data against the adapted model and scratch. */
function fieldSnapshots(cfg: ImodeReactionDiffusionConfig, results: readonly InstanceResult[]): Record<string, PlotlyFigure> {
  const shown = results.find((r) => r.split !== 'train');
  if (!shown) return {};
  const last = shown.rollout.truth.length - 1;
  const u = (state: number[]) => Array.from({ length: cfg.grid }, (_, i) => state.slice(i * cfg.grid, (i + 1) * cfg.grid));
  const panels = [
    { title: 'data', z: u(shown.rollout.truth[last]) },
    { title: 'iMODE', z: u(shown.rollout.predicted[last]) },
    ...(shown.rollout.scratch ? [{ title: 'Scratch', z: u(shown.rollout.scratch[last]) }] : []),
  ];
  return {
    'field-snapshots': fieldSnapshotsFigure({ title: `u at t = ${(last * cfg.dt).toFixed(1)} s, held-out rollout of ${shown.label} (${shown.split})`, panels, colorTitle: 'u' }),
  };
}

export const imodeReactionDiffusion: ImodeFamily<ImodeReactionDiffusionConfig> = {
  info: {
    id: 'imode-reaction-diffusion',
    paper: 'iMODE (arXiv 2301.00957)',
    section: 'reaction-diffusion (FitzHugh–Nagumo, spec §1.2 [INF], §4.3)',
    title: 'Reaction–diffusion (FitzHugh–Nagumo): stencil model over the diffusion coefficients (a, b), PCA of η, Neural Gauge, scratch baseline',
  },
  schema: imodeReactionDiffusionSchema,
  scales: {
    default: DEFAULT,
    paper: DEFAULT,
    smoke: { ...DEFAULT, grid: 6, gaugeRetrainIterations: 2, trainPerAxis: 2, interpolateInstances: 1, extrapolateInstances: 1, trajectories: 1, evalTrajectories: 1, trajectorySteps: 12, windowSteps: 4, evalSteps: 8, windowsPerTask: 2, outerIterations: 2, scratchSteps: 2, width: 8, depth: 1, gaugeIterations: 20, checkpointEvery: 1 },
  },
  params: [
    { name: 'a', label: 'a (diffusion of u)' },
    { name: 'b', label: 'b (diffusion of v)' },
  ],
  simulator: (cfg, [a, b]) => {
    const system = createFitzhughNagumo({ n: cfg.grid });
    return { field: fieldAt(system, { a, b }), sampleState: (rng) => system.sampleState(rng, { a, b }) };
  },
  stateScale: (cfg) => Array<number>(2 * cfg.grid * cfg.grid).fill(1),
  model: (cfg) => {
    const spec = fieldSpec(cfg);
    return {
      makeField: (params, etaRows) => stencilVectorField(spec, params, etaRows),
      initialParams: (rng) => stencilFieldParamsInit(spec, rng),
    };
  },
  // u against v in the first cell.
  portrait: (cfg) => ({ x: 0, y: cfg.grid * cfg.grid, xTitle: 'u in cell (0, 0)', yTitle: 'v in cell (0, 0)' }),
  extraFigures: fieldSnapshots,
};
