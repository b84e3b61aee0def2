/**
 * How far each adaptation trajectory of an iMODE family's instances goes: its initial state x(0) and, per state
 * coordinate i, the largest |x_i(t)| it reaches. The adapted η of an instance is a least-squares fit to windows of
 * these trajectories, so what they visit decides what η can say: a trajectory released near rest barely moves, its
 * residuals are small whatever η is, and it hardly constrains η; one released high reaches states few training
 * trajectories visit, fits worst, and is what trimmed adaptation drops. Read beside the gauge errors, the table tells
 * an instance badly gauged for want of informative data from one badly gauged by its model.
 */
import { DataError } from '../core/errors';
import { type Table } from '../viz/table';
import { type FamilyInstance } from './imodeFamilyExperiment';
import { type Split } from './imodeLatent';

export interface TrajectoryExtent {
  label: string;
  split: Split;
  /** index of the trajectory among the instance's adaptation trajectories */
  trajectory: number;
  /** x(0) on the chosen coordinates */
  initial: number[];
  /** max over t of |x_i(t)| on the chosen coordinates */
  maxAbs: number[];
}

/**
 * One entry per adaptation trajectory of every instance, on the state coordinates `coordinates` (all of them when
 * absent). DataError for a coordinate outside the state or a trajectory with no samples.
 */
export function trajectoryExtents(instances: readonly FamilyInstance[], coordinates?: readonly number[]): TrajectoryExtent[] {
  return instances.flatMap((ins) =>
    ins.trajectories.map((tr, trajectory) => {
      if (tr.length === 0) throw new DataError(`${ins.label}: trajectory ${trajectory} has no samples`);
      const dim = tr[0].length;
      const chosen = coordinates ?? Array.from({ length: dim }, (_, i) => i);
      chosen.forEach((i) => {
        if (!Number.isInteger(i) || i < 0 || i >= dim) throw new DataError(`coordinate ${i} is outside the state's ${dim} coordinates (0 to ${dim - 1})`);
      });
      const maxAbs = chosen.map((i) => tr.reduce((m, x) => Math.max(m, Math.abs(x[i])), 0));
      return { label: ins.label, split: ins.split, trajectory, initial: chosen.map((i) => tr[0][i]), maxAbs };
    }),
  );
}

/** One row per trajectory: instance, split, trajectory, then x_i(0) and max |x_i| for each named coordinate. */
export function trajectoryExtentTable(extents: readonly TrajectoryExtent[], coordinateNames: readonly string[]): Table {
  extents.forEach((e) => {
    if (e.initial.length !== coordinateNames.length) throw new DataError(`${coordinateNames.length} coordinate name(s) for ${e.initial.length} coordinate(s)`);
  });
  return {
    columns: ['instance', 'split', 'trajectory', ...coordinateNames.map((c) => `${c}(0)`), ...coordinateNames.map((c) => `max |${c}|`)],
    rows: extents.map((e) => [e.label, e.split, e.trajectory, ...e.initial, ...e.maxAbs]),
  };
}
