/**
 * The pendulum from new initial conditions (beyond the authors' protocol): every length's adapted model, and its
 * scratch baseline, released at rest from amplitudes θ₀ inside and outside the training orbit's (the authors' data
 * all start at θ₀ = π/2, ω₀ = 0), scored over `newConditionSteps` steps against a tight float64 reference of
 * θ'' = −(g/L) sin θ (dopri5 at rtol 1e-10, atol 1e-12, ../../data/pendulumSimulation.ts), per row
 *
 *   e(L, θ₀) = (1 / (T·2)) Σ_t |x̂(t) − x(t)|²,   x = (θ, ω).
 *
 * The authors' evaluation window is cut from the very orbit the model was adapted on; these are not. A conservative
 * field F = −∂V/∂θ that learned V on |θ| ≤ π/2 has seen every angle a smaller swing visits, though never its
 * energies: θ₀ < π/2 asks the model to interpolate in state space, θ₀ > π/2 to extrapolate V beyond the data.
 */
import { median } from '../../analysis/metrics';
import { ConfigError } from '../../core/errors';
import { simulatePendulum } from '../../data/pendulumSimulation';
import type { InstanceResult } from '../../meta/imodeEvaluation';
import { type TaskBatch, makeTaskBatch } from '../../meta/taskBatch';
import { lineGridFigure, phasePortraitGrid } from '../../viz/lineFigures';
import type { PlotlyFigure } from '../../viz/plotly';
import type { Table } from '../../viz/table';
import { byLength } from './pendulumFigures';

/** The reference's tolerances: its own error is far below any model's (float32 rollouts). */
export const NEW_CONDITION_REFERENCE = { method: 'dopri5', rtol: 1e-10, atol: 1e-12 } as const;
/** The amplitude every one of the authors' trajectories starts from. */
export const TRAINING_AMPLITUDE = Math.PI / 2;

/** One row per amplitude: released at rest from θ₀ = amplitudes[r], `steps` intervals of `dt`, as a one-task batch. */
export function releasedAtRestBatch(o: { L: number; amplitudes: readonly number[]; steps: number; dt: number }): TaskBatch {
  const trajectories = o.amplitudes.map((theta0) => simulatePendulum({ L: o.L, theta0, omega0: 0, dt: o.dt, steps: o.steps, ...NEW_CONDITION_REFERENCE }));
  const targets = Array.from({ length: o.steps + 1 }, (_, t) => trajectories.map((trajectory) => trajectory[t]));
  return makeTaskBatch(
    trajectories.map((trajectory) => trajectory[0]),
    targets,
    o.amplitudes.map(() => 0),
    1,
    o.dt,
  );
}

/** Where an amplitude lies against the training orbit's π/2. */
export function amplitudeRegion(theta0: number): 'inside' | 'at' | 'outside' {
  if (Math.abs(theta0 - TRAINING_AMPLITUDE) < 1e-9) return 'at';
  return theta0 < TRAINING_AMPLITUDE ? 'inside' : 'outside';
}

/** The lengths that carry a new-conditions result, sorted by L (every length of a run with amplitudes). */
function scored(lengths: readonly InstanceResult[]): (InstanceResult & { newConditions: NonNullable<InstanceResult['newConditions']> })[] {
  return byLength(lengths).filter((r): r is InstanceResult & { newConditions: NonNullable<InstanceResult['newConditions']> } => r.newConditions !== null);
}

const finite = (values: readonly (number | null)[]): number[] => values.filter((v): v is number => v !== null);

/**
 * Per amplitude, over the lengths: the median and worst MSE of iMODE and of the scratch baseline, how many lengths
 * each keeps at or below `threshold`, and how many rollouts diverged (the solver gave up or the state left the reals).
 */
