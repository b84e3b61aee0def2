/**
 * Paper B's figures, from the evaluation of ../../analysis/paperBEvaluation.ts on the first test instance: |ẋ| on
 * the field grid (target with the support states, and each adapted method), the level sets of the true and learned
 * energies (each shifted so that its minimum on the grid is 0: H is defined up to a constant, only J∇H enters the
 * dynamics), the held-out rollouts, ε_traj against the rollout horizon, the meta-training losses, the few-shot
 * sweep, and the PCA of a modulation method's latents coloured by each physical parameter.
 */
import { type Vectors, fieldComponentImage, meanStdJson } from '../../analysis/metrics';
import type { FewShotSweep, MethodEvaluation, PaperBEvaluation, PaperBInstance } from '../../analysis/paperBEvaluation';
import { pca } from '../../analysis/pca';
import { ConfigError } from '../../core/errors';
import type { PaperReference } from '../../core/reference';
import type { PaperBMethodName, TrainedMethod } from '../../meta/paperBMethods';
import { contourFigure, fieldSnapshotsFigure } from '../../viz/fieldFigures';
import { lineFigure, phasePortraitGrid } from '../../viz/lineFigures';
import { scatterFigure } from '../../viz/scatterAndBarFigures';
import type { PlotlyFigure } from '../../viz/plotly';
import { HNN_STRUCTURE, type PaperBStructure, type PaperBSystem } from './system';
import { type TrajectoryHorizonCurves, paperValue } from './tables';

function magnitudeImage(values: Vectors, n: number): number[][] {
  const [a, b] = [fieldComponentImage(values, n, 0), fieldComponentImage(values, n, 1)];
  return a.map((row, i) => row.map((v, j) => Math.hypot(v, b[i][j])));
}

/** The grid's axes, read back from its row-major points (first coordinate along the columns). */
function gridAxes(grid: PaperBEvaluation['grid']): { q: number[]; p: number[] } {
  const n = grid.n;
  return { q: grid.points.slice(0, n).map((pt) => pt[0]), p: Array.from({ length: n }, (_, i) => grid.points[i * n][1]) };
}

/**
 * |f| on the grid: the target (with the few-shot support states marked) and each method's learned field on the first
 * test instance, every panel in the grid's (q, p) with the grid's extent.
 */
export function vectorFieldsFigure(evaluation: PaperBEvaluation, instanceLabel: string): PlotlyFigure {
  const n = evaluation.grid.n;
  const { q, p } = gridAxes(evaluation.grid);
  const support = evaluation.truth.support;
  const points = { name: 'support states', x: support.map((s) => s[0]), y: support.map((s) => s[1]) };
  return fieldSnapshotsFigure({
    title: `|ẋ| on the field grid, first test instance (${instanceLabel}): target (× support states) and each method after adaptation`,
    colorTitle: '|ẋ|',
    axes: { x: q, y: p, xTitle: 'q', yTitle: 'p' },
    panels: [{ title: 'target', z: magnitudeImage(evaluation.truth.grid, n), points }, ...evaluation.methods.map((m) => ({ title: m.method, z: magnitudeImage(m.preview.grid, n) }))],
  });
}

/** Methods whose learned Hamiltonian is drawn: the paper's best modulation and the canonical meta-learning baseline. */
export const LEVEL_SET_METHODS: readonly PaperBMethodName[] = ['SVD', 'MAML'];

/** H on the grid as an image [n][n] (row i: p = p_i), shifted so that its smallest finite value is 0. */
function shiftedImage(values: readonly number[], n: number): number[][] {
  const min = Math.min(...values.filter((v) => Number.isFinite(v)));
  return Array.from({ length: n }, (_, i) => values.slice(i * n, (i + 1) * n).map((v) => v - min));
}

/**
 * Level sets of the true H and of the adapted H̃ of LEVEL_SET_METHODS on the first test instance, each min-shifted
 * to 0 (`names`: the symbols of a GENERIC system's E and Ẽ instead).
 */
export function levelSetsFigure(evaluation: PaperBEvaluation, instanceLabel: string, names: PaperBStructure['energyNames'] = HNN_STRUCTURE.energyNames): PlotlyFigure {
  const n = evaluation.grid.n;
  const { q, p } = gridAxes(evaluation.grid);
  const learned = LEVEL_SET_METHODS.flatMap((name) => evaluation.methods.filter((m) => m.method === name)).map((m) => ({ title: `${m.method} ${names.learned}`, z: shiftedImage(m.preview.hamiltonian, n) }));
  return contourFigure({
    title: `Level sets of the ${names.noun}, first test instance (${instanceLabel}), each shifted to min 0 on the grid`,
    xTitle: 'q',
    yTitle: 'p',
    x: q,
    y: p,
    colorTitle: `${names.truth} − min ${names.truth}`,
    panels: [{ title: `true ${names.truth}`, z: shiftedImage(evaluation.truth.hamiltonian, n) }, ...learned],
  });
}

