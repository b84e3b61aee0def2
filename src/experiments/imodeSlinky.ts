/**
 * Paper A (iMODE), the Slinky — on OUR SUBSTITUTE data. The authors' Slinky simulations (a 76-cycle helix, spec §2.3)
 * were never published, so the ground truth is our reduced-order planar chain of N rigid cycles
 * (../systems/slinky.ts: axial, shear and bending springs between neighbours, gravity, clamped top), with the axial
 * and bending stiffnesses (k_a, k_b) varied and the shear stiffness fixed. Nothing in it is the paper's.
 *
 * The model is the ESNN-style Euclidean-symmetric energy network (../nn/euclideanChainEnergy.ts): a link energy of
 * the rigid-body-motion-free coordinates (ξ, η_s, θ) in the bisector frame, summed over the chirality group, forces
 * −∂E/∂q from the analytic input gradient, and known mass, inertia and gravity. Translation, rotation and reflection
 * invariance are built in.
 *
 * The loss sees positions in mm, angles in 10 mrad, velocities in 0.1 m/s and angular rates in rad/s (stateScale),
 * the sizes of the motions in the data, so that no coordinate dominates the MSE.
 */
import { type ConfigOf } from '../core/config';
import { type ChainEnergySpec, SLINKY_ENERGY_SCALE, SLINKY_INPUT_SCALE, chainEnergyMlpSpec, chainVectorField } from '../nn/euclideanChainEnergy';
import { initMlp, mlpFromTensors, mlpTensors } from '../nn/mlp';
import { SLINKY_PHYSICS, createSlinky, slinky } from '../systems/slinky';
import { fieldAt, paramBoxCorners } from '../systems/types';
import { lineFigure } from '../viz/lineFigures';
import type { PlotlyFigure } from '../viz/plotly';
import type { InstanceResult } from '../meta/imodeEvaluation';
import { IMODE_FAMILY_BASE, type ImodeFamily, imodeFamilySchema } from './imode/family';
import type { CoordinateGroup } from './residualByCoordinate';

export const imodeSlinkySchema = {
  ...imodeFamilySchema,
  cycles: { kind: 'integer', min: 2, max: 76, doc: 'cycles N of the substitute chain' },
  shearStiffness: { kind: 'number', exclusiveMin: 0, doc: 'k_s, N/m, fixed across instances' },
  width: { kind: 'integer', min: 1, doc: 'hidden width of the link energy network' },
  depth: { kind: 'integer', min: 0, doc: 'number of [Linear, Softplus] blocks' },
  beta: { kind: 'number', exclusiveMin: 0, doc: 'Softplus sharpness β' },
  chirality: { kind: 'boolean', doc: 'sum the link energy over the reflection/reversal group' },
} as const;

export type ImodeSlinkyConfig = ConfigOf<typeof imodeSlinkySchema>;

/**
 * default [INF]: a 4-cycle chain, 16 training instances (4 × 4 grid over k_a ∈ [2.5, 7.5] N/m, k_b ∈ [5e-4, 2e-3]
 * N·m/rad, k_s = 10 N/m), 2 trajectories of 1 s at dt = 0.01 (the ESNN's sampling), windows of 0.05 s, 400 outer
 * iterations at the other families' outer learning rate (1e-2 → 1e-3) and gauge fine-tune (100 iterations at 1e-3),
 * a scratch baseline of the other families' 150 Adam steps. The box keeps every linear mode of every instance drawn
 * under 130 rad/s, so the 0.01 s samples resolve it (../systems/slinky.ts; tested). Rollouts use RK4 with 2 steps per
 * sample (h = 5 ms, h·ω ≤ 0.65): integrating the TRUE field it misses under 0.02 % of any coordinate's held-out
 * motion at the box's widened corners, one step a sample up to 2.2 % (test/experiments/imodeSlinky.test.ts). An
 * outer iteration costs ≈ 2.5 s alone. The runs behind the rates, the scratch steps and the 16 instances:
 * docs/decisions/imode-slinky.md.
 */
const BOX = paramBoxCorners(slinky, ['kAxial', 'kBending']);

const DEFAULT = {
  ...IMODE_FAMILY_BASE,
  paramLow: BOX.low,
  paramHigh: BOX.high,
  trainPerAxis: 4,
  interpolateInstances: 3,
  extrapolateInstances: 2,
  trajectories: 2,
  trajectorySteps: 101,
  dt: 0.01,
  windowSteps: 6,
  evalSteps: 51,
  windowsPerTask: 4,
  adaptWindows: 16,
  solver: 'rk4',
  substeps: 2,
  outerIterations: 400,
  scratchSteps: 150,
  cycles: 4,
  shearStiffness: paramBoxCorners(slinky, ['kShear']).low[0],
  width: 32,
  depth: 2,
  beta: 10,
  chirality: true,
} as const;

