/**
 * Which coordinates a family's adapted model misses on the held-out rollouts. A family names groups of state
 * components (the Slinky: x, y, α and their rates over its free cycles); per unseen instance i and group G,
 *   missed_{i,G} = Σ_{j∈G} residual_{i,j} / Σ_{j∈G} motion_{i,j},
 * with residual and motion from ../meta/taskBatch.ts `componentErrors`: the share of the group's observed motion the
 * model does not predict (0: all of it; 1: no better than a model in which nothing moves). The summary is the median
 * over unseen instances, which one diverged rollout cannot drag.
 */
import { median } from '../analysis/metrics';
import { DataError } from '../core/errors';
import { barFigure } from '../viz/scatterAndBarFigures';
import type { PlotlyFigure } from '../viz/plotly';
import type { Table } from '../viz/table';

/** A named set of state components, e.g. every cycle's ẏ. */
export interface CoordinateGroup {
  name: string;
  components: readonly number[];
}

/** Per-component held-out errors of one instance (both in model units, one entry per state component). */
export interface ComponentErrorRecord {
  split: string;
  residual: readonly number[];
  motion: readonly number[];
}

export interface CoordinateResidual {
  coordinate: string;
  /** median over unseen instances of the group's residual MSE and its motion's mean square, model units */
  medianResidual: number;
  medianMotion: number;
  /** median over unseen instances of missed_{i,G} */
  medianMissedShare: number;
}

/** The median missed share of every group over the unseen instances (train instances are left out). */
export function residualByCoordinate(groups: readonly CoordinateGroup[], records: readonly ComponentErrorRecord[]): CoordinateResidual[] {
  const unseen = records.filter((r) => r.split !== 'train');
  if (unseen.length === 0) throw new DataError('residualByCoordinate: no unseen instance to summarise');
  const d = unseen[0].residual.length;
  for (const r of unseen) {
    if (r.residual.length !== d || r.motion.length !== d) {
      throw new DataError(`residualByCoordinate: every record needs ${d} residual and motion entries, got ${r.residual.length} and ${r.motion.length}`);
    }
  }
  return groups.map((g) => {
    const bad = g.components.find((j) => !Number.isInteger(j) || j < 0 || j >= d);
    if (bad !== undefined || g.components.length === 0) throw new DataError(`coordinate group '${g.name}': components must be non-empty indices in [0, ${d}), got [${g.components}]`);
    const sum = (v: readonly number[]) => g.components.reduce((s, j) => s + v[j], 0);
    const shares = unseen.map((r) => {
      const motion = sum(r.motion);
      // A coordinate that never moves has no motion to miss: a share would divide by zero.
      if (!(motion > 0)) throw new DataError(`coordinate group '${g.name}' has no motion on a held-out rollout; leave it out of the groups`);
      return sum(r.residual) / motion;
    });
    return {
      coordinate: g.name,
      medianResidual: median(unseen.map((r) => sum(r.residual))),
      medianMotion: median(unseen.map((r) => sum(r.motion))),
      medianMissedShare: median(shares),
    };
  });
}

export function residualByCoordinateTable(rows: readonly CoordinateResidual[]): Table {
  return {
    columns: ['coordinate', 'held-out residual MSE (median, unseen)', 'mean square of its motion (median)', 'share of the motion missed (median)'],
    rows: rows.map((r) => [r.coordinate, r.medianResidual, r.medianMotion, r.medianMissedShare]),
  };
}

export function residualByCoordinateFigure(rows: readonly CoordinateResidual[]): PlotlyFigure {
  return barFigure({
    title: 'Share of the held-out motion the adapted model misses, by coordinate (median over unseen instances)',
    categories: rows.map((r) => r.coordinate),
    values: rows.map((r) => r.medianMissedShare),
    xTitle: 'coordinate',
    yTitle: 'residual / motion (1: as if nothing moved)',
  });
}
