/**
 * A simulated iMODE family's dataset (spec §1.2, §4.3):
 *
 *   instances   train: a grid of `trainPerAxis` values per physical parameter over [paramLow, paramHigh];
 *               interpolate: uniform draws inside the box; extrapolate: uniform draws in the box widened by
 *               `extrapolateMargin` × its range on every side, drawn again while they fall inside the box.
 *   data        per instance `trajectories` adaptation trajectories (the few-shot data) and `evalTrajectories`
 *               held-out ones, each from an initial state its simulator draws from the instance's stream, sampled at
 *               the times `ts` by float64 dopri5 at tight tolerances (rtol 1e-9, atol 1e-10).
 */
import { progress } from '../core/progress';
import type { Rng } from '../core/rng';
import type { VectorField } from '../core/state';
import { dopri5 } from '../integrators/dopri5';
import type { ImodeInstance, Split } from './imodeInstances';

/** The parameter box and how many instances of each split are drawn from it. */
export interface FamilyBox {
  paramLow: readonly number[];
  paramHigh: readonly number[];
  trainPerAxis: number;
  interpolateInstances: number;
  extrapolateInstances: number;
  extrapolateMargin: number;
}

/** The box extrapolating instances are drawn from: the parameter box widened by `extrapolateMargin` × its range on every side. */
export function extrapolationBox(cfg: Pick<FamilyBox, 'paramLow' | 'paramHigh' | 'extrapolateMargin'>): { low: number[]; high: number[] } {
  const margin = (j: number) => cfg.extrapolateMargin * (cfg.paramHigh[j] - cfg.paramLow[j]);
  return { low: cfg.paramLow.map((lo, j) => lo - margin(j)), high: cfg.paramHigh.map((hi, j) => hi + margin(j)) };
}

/** Training grid, interpolating and extrapolating draws: [φ, split] per instance, the draws from `rng`. */
export function drawInstanceParameters(cfg: FamilyBox, rng: Rng): { params: number[]; split: Split }[] {
  const p = cfg.paramLow.length;
  const axis = (j: number) => Array.from({ length: cfg.trainPerAxis }, (_, i) => cfg.paramLow[j] + ((cfg.paramHigh[j] - cfg.paramLow[j]) * i) / (cfg.trainPerAxis - 1));
  let grid: number[][] = [[]];
  for (let j = 0; j < p; j++) grid = grid.flatMap((g) => axis(j).map((v) => [...g, v]));
  const inside = (phi: readonly number[]) => phi.every((v, j) => v >= cfg.paramLow[j] && v <= cfg.paramHigh[j]);
  const interpolate = Array.from({ length: cfg.interpolateInstances }, () => cfg.paramLow.map((lo, j) => rng.uniformIn(lo, cfg.paramHigh[j])));
  const widened = extrapolationBox(cfg);
  const extrapolate = Array.from({ length: cfg.extrapolateInstances }, () => {
    for (;;) {
      const phi = widened.low.map((lo, j) => rng.uniformIn(lo, widened.high[j]));
      if (!inside(phi)) return phi;
    }
  });
  return [
    ...grid.map((params) => ({ params, split: 'train' as const })),
    ...interpolate.map((params) => ({ params, split: 'interpolate' as const })),
    ...extrapolate.map((params) => ({ params, split: 'extrapolate' as const })),
  ];
}

/** An instance simulated: its adaptation trajectories and `evalTrajectories` held-out ones from new initial states. */
export interface SimulatedInstance extends ImodeInstance {
  evalTrajectories: Float64Array[][];
}

/** The trajectories of every drawn instance (see the header); `streamOf(index)` draws instance index's initial states. */
export function simulateInstances(
  draws: readonly { params: number[]; split: Split }[],
  simulator: (params: readonly number[]) => { field: VectorField; sampleState(rng: Rng): Float64Array },
  opts: { ts: readonly number[]; trajectories: number; evalTrajectories: number },
  streamOf: (index: number) => Rng,
  labelOf: (params: readonly number[]) => string,
): SimulatedInstance[] {
  const bar = progress(draws.length, 'simulating instances');
  const out = draws.map(({ params, split }, index) => {
    const sim = simulator(params);
    const rng = streamOf(index);
    const run = () => dopri5.solve(sim.field, sim.sampleState(rng), opts.ts, { rtol: 1e-9, atol: 1e-10 });
    const trajectories = Array.from({ length: opts.trajectories }, run);
    const evalTrajectories = Array.from({ length: opts.evalTrajectories }, run);
    bar.update(index + 1);
    return { label: labelOf(params), params, split, trajectories, evalTrajectories };
  });
  bar.done();
  return out;
}
