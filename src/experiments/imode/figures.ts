/**
 * Figures of an iMODE run: the meta-training curves (the summed training loss and the outer gradient's global norm
 * per iteration), and a family's held-out rollouts in its phase plane and held-out MSE per unseen instance.
 */
import type { InstanceResult } from '../../meta/imodeEvaluation';
import type { ImodeTrained } from '../../meta/imodeTraining';
import { lineFigure, phasePortraitGrid } from '../../viz/lineFigures';
import type { PlotlyFigure } from '../../viz/plotly';

export function lossCurveFigure(trained: ImodeTrained): PlotlyFigure {
  return lineFigure({
    title: 'Meta-training loss (Σ over the training instances)',
    xTitle: 'outer iteration',
    yTitle: 'MSE',
    logY: true,
    series: [{ name: 'iMODE', x: trained.lossHistory.map((_, i) => i + 1), y: trained.lossHistory }],
  });
}

/**
 * The outer gradient's global norm before clipping, per iteration: a jump of the loss that follows a spike here is
 * one `outerGradClip` can address. Absent (null) for a run resumed from a checkpoint that did not record it.
 */
export function gradientNormFigure(trained: ImodeTrained): PlotlyFigure | null {
  const norms = trained.gradNormHistory;
  if (norms.length !== trained.lossHistory.length) return null;
  return lineFigure({
    title: 'Outer gradient norm (θ, and η0 when learned; before clipping)',
    xTitle: 'outer iteration',
    yTitle: '‖g‖₂',
    logY: true,
    series: [{ name: 'iMODE', x: norms.map((_, i) => i + 1), y: norms }],
  });
}


/** Held-out rollouts of every unseen instance in the family's phase plane (its `portrait`). */
export function familyPhasePortraits(portrait: { x: number; y: number; xTitle: string; yTitle: string }, evalSteps: number, results: readonly InstanceResult[]): PlotlyFigure {
  const { x, y } = portrait;
  const xy = (rows: number[][]) => ({ x: rows.map((s) => s[x]), y: rows.map((s) => s[y]) });
  return phasePortraitGrid({
    title: `Held-out rollouts of ${evalSteps} steps on the unseen instances after adaptation`,
    xTitle: portrait.xTitle,
    yTitle: portrait.yTitle,
    columns: 3,
    panels: results
      .filter((r) => r.split !== 'train')
      .map((r) => ({
        title: `${r.label} (${r.split})`,
        truth: xy(r.rollout.truth),
        predicted: [{ name: 'iMODE', ...xy(r.rollout.predicted) }, ...(r.rollout.scratch ? [{ name: 'Scratch', ...xy(r.rollout.scratch) }] : [])],
      })),
  });
}

/** Evaluation MSE of iMODE, and of the scratch baseline where every instance has one, against `x` (one per instance). */
export function evalErrorFigure(results: readonly InstanceResult[], x: readonly number[], title: string, xTitle: string): PlotlyFigure {
  return lineFigure({
    title,
    xTitle,
    yTitle: 'MSE',
    logY: true,
    series: [
      { name: 'iMODE', x: Array.from(x), y: results.map((r) => r.evalError) },
      ...(results.every((r) => r.scratchEvalError !== null) ? [{ name: 'Scratch', x: Array.from(x), y: results.map((r) => r.scratchEvalError as number) }] : []),
    ],
  });
}