/** Mean ε_field over the test instances against the number of support states, one line per method. */
export function fewShotSweepFigure(sweep: FewShotSweep): PlotlyFigure {
  return lineFigure({
    title: 'Few-shot sweep: ε_field (mean over test instances) against the number of support states',
    xTitle: 'support states n',
    yTitle: 'ε_field',
    logY: true,
    series: sweep.methods.map((m) => ({ name: m.method, x: sweep.sizes, y: m.fieldError.map((e) => meanStdJson(e).mean ?? NaN) })),
  });
}

/** ε_traj against the rollout horizon per method, with the paper's ε_traj (horizon not stated) as dotted levels (named `<method> (paper)`, so the palette gives them the method's colour). */
export function trajectoryHorizonFigure(curves: TrajectoryHorizonCurves, reference: PaperReference): PlotlyFigure {
  const paper = curves.methods.flatMap(({ method }) => {
    const v = paperValue(reference, 'v2', method, 'trajError') ?? paperValue(reference, 'v1', method, 'trajError');
    return v === null ? [] : [{ name: `${method} (paper)`, dash: 'dot' as const, x: [curves.times[0], curves.times[curves.times.length - 1]], y: [v, v] }];
  });
  return lineFigure({
    title: 'ε_traj (mean over test instances) against the rollout horizon; dotted: the paper\'s ε_traj, horizon not stated',
    xTitle: 'horizon t',
    yTitle: 'ε_traj over [0, t]',
    logY: true,
    series: [...curves.methods.map((m) => ({ name: m.method, x: curves.times, y: m.trajError.map((v) => v ?? NaN) })), ...paper],
  });
}

export function phasePortraitsFigure(evaluation: PaperBEvaluation, instanceLabel: string): PlotlyFigure {
  const xy = (rows: readonly number[][]) => ({ x: rows.map((s) => s[0]), y: rows.map((s) => s[1]) });
  return phasePortraitGrid({
    title: `Held-out rollout of the first test instance (${instanceLabel}) after adaptation`,
    xTitle: 'q',
    yTitle: 'p',
    columns: 5,
    panels: evaluation.methods.map((m) => ({ title: m.method, truth: xy(evaluation.truth.rollout), predicted: [{ name: m.method, ...xy(m.preview.rollout) }] })),
  });
}

export function trainingCurvesFigure(trained: readonly TrainedMethod[]): PlotlyFigure {
  return lineFigure({
    title: 'Meta-training loss per outer iteration',
    xTitle: 'outer iteration',
    yTitle: 'loss',
    logY: true,
    series: trained.filter((t) => t.lossHistory.length > 0).map((t) => ({ name: t.method, x: t.lossHistory.map((_, i) => i + 1), y: t.lossHistory })),
  });
}

/** PCA of a latent method's training latents and adapted test latents, one figure per physical parameter (colour). */
export function latentPcaFigures<P>(sys: PaperBSystem<P>, instances: readonly PaperBInstance[], trained: TrainedMethod, evaluation: MethodEvaluation): { figures: Record<string, PlotlyFigure>; explainedVariance: number[] } {
  if (trained.codes === null) throw new ConfigError(`latentPcaFigures: ${trained.method} has no latent codes`);
  const train = instances.filter((i) => i.split === 'train');
  const test = instances.filter((i) => i.split === 'test');
  const codes = [...trained.codes, ...evaluation.instances.map((r) => r.code ?? [])];
  const all = [...train, ...test];
  const result = pca(codes);
  const second = (row: readonly number[]) => (row.length > 1 ? row[1] : 0);
  const figures = Object.fromEntries(
    sys.paramLabels.map((label, j) => [
      `latent-pca-${sys.system.paramNames[j]}`,
      scatterFigure({
        title: `${trained.method} latents (train and adapted test) on the first two principal components, coloured by ${label}`,
        xTitle: 'PC 1',
        yTitle: 'PC 2',
        points: {
          x: result.projected.map((r) => r[0]),
          y: result.projected.map(second),
          text: all.map((i) => `${i.split}: ${i.label}`),
          color: all.map((i) => i.params[j]),
          colorTitle: label,
        },
      }),
    ]),
  );
  return { figures, explainedVariance: result.explainedVarianceRatio };
}