function energySpec(cfg: ImodeSlinkyConfig): ChainEnergySpec {
  return {
    cycles: cfg.cycles,
    etaDim: cfg.etaDim,
    width: cfg.width,
    depth: cfg.depth,
    beta: cfg.beta,
    boundary: 'clamped',
    chirality: cfg.chirality,
    inputScale: SLINKY_INPUT_SCALE,
    energyScale: SLINKY_ENERGY_SCALE,
  };
}

/** Per cycle (x, y, α, ẋ, ẏ, α̇) in (mm, mm, 10 mrad, 0.1 m/s, 0.1 m/s, rad/s). */
function slinkyStateScale(cfg: ImodeSlinkyConfig): number[] {
  return Array.from({ length: cfg.cycles }, () => [1e-3, 1e-3, 1e-2, 1e-1, 1e-1, 1]).flat();
}

/**
 * Each of a cycle's six coordinates over the free cycles (the clamped top never moves). The chain hangs along y, so
 * y and ẏ carry the axial oscillation k_a sets; x, α and their rates the swing, shear and bending.
 */
export function slinkyCoordinateGroups(cfg: ImodeSlinkyConfig): CoordinateGroup[] {
  const names = ['x', 'y (axial when hanging)', 'α', 'ẋ', 'ẏ (axial when hanging)', 'α̇'];
  return names.map((name, k) => ({ name, components: Array.from({ length: cfg.cycles - 1 }, (_, i) => 6 * (i + 1) + k) }));
}

/** The chain (cycle positions, mm) at the start, middle and end of the first unseen instance's held-out rollout. */
function chainFrames(cfg: ImodeSlinkyConfig, results: readonly InstanceResult[]): Record<string, PlotlyFigure> {
  const shown = results.find((r) => r.split !== 'train');
  if (!shown) return {};
  const T = shown.rollout.truth.length;
  const frames = [0, Math.floor((T - 1) / 2), T - 1];
  const chain = (state: number[]) => ({
    x: Array.from({ length: cfg.cycles }, (_, i) => 1e3 * state[6 * i]),
    y: Array.from({ length: cfg.cycles }, (_, i) => 1e3 * state[6 * i + 1]),
  });
  const series = frames.flatMap((k) => [
    { name: `truth t = ${(k * cfg.dt).toFixed(2)} s`, ...chain(shown.rollout.truth[k]), dash: 'solid' as const },
    { name: `iMODE t = ${(k * cfg.dt).toFixed(2)} s`, ...chain(shown.rollout.predicted[k]), dash: 'dash' as const },
  ]);
  return {
    'chain-frames': lineFigure({ title: `Chain of cycles, held-out rollout of ${shown.label} (${shown.split})`, xTitle: 'x (mm)', yTitle: 'y (mm)', series }),
  };
}

export const imodeSlinky: ImodeFamily<ImodeSlinkyConfig> = {
  info: {
    id: 'imode-slinky',
    paper: 'iMODE (arXiv 2301.00957)',
    section: 'Slinky (spec §1.2, §2.3 ESNN; substitute reduced-order data)',
    title: 'Slinky (our substitute chain): Euclidean-symmetric energy network over (k_a, k_b), PCA of η, Neural Gauge, scratch baseline',
  },
  schema: imodeSlinkySchema,
  scales: {
    default: DEFAULT,
    paper: DEFAULT,
    smoke: { ...DEFAULT, cycles: 3, gaugeRetrainIterations: 2, trainPerAxis: 2, interpolateInstances: 1, extrapolateInstances: 1, trajectories: 1, evalTrajectories: 1, trajectorySteps: 12, windowSteps: 4, evalSteps: 8, windowsPerTask: 2, outerIterations: 2, scratchSteps: 2, width: 8, depth: 1, gaugeIterations: 20, checkpointEvery: 1 },
  },
  params: [
    { name: 'kAxial', label: 'k_a (N/m)' },
    { name: 'kBending', label: 'k_b (N·m/rad)' },
  ],
  simulator: (cfg, [kAxial, kBending]) => {
    const system = createSlinky({ cycles: cfg.cycles });
    const mu = { kAxial, kShear: cfg.shearStiffness, kBending };
    return { field: fieldAt(system, mu), sampleState: (rng) => system.sampleState(rng, mu) };
  },
  stateScale: slinkyStateScale,
  model: (cfg) => {
    const spec = energySpec(cfg);
    const mlp = chainEnergyMlpSpec(spec);
    return {
      makeField: (params, etaRows) => chainVectorField(spec, mlpFromTensors(mlp, params), etaRows, SLINKY_PHYSICS),
      initialParams: (rng) => mlpTensors(initMlp(mlp, rng)),
    };
  },
  // The bottom cycle's horizontal position against its vertical one.
  portrait: (cfg) => ({ x: 6 * (cfg.cycles - 1), y: 6 * (cfg.cycles - 1) + 1, xTitle: 'x of the bottom cycle (m)', yTitle: 'y of the bottom cycle (m)' }),
  extraFigures: chainFrames,
  coordinateGroups: slinkyCoordinateGroups,
};