export function newConditionsTable(amplitudes: readonly number[], lengths: readonly InstanceResult[], threshold: number): Table {
  const rows = scored(lengths);
  // per length with a scratch baseline, its errors per amplitude
  const scratchErrors = rows.flatMap((r) => (r.newConditions.scratchErrors ? [r.newConditions.scratchErrors] : []));
  const stats = (values: readonly (number | null)[]) => {
    const ok = finite(values);
    return {
      median: ok.length ? median(ok) : null,
      worst: ok.length ? Math.max(...ok) : null,
      within: ok.filter((v) => v <= threshold).length,
      diverged: values.length - ok.length,
    };
  };
  return {
    columns: [
      'θ₀ (rad)',
      'vs training orbit',
      'iMODE median MSE',
      'iMODE worst MSE',
      `iMODE lengths ≤ ${threshold}`,
      'scratch median MSE',
      'scratch worst MSE',
      `scratch lengths ≤ ${threshold}`,
      'diverged (iMODE / scratch)',
    ],
    rows: amplitudes.map((theta0, a) => {
      const ours = stats(rows.map((r) => r.newConditions.errors[a]));
      const scratch = stats(scratchErrors.map((errors) => errors[a]));
      return [
        theta0,
        amplitudeRegion(theta0),
        ours.median,
        ours.worst,
        `${ours.within} / ${rows.length}`,
        scratch.median,
        scratch.worst,
        `${scratch.within} / ${scratchErrors.length}`,
        `${ours.diverged} / ${scratch.diverged}`,
      ];
    }),
  };
}

/** What metrics.json keeps: the amplitudes, the reference, and per length both models' MSE per amplitude (null: diverged). */
export function newConditionsRecord(amplitudes: readonly number[], steps: number, lengths: readonly InstanceResult[]) {
  return {
    amplitudes,
    steps,
    reference: NEW_CONDITION_REFERENCE,
    trainingAmplitude: TRAINING_AMPLITUDE,
    lengths: scored(lengths).map((r) => ({ L: r.params[0], split: r.split, mse: r.newConditions.errors, scratchMse: r.newConditions.scratchErrors })),
  };
}

/** Per length, the MSE against θ₀ of iMODE and the scratch baseline (log scale; a diverged rollout leaves a gap). */
export function newConditionsErrorFigure(amplitudes: readonly number[], steps: number, lengths: readonly InstanceResult[]): PlotlyFigure {
  const points = (values: readonly (number | null)[]) => {
    const kept = amplitudes.map((theta0, a) => [theta0, values[a]] as const).filter((p): p is readonly [number, number] => p[1] !== null);
    return { x: kept.map((p) => p[0]), y: kept.map((p) => p[1]) };
  };
  return lineGridFigure({
    title: `MSE over ${steps} steps from rest at θ₀ (training orbit: θ₀ = π/2 ≈ 1.571)`,
    xTitle: 'θ₀ (rad)',
    yTitle: 'MSE',
    columns: 5,
    logY: true,
    panels: scored(lengths).map((r) => ({
      title: `L = ${r.params[0]} (${r.split})`,
      series: [
        { name: 'iMODE', ...points(r.newConditions.errors) },
        ...(r.newConditions.scratchErrors ? [{ name: 'Scratch', ...points(r.newConditions.scratchErrors) }] : []),
      ],
    })),
  });
}

/** Phase portraits of one length from every amplitude: the reference, iMODE and the scratch baseline. */
export function newConditionsPortraitFigure(amplitudes: readonly number[], lengths: readonly InstanceResult[], L: number): PlotlyFigure {
  const r = scored(lengths).find((x) => x.params[0] === L);
  if (!r) throw new ConfigError(`newConditionsPortraitFigure: no new-conditions result for L = ${L}`);
  const xy = (rows: readonly number[][]) => ({ x: rows.map((s) => s[0]), y: rows.map((s) => s[1]) });
  const { truth, predicted, scratch } = r.newConditions;
  return phasePortraitGrid({
    title: `L = ${L} (${r.split}) released at rest from new amplitudes`,
    xTitle: 'θ (rad)',
    yTitle: 'ω (rad/s)',
    columns: 4,
    panels: amplitudes.map((theta0, a) => ({
      title: `θ₀ = ${theta0.toFixed(3)} (${amplitudeRegion(theta0)})${predicted[a].length === 0 ? ', iMODE diverged' : ''}`,
      truth: xy(truth[a]),
      predicted: [{ name: 'iMODE', ...xy(predicted[a]) }, ...(scratch ? [{ name: 'Scratch', ...xy(scratch[a]) }] : [])],
    })),
  });
}
